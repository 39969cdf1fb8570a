"""The migrations create exactly what the models declare: the app runs on the migrated schema
(data.db.upgrade), so a column, index or constraint the models have and the migrations forgot
(or the other way round) would only show up in production. Alembic's autogenerate comparison
of the migrated database with the models must find nothing; on PostgreSQL the column types are
compared too (SQLite's type affinity makes that comparison meaningless there)."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from data.db import upgrade
from data.models import Base


#: PostgreSQL's partitioned ledger (migration 0023): the foreign key onto voucher_lines.id the
#: models declare is two triggers there (a partitioned table's unique keys hold the partition key)
PG_ONLY_TRIGGERS = {"fk_bank_statement_lines_matched_line_id_voucher_lines"}


def _differences(url: str, compare_type: bool) -> list:
    upgrade(url)
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            partitions = set()
            if engine.dialect.name == "postgresql":  # the yearly partitions of voucher_lines are not models
                partitions = set(c.execute(text("SELECT relname FROM pg_class WHERE relispartition")).scalars())

            def include(obj, name, type_, _reflected, _compare_to):
                table = obj if type_ == "table" else getattr(obj, "table", None)
                if table is not None and table.name in partitions:
                    return False
                return not (partitions and type_ == "foreign_key_constraint" and name in PG_ONLY_TRIGGERS)

            ctx = MigrationContext.configure(c, opts={"compare_type": compare_type, "include_object": include})
            return list(compare_metadata(ctx, Base.metadata))
    finally:
        engine.dispose()


def test_migrations001_sqlite_schema_is_the_models(tmp_path):
    assert _differences(f"sqlite:///{tmp_path / 'schema.db'}", compare_type=False) == []


def test_migrations002_postgres_schema_is_the_models(postgres_server):
    assert _differences(postgres_server.create_database("schema_check"), compare_type=True) == []
