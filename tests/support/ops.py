"""Helpers of the sync and backup tests: a private copy of the generated database with its app,
and a dump of every table a restore must bring back (the carried ones aside)."""
from __future__ import annotations

from sqlalchemy import select

from tests.support.app import build_app, generate_test_data, make_settings


def private_copy(tmp_path_factory, name: str):
    """(settings, app) on a generated SQLite data directory of its own (not a copy of the
    session's, which other modules of the process may have written to)."""
    settings = generate_test_data(make_settings(tmp_path_factory.mktemp(name)))
    return settings, build_app(settings)


def dump(url: str) -> dict[str, list[tuple]]:
    """Every row of every table a restore restores, in primary-key order (the carried catalogue,
    the security log and sessions aside; the ledger generation a restore renews aside)."""
    from data.backup.restore import CARRIED
    from data.db import reading
    from data.models import Base

    out = {}
    with reading(url) as s:
        for t in Base.metadata.sorted_tables:
            if t.name in CARRIED:
                continue
            q = select(t).order_by(*t.primary_key.columns)
            rows = [tuple(r) for r in s.execute(q).all()]
            if t.name == "platform_settings":
                rows = [r for r in rows if r[0] != "ledger_generation"]
            out[t.name] = rows
    return out


def chain_ok(settings) -> bool:
    from data.admin import audit_log
    from data.db import transaction

    audit_log.use_head_file(settings.database_url, settings.data_dir)
    with transaction(settings.database_url) as s:
        return audit_log.verify(s, settings.audit_key).ok
