"""The migrations create exactly what the models declare: the app runs on the migrated schema
(data.db.upgrade), so a column, index or constraint the models have and the migrations forgot
(or the other way round) would only show up in production. Alembic's autogenerate comparison
of the migrated database with the models must find nothing; on PostgreSQL the column types are
compared too (SQLite's type affinity makes that comparison meaningless there)."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from data.db import upgrade
from data.models import Base


def _differences(url: str, compare_type: bool) -> list:
    upgrade(url)
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            ctx = MigrationContext.configure(c, opts={"compare_type": compare_type})
            return list(compare_metadata(ctx, Base.metadata))
    finally:
        engine.dispose()


def test_migrations001_sqlite_schema_is_the_models(tmp_path):
    assert _differences(f"sqlite:///{tmp_path / 'schema.db'}", compare_type=False) == []


def test_migrations002_postgres_schema_is_the_models(postgres_server):
    assert _differences(postgres_server.create_database("schema_check"), compare_type=True) == []
