"""PROXY_HOPS: behind nginx the client's forwarded address is what the sign-in throttle counts; with
no proxy configured a client cannot choose its address by sending the header."""
from __future__ import annotations

from flask import Flask, jsonify, request

from server.auth import client_ip
from server.proxy import trust_proxies


def _app(hops: int) -> Flask:
    app = Flask(__name__)

    @app.get("/who")
    def who():
        return jsonify(ip=client_ip(), scheme=request.scheme, host=request.host)

    trust_proxies(app, hops)
    return app


HEADERS = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Forwarded-Proto": "https",
           "X-Forwarded-Host": "nongjing.example.gov.cn"}


def test_proxy001_one_trusted_hop_gives_the_client_nginx_saw():
    got = _app(1).test_client().get("/who", headers=HEADERS, environ_base={"REMOTE_ADDR": "10.0.0.5"}).get_json()
    # nginx appends the address it saw last: only that one is trusted, not what the client claimed before it
    assert got == {"ip": "203.0.113.9", "scheme": "https", "host": "nongjing.example.gov.cn"}


def test_proxy002_no_proxy_configured_ignores_the_headers():
    got = _app(0).test_client().get("/who", headers=HEADERS, environ_base={"REMOTE_ADDR": "10.0.0.5"}).get_json()
    assert got == {"ip": "10.0.0.5", "scheme": "http", "host": "localhost"}
