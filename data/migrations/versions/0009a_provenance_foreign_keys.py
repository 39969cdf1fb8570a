"""Provenance foreign keys on PostgreSQL.

The initial schema declared `collected_by_id -> users.id` (every record) and
`users.member_id -> members.id` with `use_alter=True` (users and the records refer to each other),
and `op.create_table` leaves such constraints out on PostgreSQL: they must be added by ALTER
afterwards, which 0001 never did (SQLite keeps them inline). tests/test_migrations.py found the
gap by comparing the migrated schema with the models.

Revision ID: 0009a_provenance_foreign_keys
"""
from alembic import op

revision = '0009a_provenance_foreign_keys'
down_revision = '0009_approval_opinions'
branch_labels = None
depends_on = None

#: the tables of 0001 carrying a `collected_by_id` (the `Provenance` mixin)
TABLES = ('account_requests', 'annual_checks', 'assets', 'bank_accounts', 'bank_statement_imports',
          'base_data_changes', 'collective_orgs', 'contracts', 'disclosures', 'households', 'meetings', 'members',
          'payment_requests', 'resolutions', 'resources', 'sharing_approvals', 'trade_listings', 'users',
          'village_profiles', 'vouchers')


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    for table in TABLES:
        op.create_foreign_key(f'fk_{table}_collected_by_id_users', table, 'users', ['collected_by_id'], ['id'])
    op.create_foreign_key('fk_users_member_id_members', 'users', 'members', ['member_id'], ['id'])


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    op.drop_constraint('fk_users_member_id_members', 'users', type_='foreignkey')
    for table in reversed(TABLES):
        op.drop_constraint(f'fk_{table}_collected_by_id_users', table, type_='foreignkey')
