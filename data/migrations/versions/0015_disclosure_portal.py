"""disclosure (阳光公开): the workflow of a financial disclosure and members' questions

Revision ID: 0015_disclosure_portal
Revises: 0014_calendar_registers
Create Date: 2026-12-01 19:00:00

`disclosures` gains its workflow: kind (quarter / month / major), state (draft → reviewed →
approved → published, or returned; rows disclosed before this revision are published), notes,
who prepared, reviewed (the oversight group's names and opinion), decided and published it, and
`corrects_id`, the published disclosure a correction corrects. `disclosure_questions` keeps a
member's question about a published disclosure and the village's answer.
"""
from alembic import op
import sqlalchemy as sa

import data.models.base

revision = '0015_disclosure_portal'
down_revision = '0014_calendar_registers'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = data.models.base.UTCDateTime(timezone=True)
PEOPLE = ('prepared_by_id', 'reviewed_by_id', 'decided_by_id', 'published_by_id')


def upgrade() -> None:
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='quarter', nullable=False))
        batch_op.add_column(sa.Column('state', sa.String(length=20), server_default='published', nullable=False))
        batch_op.add_column(sa.Column('notes', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('prepared_by_id', ID, nullable=True))
        batch_op.add_column(sa.Column('reviewers', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('review_opinion', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', ID, nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', TS, nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', ID, nullable=True))
        batch_op.add_column(sa.Column('decision_opinion', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('decided_at', TS, nullable=True))
        batch_op.add_column(sa.Column('published_by_id', ID, nullable=True))
        batch_op.add_column(sa.Column('published_at', TS, nullable=True))
        batch_op.add_column(sa.Column('corrects_id', ID, nullable=True))
        for col in PEOPLE:
            batch_op.create_foreign_key(batch_op.f(f'fk_disclosures_{col}_users'), 'users', [col], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_disclosures_corrects_id_disclosures'), 'disclosures',
                                    ['corrects_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_disclosures_corrects_id'), ['corrects_id'], unique=False)
    op.create_table('disclosure_questions',
    sa.Column('disclosure_id', ID, nullable=False),
    sa.Column('org_id', ID, nullable=False),
    sa.Column('region_code', sa.BigInteger(), nullable=False),
    sa.Column('member_id', ID, nullable=False),
    sa.Column('asked_by_id', ID, nullable=False),
    sa.Column('question', sa.String(length=500), nullable=False),
    sa.Column('asked_at', TS, nullable=False),
    sa.Column('answer', sa.String(length=1000), nullable=True),
    sa.Column('answered_by_id', ID, nullable=True),
    sa.Column('answered_at', TS, nullable=True),
    sa.Column('id', ID, nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('updated_at', TS, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('provided_by', sa.String(length=100), nullable=True),
    sa.Column('responsible_by', sa.String(length=100), nullable=True),
    sa.Column('collected_by_id', ID, nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_disclosure_questions_answered_by_id_users')),
    sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'], name=op.f('fk_disclosure_questions_asked_by_id_users')),
    sa.ForeignKeyConstraint(['collected_by_id'], ['users.id'], name=op.f('fk_disclosure_questions_collected_by_id_users')),
    sa.ForeignKeyConstraint(['disclosure_id'], ['disclosures.id'],
                            name=op.f('fk_disclosure_questions_disclosure_id_disclosures')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_disclosure_questions_member_id_members')),
    sa.ForeignKeyConstraint(['org_id'], ['collective_orgs.id'], name=op.f('fk_disclosure_questions_org_id_collective_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_questions'))
    )
    with op.batch_alter_table('disclosure_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_questions_disclosure_id'), ['disclosure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosure_questions_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosure_questions_region_code'), ['region_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('disclosure_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_questions_region_code'))
        batch_op.drop_index(batch_op.f('ix_disclosure_questions_member_id'))
        batch_op.drop_index(batch_op.f('ix_disclosure_questions_disclosure_id'))
    op.drop_table('disclosure_questions')
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosures_corrects_id'))
        batch_op.drop_constraint(batch_op.f('fk_disclosures_corrects_id_disclosures'), type_='foreignkey')
        for col in reversed(PEOPLE):
            batch_op.drop_constraint(batch_op.f(f'fk_disclosures_{col}_users'), type_='foreignkey')
        for col in ('corrects_id', 'published_at', 'published_by_id', 'decided_at', 'decision_opinion',
                    'decided_by_id', 'reviewed_at', 'reviewed_by_id', 'review_opinion', 'reviewers',
                    'prepared_by_id', 'notes', 'state', 'kind'):
            batch_op.drop_column(col)
