"""开放数据 and 共享数据 callbacks: the records of a kind, and their download."""
from __future__ import annotations

from dash import Input, Output, State, ctx

from components.credit_uses import RECORD_EXPORT
from data.credit.open import ROW_MAX, open_records, shared_records
from domain import clock
from domain.credit.codes import RECORD_KINDS
from domain.permissions import Action
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import current_actor
from callbacks.credit_uses.common import download, iso_dates, with_region_names


def _kind(value) -> str | None:
    return value if value in RECORD_KINDS else None


def _summary(rows: list[dict], what: str) -> str:
    if not rows:
        return f"暂无{what}。"
    return f"共 {len(rows)} 条{what}" + (f"（最多显示{ROW_MAX}条）" if len(rows) >= ROW_MAX else "") + "。"


def _open(kind):
    cfg = settings()
    return with_region_names(open_records(cfg.database_url, current_actor(), cfg.province, kind=_kind(kind),
                                          as_of=clock.today()))


def _shared(kind):
    return with_region_names(shared_records(settings().database_url, current_actor(), kind=_kind(kind), as_of=clock.today()))


@secure_callback(Action.CREDIT_OPEN_DOWNLOAD, Output("credit-open-grid", "rowData"), Output("credit-open-summary", "children"),
                 Input("credit-open-kind", "value"))
def load_open(kind):
    rows = _open(kind)
    return iso_dates(rows), _summary(rows, "无条件开放的信用记录")


@secure_callback(Action.CREDIT_OPEN_DOWNLOAD, Output("credit-open-download", "data"), Input("credit-open-xlsx", "n_clicks"),
                 Input("credit-open-csv", "n_clicks"), State("credit-open-kind", "value"), prevent_initial_call=True)
def download_open(_x, _c, kind):
    fmt = "csv" if ctx.triggered_id == "credit-open-csv" else "xlsx"
    return download(_open(kind), RECORD_EXPORT, "林业信用无条件开放数据", fmt)


@secure_callback(Action.CREDIT_SHARED_READ, Output("credit-shared-grid", "rowData"),
                 Output("credit-shared-summary", "children"), Input("credit-shared-kind", "value"))
def load_shared(kind):
    rows = _shared(kind)
    return iso_dates(rows), _summary(rows, "无条件共享的信用记录")


@secure_callback(Action.CREDIT_SHARED_READ, Output("credit-shared-download", "data"),
                 Input("credit-shared-xlsx", "n_clicks"), Input("credit-shared-csv", "n_clicks"),
                 State("credit-shared-kind", "value"), prevent_initial_call=True)
def download_shared(_x, _c, kind):
    fmt = "csv" if ctx.triggered_id == "credit-shared-csv" else "xlsx"
    return download(_shared(kind), RECORD_EXPORT, "林业信用无条件共享数据", fmt, current_actor().scope.root)
