"""数据接口 callbacks: the keys, their call log (exportable), suspend / resume / revoke."""
from __future__ import annotations

import json

import polars as pl
from dash import Input, Output, State, ctx, no_update

from components.export import send_table
from data.errors import AccountError
from data.sharing import keys as key_store
from domain.labels import time_text
from domain.permissions import Action, PermissionDenied
from domain.sharing.catalogue import DATASETS
from domain.sharing.keys import STATES
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, as_int, current_actor

ACTS = {"dapi-suspend": "suspend", "dapi-resume": "resume", "dapi-revoke": "revoke"}
EXPORT = [("at_text", "时间", None), ("key", "密钥", None), ("unit", "使用单位", None), ("purpose", "用途", None),
          ("dataset", "数据集", None), ("params_text", "参数", None), ("status", "状态码", None), ("rows", "返回行数", None),
          ("ip", "调用IP", None), ("duration_ms", "耗时（毫秒）", None), ("error", "拒绝原因", None), ("misuse", "越权", None)]


def _calls(key_id: int | None) -> list[dict]:
    rows = key_store.list_calls(settings().database_url, current_actor(), key_id)
    for r in rows:
        r["at_text"] = time_text(r.pop("at"))
        r["params_text"] = json.dumps(r.pop("params") or {}, ensure_ascii=False)[:300]
        r["dataset"] = DATASETS[r["dataset"]].label if r["dataset"] in DATASETS else r["dataset"]
    return rows


def _key_of(selected) -> dict | None:
    return selected[0] if isinstance(selected, list) and selected and isinstance(selected[0], dict) else None


@secure_callback(Action.DATA_KEY_MANAGE, Output("dapi-keys", "rowData"), Input("dapi-refresh", "data"))
def load(_):
    rows = key_store.list_keys(settings().database_url, current_actor())
    for r in rows:
        r["last_call"] = time_text(r["last_call"]) if r["last_call"] else ""
    return rows


@secure_callback(Action.DATA_KEY_MANAGE, Output("dapi-calls", "rowData"), Input("dapi-keys", "selectedRows"),
                 Input("dapi-refresh", "data"))
def calls(selected, _):
    key = _key_of(selected)
    return _calls(as_int(key.get("id")) if key else None)


@secure_callback(Action.DATA_KEY_MANAGE, Output("dapi-result", "children"), Output("dapi-reason-error", "children"),
                 Output("dapi-refresh", "data", allow_duplicate=True), Input("dapi-suspend", "n_clicks"),
                 Input("dapi-resume", "n_clicks"), Input("dapi-revoke", "n_clicks"), State("dapi-keys", "selectedRows"),
                 State("dapi-reason", "value"), State("dapi-refresh", "data"), prevent_initial_call=True)
def act(_s, _r, _v, selected, reason, refresh):
    """Takes effect at the key's next call: every call reads the key's status in its own transaction."""
    key = _key_of(selected)
    if key is None:
        return alert("请先在表格中选择一个密钥。", "warning"), "", no_update
    cfg = settings()
    try:
        status = key_store.set_status(cfg.database_url, cfg.audit_key, current_actor(), key.get("id"),
                                      ACTS.get(ctx.triggered_id, ""), reason)
    except AccountError as exc:
        return no_update, "；".join(exc.errors.values()), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", no_update
    return alert(f"密钥 {key.get('prefix', '')} 已{STATES[status]}，立即生效。"), "", (refresh or 0) + 1


@secure_callback(Action.DATA_KEY_MANAGE, Output("dapi-download", "data"), Input("dapi-export", "n_clicks"),
                 State("dapi-keys", "selectedRows"), prevent_initial_call=True)
def export(_, selected):
    key = _key_of(selected)
    rows = _calls(as_int(key.get("id")) if key else None)
    numbers = ("status", "rows", "duration_ms")
    frame = pl.DataFrame({c: [r.get(c) for r in rows] for c, _, _ in EXPORT},
                         schema={c: pl.Int64 if c in numbers else pl.Utf8 for c, _, _ in EXPORT})
    return send_table(frame, EXPORT, "数据接口调用日志")
