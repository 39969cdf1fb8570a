"""operations: national syncs (Art. J26), backups and restore drills (Art. J37, X20–X21)

Revision ID: 0013_sync_backups
Revises: 0012_data_api
Create Date: 2026-12-01 19:00:00

`national_syncs` records every export to the national platform (who, when, year, region, files
and checksums, the validation report, status); `backups` every backup file with its manifest;
`restore_drills` every restore with its checks and result (data/models/ops.py).
"""
from alembic import op
import sqlalchemy as sa

import data.models.base

revision = '0013_sync_backups'
down_revision = '0012_data_api'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
WHEN = data.models.base.UTCDateTime(timezone=True)


def _record(table: str) -> list:
    """The Record mixin's columns (id, timestamps, version, provenance)."""
    return [sa.Column('id', ID, nullable=False),
            sa.Column('created_at', WHEN, nullable=False),
            sa.Column('updated_at', WHEN, nullable=False),
            sa.Column('version', sa.Integer(), nullable=False),
            sa.Column('provided_by', sa.String(length=100), nullable=True),
            sa.Column('responsible_by', sa.String(length=100), nullable=True),
            sa.Column('collected_by_id', ID, nullable=True),
            sa.ForeignKeyConstraint(['collected_by_id'], ['users.id'], name=op.f(f'fk_{table}_collected_by_id_users')),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}'))]


def upgrade() -> None:
    op.create_table('national_syncs',
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('scope_region', sa.BigInteger(), nullable=False),
    sa.Column('format_version', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('villages_total', sa.Integer(), nullable=False),
    sa.Column('villages_passed', sa.Integer(), nullable=False),
    sa.Column('villages_failed', sa.Integer(), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('package_name', sa.String(length=200), nullable=True),
    sa.Column('package_sha256', sa.String(length=64), nullable=True),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('by_id', ID, nullable=True),
    sa.Column('by_name', sa.String(length=64), nullable=False),
    sa.Column('at', WHEN, nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_national_syncs_by_id_users')),
    *_record('national_syncs'))
    op.create_table('backups',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('engine', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('check_result', sa.Text(), nullable=True),
    sa.Column('manifest', sa.JSON(), nullable=False),
    sa.Column('started_at', WHEN, nullable=False),
    sa.Column('finished_at', WHEN, nullable=True),
    sa.Column('by_id', ID, nullable=True),
    sa.Column('by_name', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_backups_by_id_users')),
    *_record('backups'))
    op.create_table('restore_drills',
    sa.Column('backup_id', ID, nullable=True),
    sa.Column('pre_backup_id', ID, nullable=True),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('started_at', WHEN, nullable=False),
    sa.Column('finished_at', WHEN, nullable=True),
    sa.Column('by_id', ID, nullable=True),
    sa.Column('by_name', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['backup_id'], ['backups.id'], name=op.f('fk_restore_drills_backup_id_backups')),
    sa.ForeignKeyConstraint(['pre_backup_id'], ['backups.id'], name=op.f('fk_restore_drills_pre_backup_id_backups')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_restore_drills_by_id_users')),
    *_record('restore_drills'))


def downgrade() -> None:
    op.drop_table('restore_drills')
    op.drop_table('backups')
    op.drop_table('national_syncs')
