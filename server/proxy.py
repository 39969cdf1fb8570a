"""Behind a reverse proxy (nginx, docs/deploy.md): trust its `X-Forwarded-For`, `-Proto` and
`-Host` headers, and only from the number of proxies the deployment says are in front
(`PROXY_HOPS`). With 0 (the default: the app is reached directly) the headers are ignored, so a
client cannot choose the address the sign-in throttle counts it under or the security log records.

With `PROXY_HOPS=1` behind nginx: `request.remote_addr` is the client nginx saw (the throttle
counts each client, not nginx), and the scheme and host are the ones the browser used (the
same-origin check of POSTs in server/guard.py compares the browser's `Origin` with them)."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def trust_proxies(server: Flask, hops: int) -> None:
    if hops > 0:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
