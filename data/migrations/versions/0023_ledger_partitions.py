"""the ledger (voucher_lines) partitioned by year on PostgreSQL

On PostgreSQL `voucher_lines` becomes a declaratively partitioned table, RANGE on `period`
(yyyymm): one partition per year, `voucher_lines_y<yyyy>` FOR VALUES FROM (yyyy00) TO
((yyyy+1)00), for FIRST_YEAR..LAST_YEAR (widened to every year the existing lines have), plus
`voucher_lines_default` for any other period (a posting dated beyond LAST_YEAR still lands; a DBA
splits it out later, see README "Ledger partitions"). The existing lines move into their
partitions in the migration's transaction.

What partitioning changes, and how it is kept:
- A partitioned table's primary key must hold the partition key: the key is (id, period). `id`
  still comes from the same sequence (`voucher_lines_id_seq`, owned by the new column, so
  `pg_get_serial_sequence` and the bulk writers' `setval` keep working) and stays unique in
  practice; the ORM still identifies a line by `id` alone.
- No foreign key can point at a column set that is not unique on its own: the one pointing at
  voucher_lines (`bank_statement_lines.matched_line_id`) becomes two triggers with the same
  meaning (NO ACTION): a statement line may only name an existing voucher line, and a voucher
  line named by a statement line cannot be deleted or have its id changed.
- The foreign keys from voucher_lines (vouchers, bank_accounts), the checks and both indexes are
  declared on the parent and so exist on every partition, present and future.

SQLite is unchanged (it has no partitioning; the embedded deployment is one file anyway).

Revision ID: 0023_ledger_partitions
Revises: 0022_runtime
Create Date: 2026-12-02 05:45:00
"""
from alembic import op

revision = '0023_ledger_partitions'
down_revision = '0022_runtime'
branch_labels = None
depends_on = None

#: the yearly partitions made up front (a generous range around the platform's years)
FIRST_YEAR, LAST_YEAR = 2015, 2035
MATCH_FK = 'fk_bank_statement_lines_matched_line_id_voucher_lines'
COLUMNS = ("id, voucher_id, region_code, period, line_no, account_code, debit_fen, credit_fen, summary, "
           "counterparty, bank_account_id")


def _years() -> range:
    lo, hi = op.get_bind().exec_driver_sql("SELECT MIN(period) / 100, MAX(period) / 100 FROM voucher_lines").one()
    first = min(FIRST_YEAR, int(lo)) if lo is not None else FIRST_YEAR
    last = max(LAST_YEAR, int(hi)) if hi is not None else LAST_YEAR
    return range(max(first, 1), min(last, 9998) + 1)


def _keys_and_indexes(table: str, primary_key: str) -> None:
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_voucher_lines PRIMARY KEY ({primary_key})")
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT fk_voucher_lines_voucher_id_vouchers "
               "FOREIGN KEY (voucher_id) REFERENCES vouchers (id)")
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT fk_voucher_lines_bank_account_id_bank_accounts "
               "FOREIGN KEY (bank_account_id) REFERENCES bank_accounts (id)")
    op.execute(f"CREATE INDEX ix_voucher_lines_region_period ON {table} (region_code, period)")
    op.execute(f"CREATE INDEX ix_voucher_lines_voucher_id ON {table} (voucher_id)")


def _swap(new_table_ddl: str, after_create=None, primary_key: str = "id") -> None:
    """Replace voucher_lines by a new table (made by `new_table_ddl` from voucher_lines_old),
    its rows moved, its sequence, keys and indexes carried over."""
    op.execute(f"ALTER TABLE bank_statement_lines DROP CONSTRAINT IF EXISTS {MATCH_FK}")
    op.execute("ALTER TABLE voucher_lines RENAME TO voucher_lines_old")
    op.execute(new_table_ddl)
    if after_create:
        after_create()
    op.execute(f"INSERT INTO voucher_lines ({COLUMNS}) SELECT {COLUMNS} FROM voucher_lines_old")
    op.execute("ALTER SEQUENCE voucher_lines_id_seq OWNED BY voucher_lines.id")
    op.execute("DROP TABLE voucher_lines_old")
    _keys_and_indexes("voucher_lines", primary_key)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    years = _years()

    def partitions():
        for y in years:
            op.execute(f"CREATE TABLE voucher_lines_y{y:04d} PARTITION OF voucher_lines "
                       f"FOR VALUES FROM ({y * 100}) TO ({(y + 1) * 100})")
        op.execute("CREATE TABLE voucher_lines_default PARTITION OF voucher_lines DEFAULT")

    _swap("CREATE TABLE voucher_lines (LIKE voucher_lines_old INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
          "INCLUDING STORAGE) PARTITION BY RANGE (period)", partitions, primary_key="id, period")
    op.execute("ANALYZE voucher_lines")
    # bank_statement_lines.matched_line_id -> voucher_lines.id, as triggers (see the module's text)
    op.execute("""
CREATE FUNCTION bank_statement_lines_matched_line_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.matched_line_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM voucher_lines WHERE id = NEW.matched_line_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'fk_bank_statement_lines_matched_line_id_voucher_lines',
            MESSAGE = format('bank_statement_lines.matched_line_id %s: no such voucher line', NEW.matched_line_id);
    END IF;
    RETURN NEW;
END $$""")
    op.execute("CREATE TRIGGER matched_line_exists BEFORE INSERT OR UPDATE OF matched_line_id ON bank_statement_lines "
               "FOR EACH ROW EXECUTE FUNCTION bank_statement_lines_matched_line_exists()")
    op.execute("""
CREATE FUNCTION voucher_lines_matched_line_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.id <> OLD.id)
       AND EXISTS (SELECT 1 FROM bank_statement_lines WHERE matched_line_id = OLD.id) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'fk_bank_statement_lines_matched_line_id_voucher_lines',
            MESSAGE = format('voucher line %s is still matched by a bank statement line', OLD.id);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$""")
    op.execute("CREATE TRIGGER matched_line_kept BEFORE DELETE OR UPDATE OF id ON voucher_lines "
               "FOR EACH ROW EXECUTE FUNCTION voucher_lines_matched_line_kept()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS matched_line_exists ON bank_statement_lines")
    op.execute("DROP FUNCTION IF EXISTS bank_statement_lines_matched_line_exists()")
    op.execute("DROP TRIGGER IF EXISTS matched_line_kept ON voucher_lines")
    op.execute("DROP FUNCTION IF EXISTS voucher_lines_matched_line_kept()")
    _swap("CREATE TABLE voucher_lines (LIKE voucher_lines_old INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
          "INCLUDING STORAGE)")
    op.execute(f"ALTER TABLE bank_statement_lines ADD CONSTRAINT {MATCH_FK} "
               "FOREIGN KEY (matched_line_id) REFERENCES voucher_lines (id)")
