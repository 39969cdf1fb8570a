"""meetings: who recorded a meeting, who confirmed it (a second person), and its status

Revision ID: 0007_meetings_confirm
Revises: 0005_contracts
Create Date: 2026-11-24 10:00:00

Existing meetings become `recorded` (not confirmed): nobody but their recorder has vouched for
them, so none is confirmed by the migration. Their resolutions stay cited where they are cited,
but a new act may cite them only once someone else (the supervisory chair, the township) has
confirmed the meeting. `recorded_by_id` is taken from the record's provenance (`collected_by_id`,
the user who entered it through the platform).
"""
from alembic import op
import sqlalchemy as sa
import data.models.base


revision = '0007_meetings_confirm'
down_revision = '0005_contracts'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=12), server_default='recorded', nullable=False))
        batch_op.add_column(sa.Column('recorded_by_id', ID, nullable=True))
        batch_op.add_column(sa.Column('confirmed_by_id', ID, nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', data.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('return_note', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_meetings_recorded_by_id_users'), 'users', ['recorded_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_meetings_confirmed_by_id_users'), 'users', ['confirmed_by_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_meetings_status'), "status IN ('recorded', 'confirmed', 'returned')")
    op.execute("UPDATE meetings SET recorded_by_id = collected_by_id")


def downgrade() -> None:
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_meetings_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_meetings_confirmed_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_meetings_recorded_by_id_users'), type_='foreignkey')
        batch_op.drop_column('return_note')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('recorded_by_id')
        batch_op.drop_column('status')
