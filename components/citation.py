"""The deployment's citations for page texts (`domain.citations`, asked with the province the app
was configured for; outside an app, e.g. a layout built for validation, the neutral wording)."""
from __future__ import annotations

from flask import current_app, has_app_context

from domain.citations import Cite, cite, citing


def deployment_province() -> int | None:
    settings = current_app.config.get("PLATFORM_SETTINGS") if has_app_context() else None
    return settings.province if settings is not None else None


def cited(text: str, key: Cite) -> str:
    """`text` with the deployment's citation for `key` in brackets (alone where it cites nothing)."""
    return citing(text, key, deployment_province())


def citation(key: Cite) -> str:
    return cite(key, deployment_province())
