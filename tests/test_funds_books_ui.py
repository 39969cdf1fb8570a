"""Funds books through the callbacks (the page's forms): the voucher's lines added and removed,
their totals, every message under its own line or field, statement upload, month close and
reopening, opening an account. Callbacks are found by their function; each check reads one output."""
from __future__ import annotations

import base64
import datetime as dt

import pytest

import callbacks.funds.books as book_callbacks
import callbacks.funds.closing as closing_callbacks
import callbacks.funds.statements as statement_callbacks
import callbacks.funds.vouchers as voucher_callbacks
from data.funds import books, closing, statements
from domain.money import yuan
from tests.conftest import TODAY, sign_in
from tests.support.callbacks import call, output, text
from tests.support.funds import actor, app_for, own_database, snapshot, village_org


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """A database of its own: these tests post vouchers and close months."""
    return own_database(tmp_path_factory, "funds-books-ui")


def org_and_bank(settings):
    return village_org(settings, actor(settings, "demo-village").scope.root)


@pytest.fixture(scope="module")
def books_app(db):
    """The app on the module's database, its clock at the day the data were generated."""
    app = app_for(db)
    app.server.config["NOW"] = lambda: dt.datetime.combine(TODAY, dt.time(4), tzinfo=dt.UTC)
    return app


LINE_ERROR = "voucher-line-error"


def line(index: int, kind: str = LINE_ERROR) -> dict:
    return {"type": kind, "index": index}


def voucher_values(org_id, day, summary, rows) -> dict:
    return {("funds-v-submit", "n_clicks"): 1, ("funds-org", "value"): org_id, ("funds-v-date", "date"): day,
            ("funds-v-summary", "value"): summary, ("funds-books-refresh", "data"): 0,
            ("voucher-line-account", "value"): [r[0] for r in rows], ("voucher-line-debit", "value"): [r[1] for r in rows],
            ("voucher-line-credit", "value"): [r[2] for r in rows]}


def test_fundsbooks016_voucher_lines_are_added_and_removed_at_the_end_between_2_and_10(books_app):
    app = books_app
    accountant = sign_in(app.server, "demo-township")
    options = [{"label": "513 管理费用", "value": "513"}]

    def click(button, rows):
        return call(accountant, app, voucher_callbacks.lines,
                    {(button, "n_clicks"): 1, ("funds-v-options", "data"): options},
                    triggered=[f"{button}.n_clicks"], rows=rows)

    added = click("funds-v-add", 2)
    (op,) = output(added, "funds-v-rows", "children")["operations"]
    assert op["operation"] == "Append" and op["params"]["value"]["props"]["id"] == "funds-v-rows-3"
    assert text(op["params"]["value"]).count('"index": 3') == 4  # account, debit, credit and its error line
    assert '"label": "513 管理费用"' in text(op["params"]["value"])  # the organisation's chart on the new line
    assert (output(added, "funds-v-add", "disabled"), output(added, "funds-v-remove", "disabled")) == (False, False)
    full = click("funds-v-add", 9)
    assert output(full, "funds-v-add", "disabled") is True
    at_most = click("funds-v-add", 10)
    assert "funds-v-rows" not in at_most.get_json()["response"] and output(at_most, "funds-v-add", "disabled") is True
    removed = click("funds-v-remove", 3)
    assert output(removed, "funds-v-rows", "children")["operations"][0]["operation"] == "Delete"
    assert output(removed, "funds-v-remove", "disabled") is True  # two lines left
    assert "funds-v-rows" not in click("funds-v-remove", 2).get_json()["response"]
    every = call(accountant, app, voucher_callbacks.line_options, {("funds-v-options", "data"): options}, rows=4)
    assert [output(every, line(i, "voucher-line-account"), "options") for i in range(1, 5)] == [options] * 4


def test_fundsbooks017_the_totals_say_whether_the_lines_balance(books_app):
    app = books_app
    accountant = sign_in(app.server, "demo-township")

    def totals(debits, credits):
        resp = call(accountant, app, voucher_callbacks.totals, {("voucher-line-debit", "value"): debits,
                                                                 ("voucher-line-credit", "value"): credits},
                    rows=len(debits))
        return text(output(resp, "funds-v-lines", "children"))

    assert "借贷平衡" in totals(["100.00", "23.45", None], [None, None, "123.45"])
    off = totals(["1,200.00", "36.00", None], [None, None, "1,235.00"])
    assert "借方合计 1,236.00 元" in off and "差额 1.00 元" in off


def test_fundsbooks018_voucher_messages_land_under_their_lines_and_the_form(books_app, db):
    app = books_app
    accountant, cashier = sign_in(app.server, "demo-township"), sign_in(app.server, "demo-village")
    org_id, bank_id = org_and_bank(db)
    today = TODAY.isoformat()

    def post_form(client, day, summary, rows):
        return call(client, app, voucher_callbacks.post_voucher, voucher_values(org_id, day, summary, rows),
                    triggered=["funds-v-submit.n_clicks"], rows=len(rows))

    before = snapshot(db)
    unbalanced = post_form(accountant, today, "电费", [("513", "100.00", None), ("102", None, "99.99")])
    assert output(unbalanced, "funds-v-lines-error", "children") == "借贷不平衡：借方合计 100.00 元，贷方合计 99.99 元"
    assert output(unbalanced, line(1), "children") == output(unbalanced, line(2), "children") == ""
    wrong = post_form(accountant, (TODAY + dt.timedelta(days=1)).isoformat(), "电费",
                      [("513", "5", None), ("999", None, "5"), (None, None, None)])
    assert output(wrong, "funds-v-date-error", "children") == "凭证日期不能晚于今天"
    assert output(wrong, line(2), "children") == "第2行：科目“999”不在村集体经济组织会计科目表中"
    assert output(wrong, line(1), "children") == output(wrong, line(3), "children") == ""
    assert output(wrong, "funds-voucher-error", "children") == ""
    assert "funds-v-summary" not in wrong.get_json()["response"]  # what was typed stays, to be corrected
    refused = post_form(cashier, today, "电费", [("513", "100.00", None), ("102", None, "100.00")])
    assert "只有乡镇代理会计可以记账" in text(output(refused, "funds-v-result", "children"))
    assert snapshot(db) == before
    ok = post_form(accountant, today, "电费", [("513", "100.00", None), (f"102:{bank_id}", None, "100.00")])
    assert "凭证已记账" in text(output(ok, "funds-v-result", "children"))
    assert output(ok, line(1, "voucher-line-account"), "value") is None  # a clean form: not posted twice
    assert output(ok, "funds-v-summary", "value") == ""
    shown = call(accountant, app, book_callbacks.books, {("funds-org", "value"): org_id,
                                                          ("funds-books-refresh", "data"): 1})
    assert output(shown, "funds-vouchers-grid", "rowData")[0]["summary"] == "电费"
    deposits = books.level2(db.database_url, actor(db, "demo-township"), org_id)["deposits"]
    assert f"{yuan(deposits)} 元" in text(output(shown, "funds-level2", "children"))
    assert f"102:{bank_id}" in [o["value"] for o in output(shown, "funds-v-options", "data")]


def test_fundsbooks019_statement_upload_through_the_callbacks(books_app, db):
    app = books_app
    accountant = sign_in(app.server, "demo-township")
    _, bank_id = org_and_bank(db)

    def upload(bank, csv: bytes | None, name="电费.csv"):
        content = ["data:text/csv;base64," + base64.b64encode(csv).decode()] if csv is not None else None
        return call(accountant, app, statement_callbacks.import_statement,
                    {("funds-rec-submit", "n_clicks"): 1, ("funds-rec-bank", "value"): bank,
                     ("funds-statement", "contents"): content, ("funds-statement", "filename"): [name] if csv else None,
                     ("funds-rec-refresh", "data"): 0})

    nothing = upload(None, None)
    assert output(nothing, "funds-rec-bank-error", "children") == "请选择银行账户"
    assert output(nothing, "funds-statement-error", "children") == "请选择一个对账单文件"
    bad = upload(bank_id, "交易日期,金额\n2026-13-01,5\n2026-11-02,abc\n".encode("gbk"))
    listed = output(bad, "funds-statement-error", "children")  # every bad line of the file, as a list
    assert [li["props"]["children"] for li in listed["props"]["children"]] == ["第2行：日期“2026-13-01”无效",
                                                                               "第3行：金额“abc”不是数字"]
    assert output(bad, "funds-rec-bank-error", "children") == ""
    resp = upload(bank_id, "交易日期,金额,摘要\n2026-11-20,-77.70,电费\n".encode("gbk"))
    assert "已导入对账单" in text(output(resp, "funds-rec-result", "children"))
    imports = call(accountant, app, statement_callbacks.imports,
                   {("funds-rec-bank", "value"): bank_id, ("funds-rec-refresh", "data"): 1})
    newest = output(imports, "funds-rec-import", "value")
    assert "电费.csv" in output(imports, "funds-rec-import", "options")[0]["label"]
    view = call(accountant, app, statement_callbacks.reconciliation,
                {("funds-rec-import", "value"): newest, ("funds-rec-refresh", "data"): 1})
    r = statements.reconciliation(db.database_url, actor(db, "demo-township"), newest)
    assert output(view, "funds-rec-open-stmt", "rowData") == r["unmatched_statement"]
    assert f"{yuan(r['book_balance'])} 元" in text(output(view, "funds-rec-table", "children"))


def test_fundsbooks020_close_and_reopen_through_the_callbacks(books_app, db):
    app = books_app
    org_id, _ = org_and_bank(db)
    accountant, head = sign_in(app.server, "demo-township"), sign_in(app.server, "demo-township-head")

    def close(client, period):
        return call(client, app, closing_callbacks.close,
                    {("funds-close-submit", "n_clicks"): 1, ("funds-org", "value"): org_id,
                     ("funds-close-period", "value"): period, ("funds-books-refresh", "data"): 0})

    def reopen(client, row, reason):
        return call(client, app, closing_callbacks.reopen,
                    {("funds-reopen-submit", "n_clicks"): 1, ("funds-close-grid", "selectedRows"): [row] if row else [],
                     ("funds-reopen-reason", "value"): reason, ("funds-books-refresh", "data"): 0})

    assert "只有乡镇代理会计可以结账" in text(output(close(sign_in(app.server, "demo-village"), "2026-09"),
                                             "funds-close-result", "children"))
    assert "只有乡镇代理会计可以结账" in text(output(close(head, "2026-09"), "funds-close-result", "children"))
    assert "2026年9月已结账" in text(output(close(accountant, "2026-09"), "funds-close-result", "children"))
    again = close(accountant, "2026-09")
    assert output(again, "funds-close-period-error", "children") == "2026年9月已结账"
    assert output(close(accountant, "2027-01"), "funds-close-period-error", "children") == "不能结账尚未到来的月份"
    row = next(r for r in closing.period_closes(db.database_url, actor(db, "demo-township"), org_id)
               if r["period"] == 202609)
    shown = call(head, app, closing_callbacks.reopen_month, {("funds-close-grid", "selectedRows"): [row]})
    assert output(shown, "funds-reopen-period", "children") == "2026年9月（已结账）"
    assert output(reopen(head, None, "补记"), "funds-reopen-period-error", "children") == "请先在结账记录中选择一个月份"
    assert "反结账须由乡镇主要领导审批" in text(output(reopen(accountant, row, "补记"), "funds-reopen-result", "children"))
    assert output(reopen(head, row, ""), "funds-reopen-reason-error", "children") == "请填写反结账原因"
    assert "已反结账" in text(output(reopen(head, row, "补记九月漏记的电费"), "funds-reopen-result", "children"))
    stale = reopen(head, row, "再来一次")  # the row as it was before the reopening
    assert output(stale, "funds-reopen-error", "children") == "该结账记录已被他人修改，请刷新后再操作"


def test_fundsbooks021_opening_an_account_through_the_callback(books_app, db):
    app = books_app
    org_id, _ = org_and_bank(db)
    accountant = sign_in(app.server, "demo-township")

    def open_account(kind, name, bank, number):
        return call(accountant, app, book_callbacks.open_account,
                    {("funds-open-submit", "n_clicks"): 1, ("funds-org", "value"): org_id,
                     ("funds-open-kind", "value"): kind, ("funds-open-name", "value"): name,
                     ("funds-open-bank", "value"): bank, ("funds-open-no", "value"): number,
                     ("funds-books-refresh", "data"): 0})

    bad = open_account("bank", " ", "", "6222-abc")
    assert (output(bad, "funds-open-name-error", "children"), output(bad, "funds-open-bank-error", "children"),
            output(bad, "funds-open-no-error", "children")) == ("请填写账户名称", "请填写开户行", "银行账号应为8至32位数字")
    assert output(open_account("cash", "备用金", None, None), "funds-open-kind-error", "children") == "本组织已有库存现金账户"
    ok = open_account("bank", "村道建设专户", "农业银行", "6222 0000 3333 4444")
    assert "已登记账户：村道建设专户" in text(output(ok, "funds-open-result", "children"))
    assert output(ok, "funds-open-name-error", "children") == ""


