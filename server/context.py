"""Access to the app-wide objects from callbacks (settings, the query layer) without globals."""
from __future__ import annotations

from flask import current_app

from data.query import QueryLayer
from settings import Settings


def settings() -> Settings:
    return current_app.config["PLATFORM_SETTINGS"]


def query_layer() -> QueryLayer:
    ql: QueryLayer = current_app.extensions["platform.query"]
    ql.maybe_refresh()
    return ql


def log_export(what: str, rows: int, region: int | None = None) -> None:
    """Every export is written to the security log (Art. J36)."""
    from server.auth import log_event

    log_event("export", f"导出{what}（{rows} 行）", "success", detail={"what": what, "rows": rows, "region": region})
