"""credit repair: applications to end a dishonest record's effect (信用修复)

Revision ID: 0018_credit_repair
Revises: 0017_credit
Create Date: 2026-12-01 23:40:00

`credit_repairs` keeps each application: the record and subject, who applied and why (the
evidence files are attachments owned by the application), and the data unit's decision.
"""
from alembic import op
import sqlalchemy as sa


revision = '0018_credit_repair'
down_revision = '0017_credit'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'credit_repairs',
        sa.Column('record_id', ID, nullable=False),
        sa.Column('subject_id', ID, nullable=False),
        sa.Column('region_code', sa.BigInteger(), nullable=False),
        sa.Column('applied_by_id', ID, nullable=False),
        sa.Column('applied_at', TS, nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('decided_by_id', ID, nullable=True),
        sa.Column('decided_at', TS, nullable=True),
        sa.Column('decision_comment', sa.String(length=500), nullable=True),
        sa.Column('id', ID, nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('updated_at', TS, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('collected_by_id', ID, nullable=True),
        sa.Column('provided_by', sa.String(length=100), nullable=True),
        sa.Column('responsible_by', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(['record_id'], ['credit_records.id'], name=op.f('fk_credit_repairs_record_id_credit_records')),
        sa.ForeignKeyConstraint(['subject_id'], ['credit_subjects.id'],
                                name=op.f('fk_credit_repairs_subject_id_credit_subjects')),
        sa.ForeignKeyConstraint(['applied_by_id'], ['users.id'], name=op.f('fk_credit_repairs_applied_by_id_users')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_credit_repairs_decided_by_id_users')),
        sa.ForeignKeyConstraint(['collected_by_id'], ['users.id'], name=op.f('fk_credit_repairs_collected_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_repairs')),
    )
    op.create_index(op.f('ix_credit_repairs_record_id'), 'credit_repairs', ['record_id'], unique=False)
    op.create_index(op.f('ix_credit_repairs_subject_id'), 'credit_repairs', ['subject_id'], unique=False)
    op.create_index(op.f('ix_credit_repairs_region_code'), 'credit_repairs', ['region_code'], unique=False)
    op.create_index('uq_credit_repairs_open', 'credit_repairs', ['record_id'], unique=True,
                    sqlite_where=sa.text("status = 'submitted'"), postgresql_where=sa.text("status = 'submitted'"))


def downgrade() -> None:
    op.drop_index('uq_credit_repairs_open', table_name='credit_repairs')
    op.drop_index(op.f('ix_credit_repairs_region_code'), table_name='credit_repairs')
    op.drop_index(op.f('ix_credit_repairs_subject_id'), table_name='credit_repairs')
    op.drop_index(op.f('ix_credit_repairs_record_id'), table_name='credit_repairs')
    op.drop_table('credit_repairs')
