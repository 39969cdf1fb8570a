"""audit_log append-only on PostgreSQL: a trigger refuses UPDATE and DELETE on the security log
unless the transaction set `platform.audit_purge = 'on'` (SET LOCAL; only
`data.admin.audit_log.purge` does, for entries past retention).

SQLite gets no trigger: whoever can write the database file can drop a trigger as easily as a
row, so there the signed head in DATA_DIR (`data.admin.audit_log`) is what detects deleted newest
entries, and the HMAC chain detects changed ones.

Revision ID: 0008_audit_append_only
Revises: 0007_meetings_confirm
"""
from __future__ import annotations

from alembic import op

revision = '0008_audit_append_only'
down_revision = '0007_meetings_confirm'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' AND coalesce(current_setting('platform.audit_purge', true), '') = 'on' THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = 'audit_log is append-only: ' || TG_OP || ' refused';
        END;
        $$ LANGUAGE plpgsql
    """)
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
               "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
    op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
               "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
