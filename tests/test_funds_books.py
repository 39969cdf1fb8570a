"""Funds books (issue 5, item 1): manual vouchers on the village chart, month close, account
balances and level-2 base data derived from the books, bank statement import with reconciliation.
Every refusal says why in Chinese and leaves the database as it was (the forms: test_funds_books_ui.py)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data.db import transaction
from data.errors import AccountError, StaleEdit
from data.funds import books, closing, statements, vouchers
from data.funds.requests import post
from data.models import AuditLog, BankAccount, BankStatementLine, Voucher, VoucherLine
from domain.funds import statements as statement_rules
from domain.funds.chart import CHART
from domain.funds.vouchers import LineDraft, VoucherDraft
from domain.permissions import PermissionDenied, Scope, role_perms
from tests.conftest import TODAY, make_settings
from tests.support.funds import actor, approved_request, outsider, own_database, snapshot, version, village_org

OCT = 202610


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """A database of its own: these tests post vouchers and close months."""
    return own_database(tmp_path_factory, "funds-books")


def voucher(day, summary, *lines):
    """lines: (account choice, debit text, credit text)."""
    return VoucherDraft(date=day, summary=summary, lines=tuple(LineDraft(a, d, c) for a, d, c in lines))


def org_and_bank(settings):
    return village_org(settings, actor(settings, "demo-village").scope.root)


def village_scope(village: int) -> Scope:
    """What the village's secretary sees on the cockpit."""
    return Scope(root=village, perms=role_perms("village_secretary"), role="village_secretary")


def ledger_sums(settings, org_id, *where) -> dict[int, int]:
    """account -> debit − credit of an organisation's lines, straight from the table."""
    with transaction(settings.database_url) as s:
        q = (select(VoucherLine.account_code, func.sum(VoucherLine.debit_fen) - func.sum(VoucherLine.credit_fen))
             .join(Voucher, Voucher.id == VoucherLine.voucher_id).where(Voucher.org_id == org_id, *where)
             .group_by(VoucherLine.account_code))
        return {int(a): int(v) for a, v in s.execute(q)}


# ---------------------------------------------------------------- the chart

def test_fundsbooks001_the_chart_holds_the_42_accounts_and_each_rolls_up_into_one_measure():
    from domain.accounting import MEASURES

    assert len(CHART) == 42
    by_category = {c: sum(1 for a in CHART.values() if a.category == c) for c in
                   ("asset", "liability", "equity", "cost", "income", "expense")}
    assert by_category == {"asset": 19, "liability": 8, "equity": 4, "cost": 1, "income": 4, "expense": 6}
    assert {a.code for a in CHART.values() if a.category == "asset" and a.normal == "credit"} == {133, 152, 162}
    for code in CHART:
        assert sum(code in m.accounts for m in MEASURES) == 1, code


# ---------------------------------------------------------------- manual vouchers

def test_fundsbooks002_a_balanced_manual_voucher_is_posted_and_the_cockpit_picks_it_up(db):
    from data.query import QueryLayer

    accountant = actor(db, "demo-township")
    org_id, bank_id = org_and_bank(db)
    village = actor(db, "demo-village").scope.root
    ql = QueryLayer(db, today=TODAY).load()
    scope = village_scope(village)
    before = ql.kpis(scope, village)
    vid = vouchers.post_voucher(db.database_url, db.audit_key, accountant, org_id,
                             voucher(TODAY, "支付村部电费", ("513", "100.00", ""), ("514", "23.45", ""),
                                     (f"102:{bank_id}", "", "123.45")), TODAY)
    with transaction(db.database_url) as s:
        v = s.get(Voucher, vid)
        lines = [(ln.account_code, ln.debit_fen, ln.credit_fen, ln.bank_account_id) for ln in v.lines]
        assert (v.source, v.period, v.posted_by_id) == ("manual", 202611, accountant.user_id)
    assert lines == [(513, 10000, 0, None), (514, 2345, 0, None), (102, 0, 12345, bank_id)]
    assert ql.refresh() == 3  # incrementally, the new lines only
    after = ql.kpis(scope, village)
    assert after["bank"] == before["bank"] - 12345
    assert after["expense_admin"] == before["expense_admin"] + 10000
    with transaction(db.database_url) as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.description.contains("录入记账凭证"), AuditLog.actor == "demo-township")) == 1


@pytest.mark.parametrize("lines, field, message", [
    ([("513", "100.00", ""), ("102", "", "99.99")], "lines", "借贷不平衡：借方合计 100.00 元，贷方合计 99.99 元"),
    ([("513", "-5", ""), ("102", "", "5")], "line-1", "第1行：金额须大于0"),
    ([("513", "abc", ""), ("102", "", "5")], "line-1", "第1行：金额须为数字"),
    ([("513", "5", ""), ("999", "", "5")], "line-2", "第2行：科目“999”不在村集体经济组织会计科目表中"),
    ([("513", "5", "5"), ("102", "", "5")], "line-1", "第1行：借方、贷方金额须填且只填一个"),
    ([("513", "5", "")], "lines", "凭证至少需要2行分录"),
    ([("513", "0.001", ""), ("102", "", "0.001")], "line-1", "第1行：金额最多两位小数（精确到分）"),
])
def test_fundsbooks003_a_wrong_voucher_is_refused_and_nothing_is_written(db, lines, field, message):
    org_id, _ = org_and_bank(db)
    before = snapshot(db)
    with pytest.raises(AccountError) as exc:
        vouchers.post_voucher(db.database_url, db.audit_key, actor(db, "demo-township"), org_id,
                           voucher(TODAY, "测试", *lines), TODAY)
    assert exc.value.errors[field] == message
    assert snapshot(db) == before


def test_fundsbooks004_voucher_date_summary_and_foreign_bank_account_are_checked_together(db):
    org_id, _ = org_and_bank(db)
    with transaction(db.database_url) as s:  # a bank account of another village
        other = s.scalar(select(BankAccount.id).where(BankAccount.org_id != org_id, BankAccount.kind == "bank"))
    before = snapshot(db)
    with pytest.raises(AccountError) as exc:
        vouchers.post_voucher(db.database_url, db.audit_key, actor(db, "demo-township"), org_id,
                           voucher(TODAY + dt.timedelta(days=1), " ", ("513", "5", ""), (f"102:{other}", "", "5")),
                           TODAY)
    assert exc.value.errors == {"date": "凭证日期不能晚于今天", "summary": "请填写摘要",
                                "line-2": "第2行：请选择本组织的银行存款账户"}
    assert snapshot(db) == before


def test_fundsbooks005_only_the_township_accountant_enters_vouchers(db):
    org_id, _ = org_and_bank(db)
    before = snapshot(db)
    for username in ("demo-village", "demo-secretary", "demo-township-head"):
        with pytest.raises(PermissionDenied, match="只有乡镇代理会计可以记账"):
            vouchers.post_voucher(db.database_url, db.audit_key, actor(db, username), org_id,
                               voucher(TODAY, "测试", ("513", "5", ""), ("102", "", "5")), TODAY)
    assert snapshot(db) == before


# ---------------------------------------------------------------- month close

def test_fundsbooks006_month_close_blocks_postings_until_the_township_head_reopens_it(db):
    url, key = db.database_url, db.audit_key
    accountant, cashier, head = actor(db, "demo-township"), actor(db, "demo-village"), actor(db, "demo-township-head")
    org_id, _ = org_and_bank(db)
    rid = approved_request(db, dt.date(2026, 10, 15), dt.date(2026, 10, 16))
    before = snapshot(db)
    with pytest.raises(AccountError) as exc:  # an approved request of October is still waiting
        closing.close_period(url, key, accountant, org_id, OCT, TODAY)
    assert exc.value.errors["period"] == f"2026年10月尚有 1 笔已审批未记账的收付款申请（#{rid}），请先记账再结账"
    with pytest.raises(PermissionDenied, match="只有乡镇代理会计可以结账"):
        closing.close_period(url, key, cashier, org_id, OCT, TODAY)
    with pytest.raises(AccountError, match="不能结账尚未到来的月份"):
        closing.close_period(url, key, accountant, org_id, 202612, TODAY)
    assert snapshot(db) == before

    post(url, key, accountant, rid, version(db, rid), dt.date(2026, 10, 20), today=TODAY)
    closing.close_period(url, key, accountant, org_id, OCT, TODAY)
    closes = closing.period_closes(url, accountant, org_id)
    assert [(c["period"], c["status"]) for c in closes] == [(OCT, "closed")]
    with pytest.raises(AccountError, match="2026年10月已结账"):
        closing.close_period(url, key, accountant, org_id, OCT, TODAY)

    # nothing more enters October: neither a manual voucher nor a request's posting
    late = approved_request(db, dt.date(2026, 10, 18), dt.date(2026, 10, 19))
    before = snapshot(db)
    closed = "2026年10月已结账，不能记入该月；请选择未结账月份的日期"
    with pytest.raises(AccountError) as exc:
        vouchers.post_voucher(url, key, accountant, org_id, voucher(dt.date(2026, 10, 25), "补记十月费用",
                                                                 ("513", "8.00", ""), ("101", "", "8.00")), TODAY)
    assert exc.value.errors == {"date": closed}
    with pytest.raises(AccountError) as exc:
        post(url, key, accountant, late, version(db, late), dt.date(2026, 10, 28), today=TODAY)
    assert exc.value.errors == {"posting_date": closed}
    assert snapshot(db) == before

    # reopening: a township leader with a reason, on the row as it was read
    row = closes[0]
    for who, error, message in ((accountant, PermissionDenied, "反结账须由乡镇主要领导审批"),
                                (cashier, PermissionDenied, "反结账须由乡镇主要领导审批")):
        with pytest.raises(error, match=message):
            closing.reopen_period(url, key, who, row["id"], row["version"], "补记漏记费用")
    with pytest.raises(AccountError, match="请填写反结账原因"):
        closing.reopen_period(url, key, head, row["id"], row["version"], " ")
    with pytest.raises(StaleEdit, match="已被他人修改"):
        closing.reopen_period(url, key, head, row["id"], row["version"] - 1, "补记漏记费用")
    assert snapshot(db) == before
    closing.reopen_period(url, key, head, row["id"], row["version"], "补记漏记费用")
    with transaction(url) as s:
        logged = s.scalar(select(AuditLog.description).where(AuditLog.actor == "demo-township-head",
                                                             AuditLog.description.contains("反结账")))
    assert logged.endswith("2026年10月，原因：补记漏记费用")
    assert closing.period_closes(url, accountant, org_id)[0]["status"] == "reopened"
    vouchers.post_voucher(url, key, accountant, org_id, voucher(dt.date(2026, 10, 25), "补记十月费用",
                                                             ("513", "8.00", ""), ("101", "", "8.00")), TODAY)
    with pytest.raises(AccountError, match=f"#{late}"):  # the late request keeps the month open until posted
        closing.close_period(url, key, accountant, org_id, OCT, TODAY)
    post(url, key, accountant, late, version(db, late), dt.date(2026, 10, 28), today=TODAY)
    closing.close_period(url, key, accountant, org_id, OCT, TODAY)  # and closed again
    assert closing.period_closes(url, accountant, org_id)[0]["status"] == "closed"


# ---------------------------------------------------------------- balances and level-2 base data

def test_fundsbooks007_account_balances_and_level2_figures_equal_the_books(db):
    from data.query import QueryLayer

    org_id, bank_id = org_and_bank(db)
    cashier = actor(db, "demo-village")
    sums = ledger_sums(db, org_id)
    balances = {a["ledger_code"]: a["balance_fen"] for a in books.account_balances(db.database_url, cashier, org_id)}
    assert balances == {101: sums[101], 102: sums[102]}
    fig = books.level2(db.database_url, cashier, org_id)
    assets = sum(v for a, v in sums.items() if CHART[a].category == "asset")  # contra accounts carry credit balances
    assert fig["deposits"] == sums[101] + sums[102] and fig["cash"] == sums[101]
    assert fig["claims"] == sums.get(112, 0) + sums.get(113, 0)
    assert fig["debts"] == -sum(v for a, v in sums.items() if CHART[a].category == "liability")
    assert fig["total_assets"] == assets and fig["total_assets"] > 0
    # the dashboards' query layer (a different path: roll-ups by region) says the same for the village
    village = cashier.scope.root
    k = QueryLayer(db, today=TODAY).load().kpis(village_scope(village), village)
    assert (k["cash"] + k["bank"], k["receivables"], k["liabilities"], k["total_assets"]) == \
        (fig["deposits"], fig["claims"], fig["debts"], fig["total_assets"])
    # up to a month: only the lines of that month and before
    sept = ledger_sums(db, org_id, VoucherLine.period <= 202609)
    assert books.level2(db.database_url, cashier, org_id, 202609)["deposits"] == sept[101] + sept[102]


def test_fundsbooks008_a_second_bank_account_keeps_its_own_balance(db):
    url = db.database_url
    org_id, bank_id = org_and_bank(db)
    accountant = actor(db, "demo-township")
    with transaction(url) as s:
        second = BankAccount(org_id=org_id, kind="bank", name="专项资金户", bank_name="农商银行", account_no="62210001",
                             ledger_code=102)
        s.add(second)
        s.flush()
        second_id = second.id
    before = {a["id"]: a["balance_fen"] for a in books.account_balances(url, accountant, org_id)}
    assert before[second_id] == 0  # the ledger's older 102 lines stay with the first bank account
    options = books.account_options(url, accountant, org_id)
    assert {"label": "102 银行存款 · 专项资金户", "value": f"102:{second_id}"} in options
    vouchers.post_voucher(url, db.audit_key, accountant, org_id,
                       voucher(TODAY, "收到专项补助", (f"102:{second_id}", "500.00", ""), ("503", "", "500.00")), TODAY)
    after = {a["id"]: a["balance_fen"] for a in books.account_balances(url, accountant, org_id)}
    assert after[second_id] == 50000 and after[bank_id] == before[bank_id]
    banks = [a for a in books.account_balances(url, accountant, org_id) if a["ledger_code"] == 102]
    assert sum(a["balance_fen"] for a in banks) == ledger_sums(db, org_id)[102] == \
        books.level2(url, accountant, org_id)["bank"]


def test_fundsbooks009_opening_an_account_checks_everything_at_once_and_starts_at_zero(db):
    url, key = db.database_url, db.audit_key
    org_id, _ = org_and_bank(db)
    accountant = actor(db, "demo-township")
    before = snapshot(db), len(books.account_balances(url, accountant, org_id))
    with pytest.raises(AccountError) as exc:
        books.open_account(url, key, accountant, org_id, "bank", " ", "", "6222-abc")
    assert exc.value.errors == {"name": "请填写账户名称", "bank_name": "请填写开户行",
                                "account_no": "银行账号应为8至32位数字"}
    with pytest.raises(AccountError, match="本组织已有库存现金账户"):
        books.open_account(url, key, accountant, org_id, "cash", "备用金", None, None)
    with pytest.raises(PermissionDenied, match="只有乡镇代理会计可以登记账户"):
        books.open_account(url, key, actor(db, "demo-village"), org_id, "bank", "新户", "农业银行", "62220000111")
    assert (snapshot(db), len(books.account_balances(url, accountant, org_id))) == before
    new_id = books.open_account(url, key, accountant, org_id, "bank", "土地补偿款专户", "农业银行", "6222 0000 1111 2222")
    row = next(a for a in books.account_balances(url, accountant, org_id) if a["id"] == new_id)
    assert (row["account_no"], row["ledger_code"], row["balance_fen"]) == ("6222000011112222", 102, 0)
    with pytest.raises(AccountError, match="本组织已登记该银行账号"):
        books.open_account(url, key, accountant, org_id, "bank", "重复", "农业银行", "6222000011112222")


def test_fundsbooks010_books_outside_the_jurisdiction_are_refused(db):
    org_id, bank_id = org_and_bank(db)
    stranger = outsider(db)
    for read in (lambda: books.account_balances(db.database_url, stranger, org_id),
                 lambda: books.level2(db.database_url, stranger, org_id),
                 lambda: vouchers.vouchers(db.database_url, stranger, org_id),
                 lambda: closing.period_closes(db.database_url, stranger, org_id),
                 lambda: statements.statement_imports(db.database_url, stranger, bank_id)):
        with pytest.raises(PermissionError, match="不在您的管辖范围内"):
            read()
    before = snapshot(db)
    with pytest.raises(PermissionError, match="该集体经济组织不在您的管辖范围内"):
        vouchers.post_voucher(db.database_url, db.audit_key, stranger, org_id,
                              voucher(TODAY, "越权记账", ("513", "5", ""), ("101", "", "5")), TODAY)
    with pytest.raises(PermissionError, match="该账户不在您的管辖范围内"):
        statements.import_statement(db.database_url, db.audit_key, stranger, bank_id, "x.csv",
                                    "交易日期,金额\n2026-11-15,1\n".encode(), TODAY)
    assert snapshot(db) == before


# ---------------------------------------------------------------- bank statements

UTF8_CSV = """交易日期,金额,摘要
2026-11-01,-12.50,账户管理费
2026-11-03,"1,500.37",收到租金
2026-11-09,-320.45,办公用品
2026-11-10,88.88,结息
"""
GBK_CSV = """账号：6228480012345678
户名：测试村股份经济合作社
交易日期,摘要,借方发生额,贷方发生额,余额
2026/11/11,补助资金到账,,"2,000.19","2,000.19"
2026/11/12,经营支出,150.00,,"1,850.19"
2026/11/13,手续费,5.00,,"1,845.19"
"""


def test_fundsbooks011_statement_csv_is_parsed_exactly_in_utf8_and_gbk():
    rows, problems = statement_rules.parse_statement(UTF8_CSV.encode("utf-8-sig"), TODAY)
    assert problems == []
    assert [(r.row, r.date, r.amount_fen) for r in rows] == [
        (2, dt.date(2026, 11, 1), -1250), (3, dt.date(2026, 11, 3), 150037), (4, dt.date(2026, 11, 9), -32045),
        (5, dt.date(2026, 11, 10), 8888)]
    rows, problems = statement_rules.parse_statement(GBK_CSV.encode("gbk"), TODAY)
    assert problems == []
    assert [(r.row, r.amount_fen, r.balance_fen, r.description) for r in rows] == [
        (4, 200019, 200019, "补助资金到账"), (5, -15000, 185019, "经营支出"), (6, -500, 184519, "手续费")]
    bad = "交易日期,金额,摘要\n2026-11-01,10.00,好\n2026-13-01,5.00,坏日期\n2026-11-02,abc,坏金额\n2026-11-02,0,零\n"
    rows, problems = statement_rules.parse_statement(bad.encode("gbk"), TODAY)
    assert rows == [] and problems == ["第3行：日期“2026-13-01”无效", "第4行：金额“abc”不是数字", "第5行：金额为空或为0"]
    assert statement_rules.parse_statement(b"\xff\xfe\xff", TODAY)[1] == [
        "文件编码无法识别：请导出为 UTF-8 或 GBK 编码的 CSV 文件"]
    assert "缺少“金额”列" in statement_rules.parse_statement("交易日期,摘要\n2026-11-01,x\n".encode(), TODAY)[1][0]
    assert statement_rules.parse_statement("日期,金额\n2026-11-30,5\n".encode(), TODAY)[1] == ["第2行：日期晚于今天"]


def test_fundsbooks012_matching_pairs_same_amount_within_three_days_once():
    d = dt.date(2026, 11, 10)
    stmt = [(1, d, 500), (2, d, 500), (3, d, -500), (4, d, 700)]
    book = [(10, d + dt.timedelta(days=3), 500), (11, d - dt.timedelta(days=1), 500), (12, d, 500),
            (13, d, -500), (14, d + dt.timedelta(days=4), 700)]
    # nearest first: statement 1 takes 12 (same day), statement 2 takes 11 (one day); 700 is four days off
    assert statement_rules.match_statement(stmt, book) == {1: 12, 2: 11, 3: 13}


def test_fundsbooks013_statement_import_matches_the_books_and_reconciles(db):
    url, key = db.database_url, db.audit_key
    accountant = actor(db, "demo-township")
    org_id, bank_id = org_and_bank(db)
    bank = f"102:{bank_id}"
    vouchers.post_voucher(url, key, accountant, org_id, voucher(dt.date(2026, 11, 2), "收到租金",
                                                             (bank, "1,500.37", ""), ("501", "", "1,500.37")), TODAY)
    vouchers.post_voucher(url, key, accountant, org_id, voucher(dt.date(2026, 11, 5), "购买办公用品",
                                                             ("513", "320.45", ""), (bank, "", "320.45")), TODAY)
    imp, n, matched = statements.import_statement(url, key, accountant, bank_id, "十一月对账单.csv",
                                             UTF8_CSV.encode("utf-8"), TODAY)
    assert (n, matched) == (4, 1)  # the rent (one day apart); the 320.45 was booked four days before the bank
    r = statements.reconciliation(url, accountant, imp)
    assert [(m["amount_fen"], m["book_summary"]) for m in r["matched"]] == [(150037, "收到租金")]
    assert [x["amount_fen"] for x in r["unmatched_statement"]] == [-1250, -32045, 8888]
    assert -32045 in [b["amount_fen"] for b in r["unmatched_book"]]
    in_range = ledger_sums(db, org_id, VoucherLine.account_code == 102,
                           Voucher.date.between(dt.date(2026, 11, 1), dt.date(2026, 11, 10)))[102]
    assert sum(b["amount_fen"] for b in r["unmatched_book"]) == in_range - 150037
    assert (r["bank_in"], r["bank_out"]) == (8888, 1250 + 32045)
    assert r["statement_balance_derived"] and r["difference"] == 0
    # the fee is booked afterwards: matching again pairs it
    vouchers.post_voucher(url, key, accountant, org_id, voucher(dt.date(2026, 11, 1), "账户管理费",
                                                             ("513", "12.50", ""), (bank, "", "12.50")), TODAY)
    assert statements.rematch(url, key, accountant, imp) == 1
    r = statements.reconciliation(url, accountant, imp)
    assert len(r["matched"]) == 2 and r["difference"] == 0 and r["bank_out"] == 32045


def test_fundsbooks014_a_gbk_statement_with_the_banks_own_balance(db):
    url, key = db.database_url, db.audit_key
    accountant = actor(db, "demo-township")
    org_id, _ = org_and_bank(db)
    with transaction(url) as s:
        acct = BankAccount(org_id=org_id, kind="bank", name="一事一议资金户", bank_name="邮储银行", ledger_code=102)
        s.add(acct)
        s.flush()
        acct_id = acct.id
    vouchers.post_voucher(url, key, accountant, org_id, voucher(dt.date(2026, 11, 11), "补助资金到账",
                                                             (f"102:{acct_id}", "2,000.19", ""), ("503", "", "2,000.19")),
                       TODAY)
    vouchers.post_voucher(url, key, accountant, org_id, voucher(dt.date(2026, 11, 12), "经营支出",
                                                             ("511", "150.00", ""), (f"102:{acct_id}", "", "150.00")),
                       TODAY)
    imp, n, matched = statements.import_statement(url, key, accountant, acct_id, "对账单.csv", GBK_CSV.encode("gbk"), TODAY)
    assert (n, matched) == (3, 2)
    r = statements.reconciliation(url, accountant, imp)
    assert not r["statement_balance_derived"] and r["statement_balance"] == 184519
    assert r["book_balance"] == 185019 and r["bank_out"] == 500 and r["unmatched_book"] == []
    assert r["adjusted_book"] == r["adjusted_bank"] == 184519 and r["difference"] == 0


def test_fundsbooks015_bad_or_repeated_statements_import_nothing(db):
    url, key = db.database_url, db.audit_key
    accountant = actor(db, "demo-township")
    org_id, bank_id = org_and_bank(db)
    bad = "交易日期,金额,摘要\n2026-11-01,10.00,好\n2026-13-01,5.00,坏日期\n2026-11-02,abc,坏金额\n".encode("gbk")
    before = snapshot(db)
    with pytest.raises(AccountError) as exc:
        statements.import_statement(url, key, accountant, bank_id, "坏.csv", bad, TODAY)
    assert exc.value.errors["statement"] == "第3行：日期“2026-13-01”无效\n第4行：金额“abc”不是数字"
    assert snapshot(db) == before
    good = "交易日期,金额,摘要\n2026-11-15,66.60,退款\n".encode()
    imp, _, _ = statements.import_statement(url, key, accountant, bank_id, "退款.csv", good, TODAY)
    before = snapshot(db)
    with pytest.raises(AccountError) as exc:  # the same bytes again, whatever the file is called
        statements.import_statement(url, key, accountant, bank_id, "退款(1).csv", good, TODAY)
    assert f"（批次 #{imp}，1 笔），不能重复导入" in exc.value.errors["statement"]
    with pytest.raises(PermissionDenied, match="只有乡镇代理会计或村报账员"):
        statements.import_statement(url, key, actor(db, "demo-secretary"), bank_id, "x.csv", b"x", TODAY)
    cash_id = next(a["id"] for a in books.account_balances(url, accountant, org_id) if a["ledger_code"] == 101)
    with pytest.raises(AccountError, match="库存现金没有对账单"):
        statements.import_statement(url, key, accountant, cash_id, "x.csv", "交易日期,金额\n2026-11-15,1\n".encode(), TODAY)
    assert snapshot(db) == before
    with transaction(url) as s:
        assert s.scalar(select(func.count()).select_from(BankStatementLine).where(
            BankStatementLine.import_id == imp)) == 1


# ---------------------------------------------------------------- the same books on PostgreSQL

@pytest.mark.postgres
def test_fundsbooks022_the_books_work_the_same_on_postgresql(postgres_server, tmp_path_factory):
    """A database of its own on the real server (the shared one is compared with SQLite elsewhere)."""
    from data.demo import generate
    from data.query import QueryLayer

    pg = make_settings(tmp_path_factory.mktemp("funds-pg"), postgres_server.create_database("funds_books"))
    generate(pg, "test", today=TODAY, log=lambda *_: None)
    url, key = pg.database_url, pg.audit_key
    accountant, cashier = actor(pg, "demo-township"), actor(pg, "demo-village")
    org_id, bank_id = org_and_bank(pg)
    vouchers.post_voucher(url, key, accountant, org_id, voucher(dt.date(2026, 11, 2), "收到租金",
                                                             (f"102:{bank_id}", "1,500.37", ""), ("501", "", "1,500.37")),
                       TODAY)
    sums = ledger_sums(pg, org_id)
    assert {a["ledger_code"]: a["balance_fen"] for a in books.account_balances(url, cashier, org_id)} == \
        {101: sums[101], 102: sums[102]}
    village = cashier.scope.root
    k = QueryLayer(pg, today=TODAY).load().kpis(village_scope(village), village)
    fig = books.level2(url, cashier, org_id)
    assert (k["cash"] + k["bank"], k["receivables"], k["liabilities"], k["total_assets"]) == \
        (fig["deposits"], fig["claims"], fig["debts"], fig["total_assets"])
    imp, n, matched = statements.import_statement(url, key, accountant, bank_id, "对账单.csv", UTF8_CSV.encode("gbk"), TODAY)
    assert (n, matched) == (4, 1) and statements.reconciliation(url, accountant, imp)["difference"] == 0
    rid = approved_request(pg, dt.date(2026, 10, 15), dt.date(2026, 10, 16))
    with pytest.raises(AccountError, match=f"#{rid}"):
        closing.close_period(url, key, accountant, org_id, OCT, TODAY)
    post(url, key, accountant, rid, version(pg, rid), dt.date(2026, 10, 16), today=TODAY)
    closing.close_period(url, key, accountant, org_id, OCT, TODAY)
    before = snapshot(pg)
    with pytest.raises(AccountError, match="2026年10月已结账"):
        vouchers.post_voucher(url, key, accountant, org_id, voucher(dt.date(2026, 10, 30), "补记",
                                                                 ("513", "1", ""), ("101", "", "1")), TODAY)
    assert snapshot(pg) == before
