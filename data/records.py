"""The records behind a figure (the cockpit's drill-through): ledger lines, assets, resources,
contracts, overdue instalments, trade listings and warnings of a region subtree, scoped like
every other read. Money stays integer fen; the page formats it."""
from __future__ import annotations

import datetime as dt
from domain import clock

import polars as pl
from sqlalchemy import select

from data.db import reading
from data.models import Asset, Contract, ContractInstalment, Resource, TradeListing, Voucher, VoucherLine, Warning
from domain import privacy
from domain.regions import subtree_bounds
from domain.accounting import MEASURES
from domain.permissions import Action, Scope, ensure
from domain.records import KINDS
from domain.supervision.lifecycle import UNHANDLED

LIMIT = 5000
#: records naming a counterparty -> the record kind deciding how it is shown (domain.privacy)
PARTY_KIND = {"resources": "resource", "contracts": "contract", "overdue": "contract"}


#: the ledger accounts behind each cockpit figure
FIGURE_ACCOUNTS: dict[str, tuple[int, ...]] = {m.key: tuple(m.accounts) for m in MEASURES}
FIGURE_ACCOUNTS["funds"] = FIGURE_ACCOUNTS["cash"] + FIGURE_ACCOUNTS["bank"]
FIGURE_ACCOUNTS["total_assets"] = tuple(a for k in ("cash", "bank", "short_investment", "receivables", "inventory",
                                                    "biological", "long_investment", "fixed_assets", "intangible",
                                                    "other_assets") for a in FIGURE_ACCOUNTS[k])
FIGURE_ACCOUNTS["net_profit"] = tuple(a for m in MEASURES if m.kind == "flow" for a in m.accounts)


def _query(kind: str, lo: int, hi: int, today: dt.date, accounts: tuple[int, ...] | None):
    if kind == "ledger":
        q = (select(Voucher.date, Voucher.number, Voucher.summary, VoucherLine.account_code, VoucherLine.debit_fen,
                    VoucherLine.credit_fen, VoucherLine.region_code)
             .join(Voucher, Voucher.id == VoucherLine.voucher_id)
             .where(VoucherLine.region_code.between(lo, hi)).order_by(Voucher.date.desc(), Voucher.number.desc()))
        return q.where(VoucherLine.account_code.in_(accounts)) if accounts else q
    if kind == "assets":
        return (select(Asset.code, Asset.name, Asset.category, Asset.original_value_fen,
                       (Asset.original_value_fen - Asset.accumulated_depreciation_fen).label("net_value_fen"),
                       Asset.status, Asset.acquired_on, Asset.region_code)
                .where(Asset.region_code.between(lo, hi)).order_by(Asset.region_code, Asset.code))
    if kind == "resources":
        return (select(Resource.name, Resource.type, Resource.area_mu, Resource.contracted, Resource.contractor,
                       Resource.contracted_until, Resource.region_code, Contract.counterparty_id_type)
                .outerjoin(Contract, Contract.id == Resource.contract_id)
                .where(Resource.region_code.between(lo, hi)).order_by(Resource.region_code, Resource.id))
    if kind == "contracts":
        return (select(Contract.number, Contract.title, Contract.counterparty, Contract.amount_fen, Contract.start_on,
                       Contract.end_on, Contract.region_code, Contract.counterparty_id_type)
                .where(Contract.region_code.between(lo, hi), Contract.status == "active")
                .order_by(Contract.end_on))
    if kind == "overdue":
        return (select(Contract.number, Contract.counterparty, ContractInstalment.seq, ContractInstalment.due_on,
                       ContractInstalment.amount_fen, ContractInstalment.received_fen, ContractInstalment.region_code,
                       Contract.counterparty_id_type)
                .join(Contract, Contract.id == ContractInstalment.contract_id)
                .where(ContractInstalment.region_code.between(lo, hi), ContractInstalment.due_on < today,
                       ContractInstalment.received_fen < ContractInstalment.amount_fen)
                .order_by(ContractInstalment.due_on))
    if kind == "trades":
        return (select(TradeListing.title, TradeListing.kind, TradeListing.reserve_price_fen,
                       TradeListing.deal_price_fen, TradeListing.status, TradeListing.closes_on, TradeListing.region_code)
                .where(TradeListing.region_code.between(lo, hi)).order_by(TradeListing.closes_on.desc()))
    if kind == "warnings":
        return (select(Warning.title, Warning.severity, Warning.status, Warning.raised_at, Warning.region_code)
                .where(Warning.region_code.between(lo, hi), Warning.status.in_(UNHANDLED))
                .order_by(Warning.raised_at.desc()))
    raise ValueError(f"未知的台账类型：{kind}")


def records(url: str, scope: Scope, kind: str, region: int, *, figure: str | None = None,
            today: dt.date | None = None, limit: int = LIMIT) -> tuple[pl.DataFrame, bool]:
    """Rows of `kind` under `region` (newest first where it matters), at most `limit`; returns the
    frame and whether it was cut. The region must be inside the scope (OutOfScope otherwise)."""
    ensure(scope, Action.DASHBOARD_VIEW)
    region = scope.require(region)
    lo, hi = subtree_bounds(region)
    accounts = FIGURE_ACCOUNTS.get(figure) if kind == "ledger" and figure else None
    q = _query(kind, lo, hi, today or clock.today(), accounts).limit(limit + 1)
    with reading(url) as s:
        rows = s.execute(q).all()
    cols = [c for c, _, _ in KINDS[kind].columns]
    data = [tuple(r) for r in rows[:limit]]
    if kind in PARTY_KIND:  # the counterparty named as the viewer may see it in a list; its ID type dropped
        purpose = privacy.listing(scope, PARTY_KIND[kind])
        data = [tuple(privacy.redact(dict(zip(cols, r)), purpose, id_type=r[-1] or "").values()) for r in data]
    frame = pl.DataFrame(data, schema=cols, orient="row",
                         infer_schema_length=None) if rows else pl.DataFrame(schema=dict.fromkeys(cols, pl.String))
    return frame, len(rows) > limit
