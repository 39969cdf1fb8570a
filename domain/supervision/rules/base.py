"""Shared pieces of the supervision rules: labels, the frames a check reads, findings and helpers."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from collections.abc import Callable, Mapping

import polars as pl

from domain.money import yuan_text
from domain.privacy import Purpose, name_shown


SEVERITY_LABELS = {1: "低", 2: "中", 3: "高"}
AREA_LABELS = {"funds": "资金", "assets": "资产", "resources": "资源", "contracts": "合同", "trading": "产权交易",
               "meetings": "会议决策", "statistics": "统计分析", "disclosure": "阳光公开",
               "credit": "林业信用"}
#: working days a village has to handle a warning, by severity (kept as data)
DUE_WORKING_DAYS = {3: 5, 2: 10, 1: 15}

CASH, BANK = 101, 102
RECEIVABLE, PAYABLE = 112, 211
BORROWING_ACCOUNTS = (201, 221)
INCOME_ACCOUNTS = (501, 502, 503, 504)
EXPENSE_ACCOUNTS = (511, 512, 513, 514, 515)
#: the ledger accounts the engine reads
LEDGER_ACCOUNTS = (CASH, BANK, RECEIVABLE, PAYABLE, *BORROWING_ACCOUNTS, *INCOME_ACCOUNTS, *EXPENSE_ACCOUNTS)

#: The frames a check may read, their columns and types (dates pl.Date, money int64 fen).
I64, STR, DATE, BOOL = pl.Int64, pl.String, pl.Date, pl.Boolean
FRAME_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    # raw ledger, input of `ledger_frames`
    "ledger_lines": {"voucher_id": I64, "account_code": I64, "debit_fen": I64, "credit_fen": I64, "counterparty": STR},
    "ledger_vouchers": {"voucher_id": I64, "org_id": I64, "region_code": I64, "date": DATE, "opening": BOOL},
    # derived from the ledger
    "cash": {"org_id": I64, "region_code": I64, "voucher_id": I64, "date": DATE, "kind": STR, "in_fen": I64,
             "out_fen": I64},
    "voucher_mix": {"org_id": I64, "region_code": I64, "voucher_id": I64, "date": DATE, "income_fen": I64,
                    "expense_fen": I64},
    "payment_lines": {"org_id": I64, "region_code": I64, "voucher_id": I64, "date": DATE, "amount_fen": I64},
    "spending": {"org_id": I64, "region_code": I64, "period": I64, "spend_fen": I64},
    "arap": {"org_id": I64, "region_code": I64, "voucher_id": I64, "date": DATE, "account_code": I64, "debit_fen": I64,
             "credit_fen": I64, "counterparty": STR},
    "borrowings": {"org_id": I64, "region_code": I64, "voucher_id": I64, "date": DATE, "account_code": I64,
                   "amount_fen": I64},
    # business records
    "orgs": {"org_id": I64, "region_code": I64, "decision_threshold_fen": I64, "cash_limit_fen": I64},
    "payments": {"id": I64, "org_id": I64, "region_code": I64, "kind": STR, "amount_fen": I64, "purpose": STR,
                 "counterparty_name": STR, "counterparty_id_type": STR, "counterparty_id": STR, "request_date": DATE,
                 "approved_on": DATE, "paid_on": DATE, "status": STR, "resolution_id": I64, "money_kind": STR},
    "resolutions": {"resolution_id": I64, "org_id": I64, "decision_type": STR, "subject_type": STR, "subject_id": I64,
                    "amount_limit_fen": I64, "passed": BOOL, "held_on": DATE, "meeting_id": I64, "region_code": I64,
                    "number": STR, "recorded_by_id": I64, "confirmed_by_id": I64},
    # who entered each record that cites a resolution (payment requests, asset acts, contracts, listings)
    "citations": {"record_type": STR, "record_id": I64, "region_code": I64, "resolution_id": I64, "cited_by_id": I64},
    "users": {"user_id": I64, "username": STR},
    "asset_acts": {"id": I64, "asset_id": I64, "org_id": I64, "region_code": I64, "date": DATE, "kind": STR,
                   "original_value_fen": I64, "amount_fen": I64, "resolution_id": I64},
    "contracts": {"id": I64, "org_id": I64, "region_code": I64, "number": STR, "kind": STR, "counterparty": STR,
                  "counterparty_id_type": STR, "counterparty_id": STR, "counterparty_registered_on": DATE,
                  "amount_fen": I64, "direction": STR, "signed_on": DATE, "start_on": DATE, "end_on": DATE,
                  "status": STR, "resolution_id": I64},
    "instalments": {"id": I64, "contract_id": I64, "region_code": I64, "seq": I64, "due_on": DATE, "amount_fen": I64,
                    "received_fen": I64},
    "receipts": {"contract_id": I64, "received_on": DATE, "amount_fen": I64},
    "listings": {"id": I64, "org_id": I64, "region_code": I64, "title": STR, "kind": STR, "reserve_price_fen": I64,
                 "deal_price_fen": I64, "status": STR, "closes_on": DATE},
    "leases": {"id": I64, "org_id": I64, "region_code": I64, "number": STR, "kind": STR, "direction": STR,
               "status": STR, "amount_fen": I64, "start_on": DATE, "end_on": DATE, "resource_type": STR,
               "area_cmu": I64},
    "officials": {"org_id": I64, "member_id": I64, "name": STR, "id_number": STR, "official_title": STR},
    "annual_checks": {"id": I64, "org_id": I64, "region_code": I64, "year": I64, "filed_on": DATE},
    "disclosures": {"id": I64, "org_id": I64, "region_code": I64, "period": STR, "kind": STR, "state": STR},
    # forestry credit requests still awaiting a reply (applications, corrections, transfers)
    "credit_replies": {"id": I64, "kind": STR, "region_code": I64, "received_on": DATE, "answer_due": DATE, "status": STR},
    # forestry credit: the dishonest records (the joint-punishment list is the ones in publicity on the run date)
    "credit_punished": {"record_id": I64, "subject_id": I64, "identifier": STR, "id_type": STR, "subject_name": STR,
                        "title": STR, "subtype": STR, "document_no": STR, "occurred_on": DATE, "publicity_until": DATE,
                        "produced_by": STR, "status": STR},
}
FRAME_COLUMNS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in FRAME_SCHEMAS.items()}


def conform(name: str, frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """`frame` (or an empty frame) with exactly the columns and types of FRAME_SCHEMAS[name];
    ISO date text (SQLite) becomes pl.Date, 0/1 becomes bool."""
    schema = FRAME_SCHEMAS[name]
    if frame is None or frame.is_empty() and not frame.columns:
        return pl.DataFrame(schema=schema)
    casts = []
    for col, dtype in schema.items():
        if col not in frame.columns:
            casts.append(pl.lit(None, dtype).alias(col))
            continue
        have = frame.schema[col]
        c = pl.col(col)
        if dtype == DATE and have == pl.String:
            casts.append(c.str.slice(0, 10).str.to_date("%Y-%m-%d").alias(col))
        elif dtype == DATE and isinstance(have, pl.Datetime):
            casts.append(c.dt.date().alias(col))
        elif dtype == BOOL and have != pl.Boolean:
            casts.append((c.cast(pl.Int64) != 0).alias(col))
        else:
            casts.append(c.cast(dtype).alias(col))
    return frame.with_columns(casts).select(list(schema))


LEDGER_DERIVED = ("cash", "voucher_mix", "payment_lines", "spending", "arap", "borrowings")


@dataclass(frozen=True)
class Finding:
    region_code: int  # the village
    org_id: int | None
    subject_type: str
    subject_id: int | None
    title: str
    evidence: dict
    fingerprint: str
    period: str = ""


Frames = Mapping[str, pl.DataFrame]
Check = Callable[[Frames, Mapping, dt.date], list[Finding]]


# ---------------------------------------------------------------------------------- helpers
def yuan(fen: int) -> str:
    """12345 -> '123.45元' (the rules' texts put no space before the unit; domain.money formats)."""
    return yuan_text(fen, sep="")


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def months_back(period: int, months: int) -> int:
    """The period `months` months before `period` (yyyymm)."""
    idx = period // 100 * 12 + period % 100 - 1 - months
    return idx // 12 * 100 + idx % 12 + 1


def iso_date(value) -> str | None:
    return value.isoformat() if value is not None else None


def fingerprint(rule_id: str, subject_type: str, subject_id, period: str | int = "") -> str:
    """Stable identity of a fault: the same fault found again maps to the same warning. The
    period is the last `:`-separated part (the engine reads it back for windowed rules)."""
    return f"{rule_id}:{subject_type}:{subject_id}:{period}"


def fingerprint_period(fp: str) -> str:
    return fp.rsplit(":", 1)[-1]


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def titled(name, id_type: str | None) -> str:
    """A counterparty as a warning's title names it. Titles are read in every list up to the
    province (the cockpit's newest warnings), so a person's name is masked as statistics show it;
    the evidence keeps it for those who work the warning (domain.privacy)."""
    return name_shown(name, id_type, Purpose.STATISTICS)


def make_finding(rule_id: str, row: dict, subject_type: str, subject_id, title: str, evidence: dict,
                 period: str | int = "") -> Finding:
    return Finding(region_code=int(row["region_code"]), org_id=int(row["org_id"]) if row.get("org_id") is not None else None,
                   subject_type=subject_type, subject_id=int(subject_id) if subject_id is not None else None,
                   title=title, evidence=evidence, fingerprint=fingerprint(rule_id, subject_type, subject_id, period),
                   period=str(period))


def first_ids(values, cap: int = 20) -> list[int]:
    return [int(v) for v in list(values)[:cap]]


def org_thresholds(orgs: pl.DataFrame, column: str, default: int) -> pl.DataFrame:
    return orgs.select("org_id", pl.col(column).fill_null(default).cast(pl.Int64).alias("threshold_fen"))
