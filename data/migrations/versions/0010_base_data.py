"""base data (Art. J11–J14): collective land by type on the village profile, the changes and
corrections of level-1 base data with before/after values, and who ended a region's trial period

Revision ID: 0010_base_data
Revises: 0009a_provenance_foreign_keys
Create Date: 2026-12-02 19:00:00

`village_profiles` gains the land types besides 耕地 (`farmland_mu`): 园地, 林地, 草地, 养殖水面,
四荒地, 集体建设用地, in mu as NUMERIC(14, 2). `base_data_changes` had no writer before this
revision; it is recreated in its new shape: the region it belongs to, before/after values as
JSON, the profile version the proposer read, the correction's evidence, the decision with its
opinion, the filing (备案) and a revocation (who, when, why). `regions` records when and by whom
the province ended the trial period (`base_data_locked` itself is older).
"""
from alembic import op
import sqlalchemy as sa
import data.models.base


revision = '0010_base_data'
down_revision = '0009a_provenance_foreign_keys'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
LAND = ('garden_mu', 'forest_mu', 'grassland_mu', 'water_mu', 'wasteland_mu', 'construction_mu')
WHEN = data.models.base.UTCDateTime(timezone=True)


def _record_columns():
    return [sa.Column('id', ID, nullable=False), sa.Column('created_at', WHEN, nullable=False),
            sa.Column('updated_at', WHEN, nullable=False), sa.Column('version', sa.Integer(), nullable=False),
            sa.Column('provided_by', sa.String(length=100), nullable=True),
            sa.Column('responsible_by', sa.String(length=100), nullable=True),
            sa.Column('collected_by_id', ID, nullable=True)]


def upgrade() -> None:
    with op.batch_alter_table('village_profiles', schema=None) as batch_op:
        for name in LAND:
            batch_op.add_column(sa.Column(name, sa.Numeric(precision=14, scale=2), server_default='0', nullable=False))
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('base_data_locked_at', WHEN, nullable=True))
        batch_op.add_column(sa.Column('base_data_locked_by_id', ID, nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_regions_base_data_locked_by_id_users'), 'users',
                                    ['base_data_locked_by_id'], ['id'])
    with op.batch_alter_table('base_data_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_base_data_changes_org_id'))
    op.drop_table('base_data_changes')
    op.create_table(
        'base_data_changes',
        sa.Column('org_id', ID, nullable=False),
        sa.Column('region_code', sa.BigInteger(), nullable=False),
        sa.Column('is_correction', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('before', sa.JSON(), nullable=False),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.Column('profile_version', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=True),
        sa.Column('proposed_by_id', ID, nullable=False),
        sa.Column('decided_by_id', ID, nullable=True),
        sa.Column('decided_at', WHEN, nullable=True),
        sa.Column('opinion', sa.String(length=500), nullable=True),
        sa.Column('filed_with', sa.String(length=40), nullable=True),
        sa.Column('filed_at', WHEN, nullable=True),
        sa.Column('revoked_by_id', ID, nullable=True),
        sa.Column('revoked_at', WHEN, nullable=True),
        sa.Column('revoke_reason', sa.String(length=500), nullable=True),
        *_record_columns(),
        sa.ForeignKeyConstraint(['collected_by_id'], ['users.id'], name=op.f('fk_base_data_changes_collected_by_id_users')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_base_data_changes_decided_by_id_users')),
        sa.ForeignKeyConstraint(['org_id'], ['collective_orgs.id'], name=op.f('fk_base_data_changes_org_id_collective_orgs')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_base_data_changes_proposed_by_id_users')),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_base_data_changes_revoked_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_base_data_changes')),
    )
    with op.batch_alter_table('base_data_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_base_data_changes_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_base_data_changes_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_base_data_changes_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('base_data_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_base_data_changes_status'))
        batch_op.drop_index(batch_op.f('ix_base_data_changes_region_code'))
        batch_op.drop_index(batch_op.f('ix_base_data_changes_org_id'))
    op.drop_table('base_data_changes')
    op.create_table(
        'base_data_changes',
        sa.Column('org_id', ID, nullable=False),
        sa.Column('field', sa.String(length=40), nullable=False),
        sa.Column('old_value', sa.String(length=200), nullable=True),
        sa.Column('new_value', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('is_correction', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('proposed_by_id', ID, nullable=False),
        sa.Column('decided_by_id', ID, nullable=True),
        sa.Column('decided_at', WHEN, nullable=True),
        *_record_columns(),
        sa.ForeignKeyConstraint(['collected_by_id'], ['users.id'], name=op.f('fk_base_data_changes_collected_by_id_users')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_base_data_changes_decided_by_id_users')),
        sa.ForeignKeyConstraint(['org_id'], ['collective_orgs.id'], name=op.f('fk_base_data_changes_org_id_collective_orgs')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_base_data_changes_proposed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_base_data_changes')),
    )
    with op.batch_alter_table('base_data_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_base_data_changes_org_id'), ['org_id'], unique=False)
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_regions_base_data_locked_by_id_users'), type_='foreignkey')
        batch_op.drop_column('base_data_locked_by_id')
        batch_op.drop_column('base_data_locked_at')
    with op.batch_alter_table('village_profiles', schema=None) as batch_op:
        for name in reversed(LAND):
            batch_op.drop_column(name)
