"""imports: the record of every import of historical data (Art. J18)

Revision ID: 0016_imports
Revises: 0015_disclosure_portal
Create Date: 2026-12-01 19:30:00

`data_imports` keeps who imported which file (name, size, SHA-256), of which kind, how many rows
and with which result (committed, rejected, refused). A partial unique index keeps a file from
being committed twice for the same kind.
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_imports'
down_revision = '0015_disclosure_portal'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'data_imports',
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('result', sa.String(length=12), nullable=False),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('region_code', sa.BigInteger(), nullable=False),
        sa.Column('imported_by_id', ID, nullable=False),
        sa.Column('detail', sa.JSON(), nullable=True),
        sa.Column('id', ID, nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('updated_at', TS, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('collected_by_id', ID, nullable=True),
        sa.Column('provided_by', sa.String(length=100), nullable=True),
        sa.Column('responsible_by', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_data_imports_imported_by_id_users')),
        sa.ForeignKeyConstraint(['collected_by_id'], ['users.id'], name=op.f('fk_data_imports_collected_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_imports')),
    )
    op.create_index(op.f('ix_data_imports_sha256'), 'data_imports', ['sha256'], unique=False)
    op.create_index(op.f('ix_data_imports_region_code'), 'data_imports', ['region_code'], unique=False)
    op.create_index('uq_data_imports_committed_file', 'data_imports', ['kind', 'sha256'], unique=True,
                    sqlite_where=sa.text("result = 'committed'"), postgresql_where=sa.text("result = 'committed'"))


def downgrade() -> None:
    op.drop_index('uq_data_imports_committed_file', table_name='data_imports')
    op.drop_index(op.f('ix_data_imports_region_code'), table_name='data_imports')
    op.drop_index(op.f('ix_data_imports_sha256'), table_name='data_imports')
    op.drop_table('data_imports')
