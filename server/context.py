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
