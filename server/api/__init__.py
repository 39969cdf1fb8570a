"""The read-only data API (`/api/v1/`, Art. J23–J25): a Flask blueprint outside the Dash sign-in.

Every call names its key in `Authorization: Bearer …`; data.sharing.api admits it (key, expiry,
status, IP allow-list, the per-minute rate across processes, the approved scope) and logs it,
refused calls included. Rows come from the scoped path and leave through the catalogue's shaping
(personal data masked by domain.privacy unless the approval grants it). Errors are JSON
`{"error": "…"}` in Chinese, never a stack trace. The guard answers 405 to any method but GET
(server/guard.py) before anything here runs; `openapi.json` describes it all.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from decimal import Decimal

from flask import Blueprint, Flask, jsonify, request

from data.sharing import api as store
from domain import clock
from domain.sharing.calls import Refusal, resolve
from domain.sharing.catalogue import DATASETS, shaped
from server.api import openapi, params
from server.context import settings

log = logging.getLogger("platform.api")
bp = Blueprint("data_api", __name__, url_prefix=openapi.API_PREFIX)


def _answer(body: dict, status: int = 200):
    resp = jsonify(body)
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _error(status: int, message: str):
    return _answer({"error": message}, status)


def _token() -> str | None:
    auth = request.headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def _json_value(v):
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return int(v)
    return v


def _row(dataset: str, row: dict) -> dict:
    if dataset == "warnings" and row.get("raised_at") is not None:
        row["raised_on"] = clock.china_date(row["raised_at"])
    return {k: _json_value(v) for k, v in row.items()}


def _serve(dataset: str | None, answer):
    """Admit the call (`answer(grant)` resolves its parameters), then run `body(admitted)`."""
    cfg = settings()
    t0 = time.monotonic()
    args = request.args.to_dict(flat=True)
    admitted = store.admit(cfg.database_url, cfg.audit_key, _token(), request.remote_addr, request.path, dataset,
                           params.logged(args), answer, clock.now(), clock.today(), request.method)
    if isinstance(admitted, Refusal):
        return None, _error(admitted.status, admitted.message), t0
    return admitted, None, t0


@bp.get("/openapi.json")
def description():
    return _answer(openapi.spec())


@bp.get("/grant")
def grant():
    admitted, refused, t0 = _serve(None, lambda g: None)
    if refused is not None:
        return refused
    g = admitted.grant
    body = {"unit": admitted.unit, "purpose": admitted.purpose, "valid_until": admitted.valid_until.isoformat(),
            "data_from": g.data_from.isoformat(),
            "data_to": g.data_to.isoformat(), "personal_in_clear": g.personal, "regions": list(g.regions),
            "datasets": {k: list(v) for k, v in g.scope.items()}}
    store.finish(settings().database_url, admitted.call_id, 0, int((time.monotonic() - t0) * 1000))
    return _answer(body)


@bp.get("/datasets/<string:dataset>")
def read_dataset(dataset: str):
    ds = DATASETS.get(dataset)
    if ds is None:
        return _error(404, "未知的数据集")
    parsed = params.parse(request.args.to_dict(flat=True), ds.date_field is not None)

    def answer(g):
        if isinstance(parsed, str):
            return Refusal(400, parsed)
        return resolve(g, dataset, parsed.field_list, parsed.region, parsed.date_from, parsed.date_to)

    admitted, refused, t0 = _serve(dataset, answer)
    if refused is not None:
        return refused
    url = settings().database_url
    try:
        q = admitted.query
        rows, total = store.read(url, q, parsed.limit, parsed.offset)
        out = [shaped(dataset, _row(dataset, r), list(q.fields), admitted.grant.personal) for r in rows]
    except Exception:  # never a stack trace to the caller; the call is logged as failed
        log.exception("data API read failed")
        store.finish(url, admitted.call_id, 0, int((time.monotonic() - t0) * 1000), 500, "服务器内部错误")
        return _error(500, "服务器内部错误")
    store.finish(url, admitted.call_id, len(out), int((time.monotonic() - t0) * 1000))
    masked = ds.always_masked or not admitted.grant.personal
    return _answer({"dataset": dataset, "label": ds.label, "fields": list(q.fields), "masked": masked,
                    "total": total, "limit": parsed.limit, "offset": parsed.offset, "rows": out})


@bp.get("/", defaults={"rest": ""})
@bp.get("/<path:rest>")
def unknown(rest: str):
    return _error(404, "接口不存在")


@bp.errorhandler(Exception)
def _failed(exc):
    """Anything a view of the API raises: JSON, never a stack trace (the log keeps it)."""
    from werkzeug.exceptions import HTTPException

    if isinstance(exc, HTTPException):
        return _error(exc.code or 500, "请求无效" if (exc.code or 500) < 500 else "服务器内部错误")
    log.exception("data API failed")
    return _error(500, "服务器内部错误")


def init_api(server: Flask) -> None:
    server.register_blueprint(bp)
