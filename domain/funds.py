"""Funds (资金管理) rules: what a payment or receipt request must contain, who approves it in
which order, and the balanced voucher that posting it writes. Plain Python; the storage layer
(`data/funds.py`) applies them inside one transaction.

Workflow (吉林 platform practice, SPEC §1): the village cashier (报账员) enters the request; the
village secretary (理事长) and then the supervisory-board chair (监事长) approve it; the township
agent accountant (代理会计) posts it as a voucher. A request above the organisation's decision
threshold must cite a meeting resolution (四议两公开). Nobody approves or posts their own request.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from domain.identifiers import resident_id_problem, uscc_problem
from domain.permissions import Action
from domain.money import period_label, period_of, yuan  # noqa: F401 - period_*: callers use rules.period_of / rules.period_label

@dataclass(frozen=True)
class Step:
    """One approval step: its name, the action that takes it (who may: domain.permissions), the status after."""

    name: str
    action: Action
    after: str


#: status -> the approval step that acts on it
WORKFLOW: dict[str, Step] = {
    "submitted": Step("secretary", Action.FUNDS_REQUEST_APPROVE_SECRETARY, "secretary_approved"),
    "secretary_approved": Step("supervisor", Action.FUNDS_REQUEST_APPROVE_SUPERVISOR, "approved"),
}
STATUS_LABELS = {"submitted": "待理事长审批", "secretary_approved": "待监事长审批", "approved": "待代理会计记账",
                 "posted": "已记账", "rejected": "已驳回"}
#: accounts a payment may be charged to, and a receipt credited to
PAYMENT_ACCOUNTS = {511: "经营支出", 512: "税金及附加", 513: "管理费用", 514: "公益支出", 515: "其他支出",
                    121: "库存物资", 151: "固定资产", 153: "在建工程", 211: "应付款", 212: "应付工资", 213: "应付劳务费"}
RECEIPT_ACCOUNTS = {501: "经营收入", 502: "投资收益", 503: "补助收入", 504: "其他收入", 112: "应收款", 201: "短期借款",
                    241: "专项应付款"}
MAX_AMOUNT_FEN = 10**13  # 1,000 亿元: anything above is a typing error


def parse_amount(text) -> tuple[int | None, str | None]:
    """Yuan as typed ("1,234.50") -> (fen, None), or (None, why) in Chinese. Exact: Decimal, never float."""
    raw = str(text if text is not None else "").strip().replace(",", "").replace("，", "")
    if not raw:
        return None, "请填写金额"
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, "金额须为数字"
    if not value.is_finite():
        return None, "金额须为数字"
    if value <= 0:
        return None, "金额须大于0"
    if value != value.quantize(Decimal("0.01")):
        return None, "金额最多两位小数（精确到分）"
    fen = int(value * 100)
    if fen > MAX_AMOUNT_FEN:
        return None, "金额过大，请核对"
    return fen, None


@dataclass(frozen=True)
class RequestDraft:
    kind: str  # payment | receipt
    amount: str
    purpose: str
    account: int | None
    bank_account_id: int | None
    counterparty_name: str
    counterparty_id_type: str  # resident | uscc | other
    counterparty_id: str
    request_date: dt.date | None
    resolution_id: int | None = None


def draft_problems(d: RequestDraft, today: dt.date) -> tuple[int | None, dict[str, str]]:
    """(amount in fen, field -> what is wrong)."""
    errors: dict[str, str] = {}
    if d.kind not in ("payment", "receipt"):
        errors["kind"] = "请选择付款或收款"
    fen, why = parse_amount(d.amount)
    if why:
        errors["amount"] = why
    if not (d.purpose or "").strip():
        errors["purpose"] = "请填写用途"
    elif len(d.purpose) > 200:
        errors["purpose"] = "用途不超过200字"
    allowed = PAYMENT_ACCOUNTS if d.kind == "payment" else RECEIPT_ACCOUNTS
    if d.account not in allowed:
        errors["account"] = "请选择" + ("支出" if d.kind == "payment" else "收入") + "科目"
    if not d.bank_account_id:
        errors["bank_account_id"] = "请选择收付账户"
    if not (d.counterparty_name or "").strip():
        errors["counterparty_name"] = "请填写对方单位或个人"
    if d.counterparty_id_type == "resident":
        problem = resident_id_problem(d.counterparty_id, today)
        if problem:
            errors["counterparty_id"] = problem
    elif d.counterparty_id_type == "uscc":
        problem = uscc_problem(d.counterparty_id)
        if problem:
            errors["counterparty_id"] = problem
    elif d.counterparty_id_type != "other":
        errors["counterparty_id_type"] = "请选择证件类型"
    if d.request_date is None:
        errors["request_date"] = "请填写日期"
    elif d.request_date > today:
        errors["request_date"] = "日期不能晚于今天"
    elif d.request_date < today - dt.timedelta(days=366):
        errors["request_date"] = "日期早于一年前，请核对"
    return fen, errors


def needs_resolution(amount_fen: int, threshold_fen: int) -> bool:
    return amount_fen >= threshold_fen


def next_step(status: str) -> Step | None:
    return WORKFLOW.get(status)


def voucher_lines(kind: str, amount_fen: int, account: int, money_account: int) -> list[tuple[int, int, int]]:
    """(account, debit fen, credit fen) of the voucher posting a request; always balanced."""
    if kind == "payment":
        lines = [(account, amount_fen, 0), (money_account, 0, amount_fen)]
    else:
        lines = [(money_account, amount_fen, 0), (account, 0, amount_fen)]
    assert_balanced(lines)
    return lines


class UnbalancedVoucher(ValueError):
    pass


def assert_balanced(lines: list[tuple[int, int, int]]) -> None:
    """Debits equal credits, every amount non-negative, each line on one side only."""
    if len(lines) < 2:
        raise UnbalancedVoucher("凭证至少需要两行")
    for account, debit, credit in lines:
        if debit < 0 or credit < 0 or (debit and credit) or not (debit or credit):
            raise UnbalancedVoucher(f"科目 {account} 的借贷金额无效")
    debit = sum(d for _, d, _ in lines)
    credit = sum(c for _, _, c in lines)
    if debit != credit:
        raise UnbalancedVoucher(f"借贷不平衡：借方 {yuan(debit)} 元，贷方 {yuan(credit)} 元")


def parse_period(text) -> int | None:
    """"2026-11" / "202611" / 202611 -> 202611, or None."""
    raw = str(text if text is not None else "").strip().replace("年", "-").replace("月", "").replace("/", "-")
    try:
        if "-" in raw:
            y, m = (int(x) for x in raw.split("-")[:2])
        else:
            y, m = divmod(int(raw), 100)
    except ValueError:
        return None
    return y * 100 + m if 2000 <= y <= 2100 and 1 <= m <= 12 else None


def posting_date_problem(posting_date: dt.date | None, request_date: dt.date, approved_on: dt.date | None,
                         today: dt.date) -> str | None:
    """A request is posted on or after the day it was requested and finally approved, never in the future."""
    if posting_date is None:
        return "请填写记账日期"
    if posting_date > today:
        return "记账日期不能晚于今天"
    if posting_date < request_date:
        return f"记账日期不能早于申请日期（{request_date.isoformat()}）"
    if approved_on is not None and posting_date < approved_on:
        return f"记账日期不能早于审批通过日期（{approved_on.isoformat()}）"
    return None


# ---------------------------------------------------------------- manual vouchers (记账凭证)

MIN_LINES, MAX_LINES = 2, 10
#: roles that close a month (结账) and that may reopen one (反结账: a township leader, not the accountant)


@dataclass(frozen=True)
class LineDraft:
    """One row of the voucher form: the account ("513", or "102:7" = account 102, bank account #7)
    and the amount typed on the debit or on the credit side."""

    account: str | int | None
    debit: str | None = None
    credit: str | None = None
    summary: str | None = None


@dataclass(frozen=True)
class VoucherDraft:
    date: dt.date | None
    summary: str
    lines: tuple[LineDraft, ...]


@dataclass(frozen=True)
class LineValue:
    row: int  # the form row (1-based), for messages
    account: int
    bank_account_id: int | None
    debit_fen: int
    credit_fen: int
    summary: str | None


def parse_account_choice(value) -> tuple[int | None, int | None]:
    """"102:7" -> (102, 7); "513" / 513 -> (513, None); anything else -> (None, None)."""
    raw = str(value if value is not None else "").strip()
    code, _, sub = raw.partition(":")
    try:
        return int(code), (int(sub) if sub else None)
    except ValueError:
        return None, None


def _blank(text) -> bool:
    return not str(text if text is not None else "").strip()


def voucher_problems(d: VoucherDraft, today: dt.date) -> tuple[list[LineValue], dict[str, str]]:
    """The lines of a manual voucher and every problem with it: field -> Chinese. Fields are "date",
    "summary", "lines" (count and balance) and "line-N" (row N of the form). Blank rows are skipped."""
    from domain.chart import account as chart_account

    errors: dict[str, str] = {}
    if d.date is None:
        errors["date"] = "请填写凭证日期"
    elif d.date > today:
        errors["date"] = "凭证日期不能晚于今天"
    if _blank(d.summary):
        errors["summary"] = "请填写摘要"
    elif len(d.summary.strip()) > 200:
        errors["summary"] = "摘要不超过200字"
    lines: list[LineValue] = []
    filled = 0
    for row, ln in enumerate(d.lines, start=1):
        if _blank(ln.account) and _blank(ln.debit) and _blank(ln.credit):
            continue
        filled += 1
        problems = []
        code, bank_id = parse_account_choice(ln.account)
        if _blank(ln.account):
            problems.append("请选择科目")
        elif code is None or chart_account(code) is None:
            problems.append(f"科目“{ln.account}”不在村集体经济组织会计科目表中")
        debit = credit = 0
        if _blank(ln.debit) == _blank(ln.credit):
            problems.append("借方、贷方金额须填且只填一个")
        else:
            fen, why = parse_amount(ln.credit if _blank(ln.debit) else ln.debit)
            if why:
                problems.append(why)
            elif _blank(ln.debit):
                credit = fen
            else:
                debit = fen
        if problems:
            errors[f"line-{row}"] = f"第{row}行：" + "；".join(problems)
        elif code is not None:
            summary = (ln.summary or "").strip() or None
            lines.append(LineValue(row, code, bank_id, debit, credit, summary[:200] if summary else None))
    if filled < MIN_LINES:
        errors["lines"] = f"凭证至少需要{MIN_LINES}行分录"
    elif filled > MAX_LINES:
        errors["lines"] = f"凭证最多{MAX_LINES}行分录"
    elif not any(k.startswith("line-") for k in errors):
        debit_total = sum(v.debit_fen for v in lines)
        credit_total = sum(v.credit_fen for v in lines)
        if debit_total != credit_total:
            errors["lines"] = (f"借贷不平衡：借方合计 {yuan(debit_total)} 元，"
                               f"贷方合计 {yuan(credit_total)} 元")
    if not errors:
        assert_balanced([(v.account, v.debit_fen, v.credit_fen) for v in lines])
    return lines, errors


# ---------------------------------------------------------------- level-2 base data (Art. J11)

LEVEL2_LABELS = {"deposits": "货币资金（存款）", "cash": "库存现金", "bank": "银行存款", "claims": "债权（应收款项）",
                 "debts": "债务（负债合计）", "total_assets": "资产总额"}


def level2_figures(balances: dict[int, int]) -> dict[str, int]:
    """Deposits, claims, debts and total assets from account balances (account -> debit − credit),
    through the same measures the dashboards use (domain/accounting.py). Never typed in."""
    from domain.accounting import ASSET_KEYS, MEASURE_BY_KEY

    def measure(key: str) -> int:
        return sum(sign * balances.get(code, 0) for code, sign in MEASURE_BY_KEY[key].accounts.items())

    cash, bank = measure("cash"), measure("bank")
    return {"deposits": cash + bank, "cash": cash, "bank": bank, "claims": measure("receivables"),
            "debts": measure("liabilities"), "total_assets": sum(measure(k) for k in ASSET_KEYS)}


# ---------------------------------------------------------------- bank statements and reconciliation

MAX_STATEMENT_BYTES = 2 * 1024 * 1024
MAX_STATEMENT_ROWS = 5000
MATCH_WINDOW_DAYS = 3
_DATE_COLS = ("交易日期", "日期", "记账日期", "入账日期", "交易时间", "date")
_AMOUNT_COLS = ("交易金额", "金额", "发生额", "amount")
_IN_COLS = ("收入金额", "收入", "贷方金额", "贷方发生额", "贷方", "存入金额", "存入", "credit")
_OUT_COLS = ("支出金额", "支出", "借方金额", "借方发生额", "借方", "支取金额", "支取", "debit")
_DESC_COLS = ("摘要", "交易摘要", "用途", "附言", "备注", "说明", "对方户名", "description")
_BALANCE_COLS = ("余额", "账户余额", "balance")
STATEMENT_FORMAT_HELP = ("CSV 文件（UTF-8 或 GBK 编码），首行为表头：交易日期、金额（收入为正、支出为负）"
                         "或 收入/支出（贷方/借方）两列、摘要，可选 余额")


@dataclass(frozen=True)
class StatementRow:
    row: int  # line number in the file (the header is a line too), for messages
    date: dt.date
    amount_fen: int  # positive: money in, negative: money out
    description: str
    balance_fen: int | None


def decode_text(content: bytes) -> str | None:
    """UTF-8 (with or without BOM), else GBK/GB18030 (what Chinese banks export); None if neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _parse_date(text: str) -> dt.date | None:
    import re

    raw = text.strip().split(" ")[0].split("T")[0]
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", raw) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", raw)
    if not m:
        return None
    try:
        return dt.date(*(int(x) for x in m.groups()))
    except ValueError:
        return None


def _parse_signed(text: str) -> tuple[int | None, str | None]:
    """A signed yuan amount -> (fen, None) or (None, why). Empty -> (None, None)."""
    raw = str(text or "").strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").replace(" ", "")
    if raw in ("", "-", "--"):
        return None, None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, f"金额“{text.strip()}”不是数字"
    if not value.is_finite():
        return None, f"金额“{text.strip()}”不是数字"
    if value != value.quantize(Decimal("0.01")):
        return None, "金额最多两位小数（精确到分）"
    fen = int(value * 100)
    if abs(fen) > MAX_AMOUNT_FEN:
        return None, "金额过大，请核对"
    return fen, None


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    cells = [h.strip().lower() for h in header]
    for name in names:
        if name.lower() in cells:
            return cells.index(name.lower())
    return None


def parse_statement(content: bytes, today: dt.date) -> tuple[list[StatementRow], list[str]]:
    """A bank statement CSV -> (rows, problems). Any problem means nothing may be imported: the
    problems name the line of the file (as a spreadsheet shows it) and what is wrong, in Chinese."""
    import csv
    import io

    if not content:
        return [], ["文件是空的"]
    if len(content) > MAX_STATEMENT_BYTES:
        return [], [f"文件超过 {MAX_STATEMENT_BYTES // 1024 // 1024} MB"]
    text = decode_text(content)
    if text is None:
        return [], ["文件编码无法识别：请导出为 UTF-8 或 GBK 编码的 CSV 文件"]
    reader = csv.reader(io.StringIO(text))
    header, cols = None, {}
    rows: list[StatementRow] = []
    problems: list[str] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                if _column(cells, _DATE_COLS) is None:
                    if line >= 20:
                        break
                    continue  # the account name and number some banks print above the table
                header = cells
                cols = {"date": _column(cells, _DATE_COLS), "amount": _column(cells, _AMOUNT_COLS),
                        "in": _column(cells, _IN_COLS), "out": _column(cells, _OUT_COLS),
                        "balance": _column(cells, _BALANCE_COLS),
                        "desc": [i for i, h in enumerate(cells) if h.strip().lower() in _DESC_COLS]}
                if cols["amount"] is None and (cols["in"] is None or cols["out"] is None):
                    return [], [f"第{line}行（表头）：缺少“金额”列，或“收入/支出”（贷方/借方）两列"]
                continue
            if len(rows) + len(problems) >= MAX_STATEMENT_ROWS:
                return [], [f"交易记录超过 {MAX_STATEMENT_ROWS} 行，请分月导出"]
            cell = lambda i: cells[i] if i is not None and i < len(cells) else ""
            why = []
            day = _parse_date(cell(cols["date"]))
            if day is None:
                why.append(f"日期“{cell(cols['date']).strip()}”无效" if cell(cols["date"]).strip() else "缺少日期")
            elif day > today:
                why.append("日期晚于今天")
            amount = None
            if cols["amount"] is not None:
                amount, bad = _parse_signed(cell(cols["amount"]))
                if bad:
                    why.append(bad)
                elif not amount:
                    why.append("金额为空或为0")
            else:
                money_in, bad_in = _parse_signed(cell(cols["in"]))
                money_out, bad_out = _parse_signed(cell(cols["out"]))
                why.extend(b for b in (bad_in, bad_out) if b)
                if not (bad_in or bad_out):
                    if bool(money_in) == bool(money_out):
                        why.append("收入、支出须填且只填一个")
                    else:
                        amount = money_in if money_in else -abs(money_out)
            balance, bad = _parse_signed(cell(cols["balance"])) if cols["balance"] is not None else (None, None)
            if bad:
                why.append("余额：" + bad)
            if why:
                problems.append(f"第{line}行：" + "；".join(why))
                continue
            desc = " ".join(cell(i).strip() for i in cols["desc"] if cell(i).strip())[:500]
            rows.append(StatementRow(line, day, amount, desc, balance))
    except csv.Error as exc:
        return [], [f"第{reader.line_num}行：CSV 格式错误（{exc}）"]
    if header is None:
        return [], ["没有找到表头：须有“交易日期”或“日期”列"]
    if not rows and not problems:
        return [], ["文件中没有交易记录"]
    return ([] if problems else rows), problems


def match_statement(statement: list[tuple[int, dt.date, int]], book: list[tuple[int, dt.date, int]],
                    window_days: int = MATCH_WINDOW_DAYS) -> dict[int, int]:
    """Pair statement lines (key, date, signed fen) with book lines (line id, date, signed fen: debit
    positive) of the same amount and direction dated within ±`window_days`; each line pairs at most
    once, the nearest date first. Returns statement key -> book line id."""
    free: dict[int, list[tuple[dt.date, int]]] = {}
    for line_id, day, amount in sorted(book, key=lambda b: (b[1], b[0])):
        free.setdefault(amount, []).append((day, line_id))
    out: dict[int, int] = {}
    for key, day, amount in sorted(statement, key=lambda r: (r[1], r[0])):
        candidates = [(abs((d - day).days), d, i) for d, i in free.get(amount, ()) if abs((d - day).days) <= window_days]
        if candidates:
            _, d, i = min(candidates)
            free[amount].remove((d, i))
            out[key] = i
    return out


def reconciliation(book_balance: int, statement_balance: int, unmatched_statement: list[int],
                   unmatched_book: list[int]) -> dict[str, int]:
    """余额调节表: both balances adjusted for what only one side has recorded; the difference is zero
    when every item is explained."""
    bank_in = sum(a for a in unmatched_statement if a > 0)      # 银行已收、单位未收
    bank_out = -sum(a for a in unmatched_statement if a < 0)    # 银行已付、单位未付
    book_in = sum(a for a in unmatched_book if a > 0)           # 单位已收、银行未收
    book_out = -sum(a for a in unmatched_book if a < 0)         # 单位已付、银行未付
    adjusted_book = book_balance + bank_in - bank_out
    adjusted_bank = statement_balance + book_in - book_out
    return {"book_balance": book_balance, "bank_in": bank_in, "bank_out": bank_out, "adjusted_book": adjusted_book,
            "statement_balance": statement_balance, "book_in": book_in, "book_out": book_out,
            "adjusted_bank": adjusted_bank, "difference": adjusted_book - adjusted_bank}

#: who imports bank statements and reconciles: the township accountant and the village cashier


# ---------------------------------------------------------------- opening a cash or bank account

ACCOUNT_KINDS = {"bank": ("银行存款", 102), "cash": ("库存现金", 101)}


def account_problems(kind: str, name: str | None, bank_name: str | None, account_no: str | None) -> tuple[str, dict]:
    """(the account number as digits, field -> what is wrong) for a new cash or bank account."""
    import re

    errors: dict[str, str] = {}
    digits = re.sub(r"[\s-]", "", account_no or "")
    if kind not in ACCOUNT_KINDS:
        errors["kind"] = "请选择银行存款或库存现金"
    if not (name or "").strip():
        errors["name"] = "请填写账户名称"
    elif len(name.strip()) > 100:
        errors["name"] = "账户名称不超过100字"
    if kind == "bank":
        if not (bank_name or "").strip():
            errors["bank_name"] = "请填写开户行"
        if not re.fullmatch(r"\d{8,32}", digits):
            errors["account_no"] = "银行账号应为8至32位数字"
    return digits, errors
