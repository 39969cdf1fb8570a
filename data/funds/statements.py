"""Bank statements: a CSV imported into one bank account all or nothing, once per file, matched
against the account's ledger lines, and the 银行存款余额调节表 of an import."""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import func, select

from data.db import reading, transaction
from data.errors import AccountError
from data.funds.ledger import account_lines, bank_and_org, conflict, log
from data.models import BankAccount, BankStatementImport, BankStatementLine, CollectiveOrg, Voucher, VoucherLine
from data.scoped import load_for_write
from domain import clock
from domain.funds import statements as rules
from domain.money import period_label
from domain.permissions import Action, Actor, ensure

STATEMENT = "该对账单"


def _match(s, bank: BankAccount, org: CollectiveOrg, statement: list[BankStatementLine]) -> int:
    """Pair unmatched statement lines with unmatched ledger lines of the account (same amount and
    direction, dated within ±3 days). Returns how many were paired."""
    todo = [ln for ln in statement if ln.matched_line_id is None]
    if not todo:
        return 0
    window = dt.timedelta(days=rules.MATCH_WINDOW_DAYS)
    lo, hi = min(ln.date for ln in todo) - window, max(ln.date for ln in todo) + window
    taken = select(BankStatementLine.matched_line_id).where(BankStatementLine.matched_line_id.is_not(None))
    book = s.execute(select(VoucherLine.id, Voucher.date, VoucherLine.debit_fen - VoucherLine.credit_fen)
                     .join(Voucher, Voucher.id == VoucherLine.voucher_id)
                     .where(account_lines(s, bank, org), Voucher.date.between(lo, hi),
                            VoucherLine.id.not_in(taken))).all()
    pairs = rules.match_statement([(ln.id, ln.date, ln.amount_fen) for ln in todo],
                                  [(int(i), d, int(a)) for i, d, a in book])
    for ln in todo:
        if ln.id in pairs:
            ln.matched_line_id = pairs[ln.id]
    return len(pairs)


def import_statement(url: str, key: str, actor: Actor, bank_account_id: int, filename: str, content: bytes,
                     today: dt.date) -> tuple[int, int, int]:
    """Import a bank statement CSV into one bank account and match it against the books. Any bad
    row, or the same file imported before, and nothing is stored. Returns (import id, lines, matched)."""
    from data.attachments import clean_name

    ensure(actor, Action.BANK_STATEMENT_IMPORT)
    rows, problems = rules.parse_statement(content or b"", today)
    digest = hashlib.sha256(content or b"").hexdigest()
    with conflict({"statement": "该文件刚刚已被导入，不能重复导入"}), transaction(url, actor) as s:
        bank, org = bank_and_org(s, actor, bank_account_id)
        if bank.kind != "bank":
            raise AccountError({"bank_account": "请选择银行存款账户（库存现金没有对账单）"})
        earlier = s.scalar(select(BankStatementImport).where(BankStatementImport.bank_account_id == bank.id,
                                                             BankStatementImport.sha256 == digest))
        if earlier is not None:
            raise AccountError({"statement": f"该文件已于 {earlier.created_at.astimezone(clock.CST):%Y-%m-%d %H:%M} "
                                             f"导入过（批次 #{earlier.id}，{earlier.rows} 笔），不能重复导入"})
        if problems:
            raise AccountError({"statement": "\n".join(problems)})
        last = max(rows, key=lambda r: (r.date, r.row))
        imp = BankStatementImport(bank_account_id=bank.id, org_id=org.id, region_code=org.region_code,
                                  filename=clean_name(filename) or "对账单.csv", sha256=digest, rows=len(rows),
                                  first_date=min(r.date for r in rows), last_date=last.date,
                                  closing_balance_fen=last.balance_fen, imported_by_id=actor.user_id,
                                  collected_by_id=actor.user_id, provided_by=bank.bank_name or bank.name,
                                  responsible_by=actor.username)
        s.add(imp)
        s.flush()
        lines = [BankStatementLine(bank_account_id=bank.id, import_id=imp.id, date=r.date, amount_fen=r.amount_fen,
                                   description=r.description) for r in rows]
        s.add_all(lines)
        s.flush()
        matched = _match(s, bank, org, lines)
        log(s, key, actor, org.region_code,
            f"导入银行对账单：{org.name} {bank.name}，{len(rows)} 笔（{imp.first_date}至{imp.last_date}），"
            f"自动对上 {matched} 笔", import_id=imp.id, bank_account_id=bank.id, sha256=digest)
        return imp.id, len(rows), matched


def _import(s, actor: Actor, import_id) -> tuple[BankStatementImport, BankAccount, CollectiveOrg]:
    imp = load_for_write(s, BankStatementImport, import_id, actor, noun=STATEMENT)
    bank, org = bank_and_org(s, actor, imp.bank_account_id)
    return imp, bank, org


def rematch(url: str, key: str, actor: Actor, import_id: int) -> int:
    """Match the statement lines of an import that are still open (after new postings)."""
    ensure(actor, Action.BANK_STATEMENT_IMPORT)
    with transaction(url, actor) as s:
        imp, bank, org = _import(s, actor, import_id)
        lines = s.scalars(select(BankStatementLine).where(BankStatementLine.import_id == imp.id)).all()
        matched = _match(s, bank, org, lines)
        log(s, key, actor, org.region_code, f"银行对账重新匹配：{org.name} {bank.name} 批次 #{imp.id}，新对上 {matched} 笔",
            import_id=imp.id)
        return matched


def statement_imports(url: str, actor: Actor, bank_account_id: int) -> list[dict]:
    with reading(url) as s:
        bank, _ = bank_and_org(s, actor, bank_account_id)
        return [{"id": i.id, "label": f"#{i.id} {i.filename}（{i.first_date}至{i.last_date}，{i.rows} 笔）"}
                for i in s.scalars(select(BankStatementImport).where(BankStatementImport.bank_account_id == bank.id)
                                   .order_by(BankStatementImport.id.desc()))]


def _book_row(r) -> dict:
    i, day, period, number, summary, amount = r
    return {"line_id": int(i), "date": day.isoformat(), "voucher": f"{period_label(period)}第{number}号",
            "summary": summary or "", "amount_fen": int(amount)}


def _statement_row(ln: BankStatementLine) -> dict:
    return {"id": ln.id, "date": ln.date.isoformat(), "amount_fen": ln.amount_fen, "description": ln.description or ""}


def reconciliation(url: str, actor: Actor, import_id: int) -> dict:
    """银行存款余额调节表 for one imported statement: the matched pairs, the statement lines the
    books lack, the ledger lines of that account in the statement's dates the bank lacks, and
    both balances adjusted. The statement balance is the bank's own 余额 on its last row, or,
    when the file has none, the book balance before the first day plus the statement's lines."""
    with reading(url) as s:
        imp, bank, org = _import(s, actor, import_id)
        cond = account_lines(s, bank, org)
        base = (select(VoucherLine.id, Voucher.date, Voucher.period, Voucher.number, VoucherLine.summary,
                       VoucherLine.debit_fen - VoucherLine.credit_fen)
                .join(Voucher, Voucher.id == VoucherLine.voucher_id).where(cond))

        def balance_to(day: dt.date) -> int:
            return int(s.scalar(select(func.sum(VoucherLine.debit_fen - VoucherLine.credit_fen))
                                .join(Voucher, Voucher.id == VoucherLine.voucher_id)
                                .where(cond, Voucher.date <= day)) or 0)

        stmt = s.scalars(select(BankStatementLine).where(BankStatementLine.import_id == imp.id)
                         .order_by(BankStatementLine.date, BankStatementLine.id)).all()
        matched_ids = [ln.matched_line_id for ln in stmt if ln.matched_line_id is not None]
        book_by_id = {int(r[0]): r for r in s.execute(base.where(VoucherLine.id.in_(matched_ids)))} if matched_ids else {}
        taken = select(BankStatementLine.matched_line_id).where(BankStatementLine.matched_line_id.is_not(None))
        open_book = s.execute(base.where(Voucher.date.between(imp.first_date, imp.last_date),
                                         VoucherLine.id.not_in(taken)).order_by(Voucher.date, VoucherLine.id)).all()
        matched = [{**_statement_row(ln), **{f"book_{k}": v for k, v in _book_row(book_by_id[ln.matched_line_id]).items()}}
                   for ln in stmt if ln.matched_line_id in book_by_id]
        open_stmt = [_statement_row(ln) for ln in stmt if ln.matched_line_id is None]
        book_balance = balance_to(imp.last_date)
        derived = imp.closing_balance_fen is None
        statement_balance = (balance_to(imp.first_date - dt.timedelta(days=1)) + sum(ln.amount_fen for ln in stmt)
                             if derived else imp.closing_balance_fen)
        table = rules.reconciliation(book_balance, statement_balance, [r["amount_fen"] for r in open_stmt],
                                     [int(r[5]) for r in open_book])
        return {"import_id": imp.id, "bank": f"{org.name} · {bank.name}", "first_date": imp.first_date.isoformat(),
                "last_date": imp.last_date.isoformat(), "statement_balance_derived": derived, "matched": matched,
                "unmatched_statement": open_stmt, "unmatched_book": [_book_row(r) for r in open_book], **table}
