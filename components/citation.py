"""The deployment's citations for page texts (`domain.citations`, asked with the province the
running app was configured for; outside an app, e.g. a layout built for validation, the neutral
wording). Components import no web layer: the app registers how to read its province
(`PROVINCE_SOURCE`, set by app.py from the Flask config of the request's app)."""
from __future__ import annotations

from collections.abc import Callable

from domain.citations import Cite, cite, citing

#: the running app's answer to "which province is this deployment" (None outside a request)
PROVINCE_SOURCE: list[Callable[[], int | None]] = []


def deployment_province() -> int | None:
    return PROVINCE_SOURCE[0]() if PROVINCE_SOURCE else None


def cited(text: str, key: Cite) -> str:
    """`text` with the deployment's citation for `key` in brackets (alone where it cites nothing)."""
    return citing(text, key, deployment_province())


def citation(key: Cite) -> str:
    return cite(key, deployment_province())
