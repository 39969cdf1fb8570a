"""calendar and registers: the working-day calendar's entered schedules; the security registers
(data-security incidents, data destruction, maintenance access, connected devices) and their trail

Revision ID: 0014_calendar_registers
Revises: 0013_sync_backups
Create Date: 2026-12-01 19:00:00

`work_calendar_schedules` is append-only: each save of a year's State Council schedule is a new
revision (unique per year); the highest is in force, and the largest id is the version the app
processes compare to know whether to reload. `register_entries` holds the four registers' records
(`kind`), `register_steps` each step of their trail.
"""
from alembic import op
import sqlalchemy as sa

import data.models.base


revision = '0014_calendar_registers'
down_revision = '0013_sync_backups'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TIME = data.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('work_calendar_schedules',
    sa.Column('id', ID, nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('holidays', sa.JSON(), nullable=False),
    sa.Column('makeup_days', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('entered_by_id', ID, nullable=True),
    sa.Column('entered_by', sa.String(length=100), nullable=True),
    sa.Column('entered_at', TIME, nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_work_calendar_schedules_entered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_calendar_schedules')),
    sa.UniqueConstraint('year', 'revision', name='uq_work_calendar_schedules_year_revision'),
    )
    op.create_table('register_entries',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('region_code', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=True),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('pending_by_id', ID, nullable=True),
    sa.Column('id', ID, nullable=False),
    sa.Column('created_at', TIME, nullable=False),
    sa.Column('updated_at', TIME, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('provided_by', sa.String(length=100), nullable=True),
    sa.Column('responsible_by', sa.String(length=100), nullable=True),
    sa.Column('collected_by_id', ID, nullable=True),
    sa.ForeignKeyConstraint(['pending_by_id'], ['users.id'], name=op.f('fk_register_entries_pending_by_id_users')),
    sa.ForeignKeyConstraint(['collected_by_id'], ['users.id'], name=op.f('fk_register_entries_collected_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_entries')),
    )
    op.create_index('ix_register_entries_kind_region', 'register_entries', ['kind', 'region_code'], unique=False)
    op.create_table('register_steps',
    sa.Column('id', ID, nullable=False),
    sa.Column('entry_id', ID, nullable=False),
    sa.Column('step', sa.String(length=30), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('by_id', ID, nullable=True),
    sa.Column('by_name', sa.String(length=100), nullable=True),
    sa.Column('at', TIME, nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_register_steps_by_id_users')),
    sa.ForeignKeyConstraint(['entry_id'], ['register_entries.id'], name=op.f('fk_register_steps_entry_id_register_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_steps')),
    )
    op.create_index(op.f('ix_register_steps_entry_id'), 'register_steps', ['entry_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_register_steps_entry_id'), table_name='register_steps')
    op.drop_table('register_steps')
    op.drop_index('ix_register_entries_kind_region', table_name='register_entries')
    op.drop_table('register_entries')
    op.drop_table('work_calendar_schedules')
