"""contracts: termination date and reason; resource areas exact to 0.0001 mu

Revision ID: 0005_contracts
Revises: 0006_funds
Create Date: 2026-11-23 13:30:00

Both changes are in place: two nullable columns added to `contracts`, and `resources.area_mu`
widened from NUMERIC(14,2) to NUMERIC(16,4) on PostgreSQL (a widening, no value changes). SQLite
keeps the column as it is: its NUMERIC affinity already holds four decimals and the model's scale
decides what is read back.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_contracts'
down_revision = '0006_funds'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('contracts', sa.Column('terminated_on', sa.Date(), nullable=True))
    op.add_column('contracts', sa.Column('termination_reason', sa.String(length=500), nullable=True))
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column('resources', 'area_mu', type_=sa.Numeric(precision=16, scale=4),
                        existing_type=sa.Numeric(precision=14, scale=2), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column('resources', 'area_mu', type_=sa.Numeric(precision=14, scale=2),
                        existing_type=sa.Numeric(precision=16, scale=4), existing_nullable=False)
    with op.batch_alter_table('contracts') as batch:
        batch.drop_column('termination_reason')
        batch.drop_column('terminated_on')
