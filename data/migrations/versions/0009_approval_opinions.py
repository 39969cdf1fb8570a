"""approvals: the opinion (审批意见) of each approval step, the submission token that makes a
double-clicked payment request one request, and the opinion of a sharing decision

Revision ID: 0009_approval_opinions
Revises: 0008_audit_append_only
Create Date: 2026-12-02 10:00:00

`payment_requests.opinion` holds the opinion of the request's latest step (approval, rejection,
withdrawal); the record history keeps every step's. `payment_requests.submission_token` is the
token the request form generates once per filled form: a second submit with the same token
returns the first request instead of filing another (unique; NULL for requests filed before).
`sharing_approvals.decision_comment` and `decided_by_id` record who decided a sharing request
and with which opinion (a rejection's reason).
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_approval_opinions'
down_revision = '0008_audit_append_only'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('payment_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opinion', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('submission_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_payment_requests_submission_token'), ['submission_token'])
    with op.batch_alter_table('sharing_approvals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_comment', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', ID, nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_sharing_approvals_decided_by_id_users'), 'users',
                                    ['decided_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('sharing_approvals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sharing_approvals_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('decision_comment')
    with op.batch_alter_table('payment_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_payment_requests_submission_token'), type_='unique')
        batch_op.drop_column('submission_token')
        batch_op.drop_column('opinion')
