"""credit requests: applications, corrections, transfers

Revision ID: 0020_credit_requests
Revises: 0017_credit
Create Date: 2026-12-01 23:17:22.409583
"""
from alembic import op
import sqlalchemy as sa


revision = '0020_credit_requests'
down_revision = '0019_credit_uses'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('credit_applications',
    sa.Column('region_code', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('subject_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('applicant_unit', sa.String(length=100), nullable=True),
    sa.Column('applied_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.String(length=300), nullable=True),
    sa.Column('asked', sa.JSON(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('answer_due', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('decided_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('granted', sa.JSON(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('commitment_signed', sa.Boolean(), nullable=False),
    sa.Column('commitment_name', sa.String(length=50), nullable=True),
    sa.Column('commitment_on', sa.Date(), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('provided_by', sa.String(length=100), nullable=True),
    sa.Column('responsible_by', sa.String(length=100), nullable=True),
    sa.Column('collected_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['applied_by_id'], ['users.id'], name=op.f('fk_credit_applications_applied_by_id_users')),
    sa.ForeignKeyConstraint(['collected_by_id'], ['users.id'], name=op.f('fk_credit_applications_collected_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_credit_applications_decided_by_id_users')),
    sa.ForeignKeyConstraint(['subject_id'], ['credit_subjects.id'], name=op.f('fk_credit_applications_subject_id_credit_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_applications'))
    )
    with op.batch_alter_table('credit_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_applications_answer_due'), ['answer_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_applications_applicant_unit'), ['applicant_unit'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_applications_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_applications_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_applications_subject_id'), ['subject_id'], unique=False)

    op.create_table('credit_corrections',
    sa.Column('region_code', sa.BigInteger(), nullable=False),
    sa.Column('target_type', sa.String(length=8), nullable=False),
    sa.Column('target_ids', sa.JSON(), nullable=False),
    sa.Column('target_versions', sa.JSON(), nullable=False),
    sa.Column('subject_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('applicant_kind', sa.String(length=8), nullable=False),
    sa.Column('applied_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('ground', sa.String(length=2), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('major', sa.Boolean(), nullable=False),
    sa.Column('major_reason', sa.String(length=100), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('answer_due', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reviewed_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_opinion', sa.Text(), nullable=True),
    sa.Column('review_agrees', sa.Boolean(), nullable=True),
    sa.Column('decided_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('meeting_on', sa.Date(), nullable=True),
    sa.Column('minutes_ref', sa.String(length=100), nullable=True),
    sa.Column('decision_opinion', sa.Text(), nullable=True),
    sa.Column('bureau_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('bureau_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('bureau_opinion', sa.Text(), nullable=True),
    sa.Column('executed_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('executed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('provided_by', sa.String(length=100), nullable=True),
    sa.Column('responsible_by', sa.String(length=100), nullable=True),
    sa.Column('collected_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['applied_by_id'], ['users.id'], name=op.f('fk_credit_corrections_applied_by_id_users')),
    sa.ForeignKeyConstraint(['bureau_by_id'], ['users.id'], name=op.f('fk_credit_corrections_bureau_by_id_users')),
    sa.ForeignKeyConstraint(['collected_by_id'], ['users.id'], name=op.f('fk_credit_corrections_collected_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_credit_corrections_decided_by_id_users')),
    sa.ForeignKeyConstraint(['executed_by_id'], ['users.id'], name=op.f('fk_credit_corrections_executed_by_id_users')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_credit_corrections_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['subject_id'], ['credit_subjects.id'], name=op.f('fk_credit_corrections_subject_id_credit_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_corrections'))
    )
    with op.batch_alter_table('credit_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_corrections_answer_due'), ['answer_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_corrections_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_corrections_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_corrections_subject_id'), ['subject_id'], unique=False)

    op.create_table('credit_transfers',
    sa.Column('region_code', sa.BigInteger(), nullable=False),
    sa.Column('applied_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('data_range', sa.Text(), nullable=False),
    sa.Column('use_range', sa.Text(), nullable=False),
    sa.Column('confidentiality', sa.Text(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('internet', sa.Boolean(), nullable=False),
    sa.Column('justification', sa.Text(), nullable=True),
    sa.Column('desensitised', sa.Boolean(), nullable=False),
    sa.Column('encrypted', sa.Boolean(), nullable=False),
    sa.Column('device_model', sa.String(length=60), nullable=True),
    sa.Column('device_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('persons', sa.JSON(), nullable=False),
    sa.Column('commitment_signed', sa.Boolean(), nullable=False),
    sa.Column('commitment_name', sa.String(length=50), nullable=True),
    sa.Column('commitment_on', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('answer_due', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('prelim_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('prelim_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('prelim_opinion', sa.Text(), nullable=True),
    sa.Column('reviewed_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_opinion', sa.Text(), nullable=True),
    sa.Column('approved_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approve_opinion', sa.Text(), nullable=True),
    sa.Column('refused_at_step', sa.String(length=10), nullable=True),
    sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cleared_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('cleared_note', sa.String(length=300), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('provided_by', sa.String(length=100), nullable=True),
    sa.Column('responsible_by', sa.String(length=100), nullable=True),
    sa.Column('collected_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['applied_by_id'], ['users.id'], name=op.f('fk_credit_transfers_applied_by_id_users')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_credit_transfers_approved_by_id_users')),
    sa.ForeignKeyConstraint(['cleared_by_id'], ['users.id'], name=op.f('fk_credit_transfers_cleared_by_id_users')),
    sa.ForeignKeyConstraint(['collected_by_id'], ['users.id'], name=op.f('fk_credit_transfers_collected_by_id_users')),
    sa.ForeignKeyConstraint(['device_entry_id'], ['register_entries.id'], name=op.f('fk_credit_transfers_device_entry_id_register_entries')),
    sa.ForeignKeyConstraint(['prelim_by_id'], ['users.id'], name=op.f('fk_credit_transfers_prelim_by_id_users')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_credit_transfers_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_transfers'))
    )
    with op.batch_alter_table('credit_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_transfers_answer_due'), ['answer_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_transfers_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_transfers_status'), ['status'], unique=False)
        batch_op.create_index('ix_credit_transfers_status_due', ['status', 'answer_due'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('credit_transfers', schema=None) as batch_op:
        batch_op.drop_index('ix_credit_transfers_status_due')
        batch_op.drop_index(batch_op.f('ix_credit_transfers_status'))
        batch_op.drop_index(batch_op.f('ix_credit_transfers_region_code'))
        batch_op.drop_index(batch_op.f('ix_credit_transfers_answer_due'))

    op.drop_table('credit_transfers')
    with op.batch_alter_table('credit_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_corrections_subject_id'))
        batch_op.drop_index(batch_op.f('ix_credit_corrections_status'))
        batch_op.drop_index(batch_op.f('ix_credit_corrections_region_code'))
        batch_op.drop_index(batch_op.f('ix_credit_corrections_answer_due'))

    op.drop_table('credit_corrections')
    with op.batch_alter_table('credit_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_applications_subject_id'))
        batch_op.drop_index(batch_op.f('ix_credit_applications_status'))
        batch_op.drop_index(batch_op.f('ix_credit_applications_region_code'))
        batch_op.drop_index(batch_op.f('ix_credit_applications_applicant_unit'))
        batch_op.drop_index(batch_op.f('ix_credit_applications_answer_due'))

    op.drop_table('credit_applications')
