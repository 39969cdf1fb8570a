"""funds: bank account of a ledger line, approval date of a request, bank statement imports

Revision ID: 0006_funds
Revises: 0003
Create Date: 2026-11-23 13:10:00

`voucher_lines` can hold tens of millions of rows: its new column is added in place (nullable,
no table copy), never through a batch rebuild.
"""
from alembic import op
import sqlalchemy as sa
import data.models.base


revision = '0006_funds'
down_revision = '0003'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('bank_statement_imports',
    sa.Column('bank_account_id', ID, nullable=False),
    sa.Column('org_id', ID, nullable=False),
    sa.Column('region_code', sa.BigInteger(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('first_date', sa.Date(), nullable=False),
    sa.Column('last_date', sa.Date(), nullable=False),
    sa.Column('closing_balance_fen', sa.BigInteger(), nullable=True),
    sa.Column('imported_by_id', ID, nullable=False),
    sa.Column('id', ID, nullable=False),
    sa.Column('created_at', data.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', data.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('provided_by', sa.String(length=100), nullable=True),
    sa.Column('responsible_by', sa.String(length=100), nullable=True),
    sa.Column('collected_by_id', ID, nullable=True),
    sa.ForeignKeyConstraint(['bank_account_id'], ['bank_accounts.id'], name=op.f('fk_bank_statement_imports_bank_account_id_bank_accounts')),
    sa.ForeignKeyConstraint(['collected_by_id'], ['users.id'], name=op.f('fk_bank_statement_imports_collected_by_id_users'), use_alter=True),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_bank_statement_imports_imported_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['collective_orgs.id'], name=op.f('fk_bank_statement_imports_org_id_collective_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_statement_imports')),
    sa.UniqueConstraint('bank_account_id', 'sha256', name='uq_bank_statement_imports_account_sha256')
    )
    with op.batch_alter_table('bank_statement_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_statement_imports_bank_account_id'), ['bank_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_statement_imports_region_code'), ['region_code'], unique=False)

    with op.batch_alter_table('bank_statement_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_id', ID, nullable=True))
        batch_op.create_index(batch_op.f('ix_bank_statement_lines_import_id'), ['import_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_bank_statement_lines_import_id_bank_statement_imports'), 'bank_statement_imports', ['import_id'], ['id'])

    with op.batch_alter_table('payment_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_on', sa.Date(), nullable=True))

    fk = 'fk_voucher_lines_bank_account_id_bank_accounts'
    if op.get_bind().dialect.name == 'sqlite':  # ADD COLUMN with an inline reference: no table copy
        op.execute(f'ALTER TABLE voucher_lines ADD COLUMN bank_account_id INTEGER '
                   f'CONSTRAINT {fk} REFERENCES bank_accounts (id)')
    else:
        op.add_column('voucher_lines', sa.Column('bank_account_id', ID, nullable=True))
        op.create_foreign_key(fk, 'voucher_lines', 'bank_accounts', ['bank_account_id'], ['id'])


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':  # SQLite cannot drop a referencing column in place
        with op.batch_alter_table('voucher_lines', schema=None) as batch_op:
            batch_op.drop_column('bank_account_id')
    else:
        op.drop_constraint('fk_voucher_lines_bank_account_id_bank_accounts', 'voucher_lines', type_='foreignkey')
        op.drop_column('voucher_lines', 'bank_account_id')

    with op.batch_alter_table('payment_requests', schema=None) as batch_op:
        batch_op.drop_column('approved_on')

    with op.batch_alter_table('bank_statement_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_bank_statement_lines_import_id_bank_statement_imports'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_bank_statement_lines_import_id'))
        batch_op.drop_column('import_id')

    with op.batch_alter_table('bank_statement_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_statement_imports_region_code'))
        batch_op.drop_index(batch_op.f('ix_bank_statement_imports_bank_account_id'))

    op.drop_table('bank_statement_imports')
