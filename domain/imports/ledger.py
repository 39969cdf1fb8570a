"""Historical ledger lines -> vouchers: lines sharing a region, a month and a voucher number are
one voucher (they must share its date); each line is a debit or a credit, never both; its account
must be on the 2023 chart (or, for a 2004 ledger, map to exactly one 2023 account); each voucher's
debits equal its credits to the fen. Every problem names the row and the column."""
from __future__ import annotations

from dataclasses import dataclass

from domain.funds.chart import CHART
from domain.imports.chart2004 import map_2004
from domain.imports.kinds import RowError
from domain.money import period_label, period_of, yuan


@dataclass
class VoucherGroup:
    region_code: int
    period: int
    number: int
    date: object
    summary: str
    first_row: int
    lines: list[dict]  # typed row values with a 2023 "account"

    @property
    def label(self) -> str:
        return f"{period_label(self.period)}第{self.number}号"


def account_problem(row: dict, chart: int) -> tuple[int | None, str | None]:
    """The 2023 account of a row's 科目代码 (mapped from 2004 when `chart` is 2004), or why not."""
    code = row["account"]
    if chart == 2004:
        return map_2004(code)
    if code not in CHART:
        return None, f"科目 {code} 不在 2023 年村集体经济组织会计科目表中"
    return code, None


def group_vouchers(rows: list[dict], chart: int) -> tuple[list[VoucherGroup], list[RowError], set[int]]:
    """Typed ledger rows (without cell errors) -> (vouchers, errors, the 2004 codes that could not
    be mapped)."""
    errors: list[RowError] = []
    unmapped: set[int] = set()
    groups: dict[tuple[int, int, int], VoucherGroup] = {}
    for r in rows:
        account, why = account_problem(r, chart)
        if why:
            errors.append(RowError(r["_row"], "科目代码", why))
            if chart == 2004:
                unmapped.add(r["account"])
            continue
        if bool(r["debit_fen"]) == bool(r["credit_fen"]):
            errors.append(RowError(r["_row"], "借方金额", "借方金额、贷方金额须填且只填一个（且不为0）"))
            continue
        key = (r["region_code"], period_of(r["date"]), r["number"])
        g = groups.get(key)
        if g is None:
            g = groups[key] = VoucherGroup(key[0], key[1], key[2], r["date"], r["summary"], r["_row"], [])
        elif r["date"] != g.date:
            errors.append(RowError(r["_row"], "日期", f"与同一凭证（{g.label}，第 {g.first_row} 行）的日期不同"))
            continue
        g.lines.append({**r, "account": account})
    for g in groups.values():
        debit = sum(ln["debit_fen"] for ln in g.lines)
        credit = sum(ln["credit_fen"] for ln in g.lines)
        if debit != credit:
            errors.append(RowError(g.first_row, "借方金额",
                                   f"凭证 {g.label} 借贷不平（借方 {yuan(debit)}，贷方 {yuan(credit)}）"))
        if len(g.lines) > 500:
            errors.append(RowError(g.first_row, "凭证号", f"凭证 {g.label} 超过 500 行"))
    return list(groups.values()), errors, unmapped
