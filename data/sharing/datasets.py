"""One SELECT per dataset of domain.sharing.catalogue, restricted by data.scoped to the key's
approved regions and, where the dataset has a date, to the approved period; sorted by region
code for stable paging."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from data.models import (Asset, CollectiveOrg, Contract, CreditRecord, CreditSubject, Resource, VillageProfile, VoucherLine,
                         Warning)
from data.scoped import in_scope
from domain import clock
from domain.sharing.calls import Query

CASH_ACCOUNTS = (101, 102)  # 库存现金, 银行存款: the monetary funds


def _month(d: dt.date) -> int:
    return d.year * 100 + d.month


def statement(query: Query, scope):
    lo, hi = query.date_from, query.date_to
    name = query.dataset
    if name == "organisations":
        return (select(CollectiveOrg.region_code, CollectiveOrg.name, CollectiveOrg.uscc, CollectiveOrg.org_type,
                       CollectiveOrg.established_on)
                .where(in_scope(CollectiveOrg.region_code, scope)).order_by(CollectiveOrg.region_code, CollectiveOrg.id))
    if name == "village_base":
        return (select(CollectiveOrg.region_code, CollectiveOrg.name.label("org_name"), VillageProfile.population,
                       VillageProfile.households, VillageProfile.labour_force, VillageProfile.village_groups,
                       VillageProfile.farmland_mu)
                .join(CollectiveOrg, CollectiveOrg.id == VillageProfile.org_id)
                .where(in_scope(CollectiveOrg.region_code, scope)).order_by(CollectiveOrg.region_code, VillageProfile.id))
    if name == "assets":
        return (select(Asset.region_code, Asset.code, Asset.name, Asset.category, Asset.status,
                       Asset.original_value_fen, (Asset.original_value_fen - Asset.accumulated_depreciation_fen)
                       .label("net_value_fen"), Asset.acquired_on, Asset.custodian)
                .where(in_scope(Asset.region_code, scope), Asset.acquired_on.between(lo, hi))
                .order_by(Asset.region_code, Asset.id))
    if name == "resources":
        return (select(Resource.region_code, Resource.name, Resource.type, Resource.area_mu, Resource.contracted,
                       Resource.contractor, Resource.contracted_until)
                .where(in_scope(Resource.region_code, scope)).order_by(Resource.region_code, Resource.id))
    if name == "contracts":
        return (select(Contract.region_code, Contract.number, Contract.title, Contract.kind, Contract.counterparty,
                       Contract.counterparty_id, Contract.counterparty_id_type, Contract.amount_fen, Contract.signed_on,
                       Contract.end_on, Contract.status)
                .where(in_scope(Contract.region_code, scope), Contract.signed_on.between(lo, hi))
                .order_by(Contract.region_code, Contract.id))
    if name == "funds_monthly":
        cash = VoucherLine.account_code.in_(CASH_ACCOUNTS)
        return (select(VoucherLine.region_code, VoucherLine.period,
                       func.sum(VoucherLine.debit_fen).label("receipts_fen"),
                       func.sum(VoucherLine.credit_fen).label("payments_fen"))
                .where(in_scope(VoucherLine.region_code, scope), VoucherLine.period.between(_month(lo), _month(hi)), cash)
                .group_by(VoucherLine.region_code, VoucherLine.period)
                .order_by(VoucherLine.region_code, VoucherLine.period))
    if name == "warnings":
        start = dt.datetime.combine(lo, dt.time(), dt.UTC)
        end = dt.datetime.combine(hi + dt.timedelta(days=1), dt.time(), dt.UTC)
        return (select(Warning.region_code, Warning.rule_id, Warning.severity, Warning.status, Warning.title,
                       Warning.raised_at)
                .where(in_scope(Warning.region_code, scope), Warning.raised_at >= start, Warning.raised_at < end)
                .order_by(Warning.region_code, Warning.id))
    if name in ("credit_open_records", "credit_shared_records"):
        return credit_statement(query, scope)
    raise ValueError(f"unknown dataset {name!r}")


def credit_statement(query: Query, scope):
    """Forestry credit records of the approved regions and period: open_class (or share_class)
    无条件, in effect on today (a dishonest record only within its publicity)."""
    from data.credit.open import effective

    cls = CreditRecord.open_class if query.dataset == "credit_open_records" else CreditRecord.share_class
    return effective(select(CreditRecord.region_code, CreditRecord.kind, CreditRecord.subtype, CreditRecord.title,
                            CreditRecord.occurred_on, CreditRecord.publicity_until, CreditRecord.document_no,
                            CreditRecord.produced_by, CreditSubject.kind.label("subject_kind"),
                            CreditSubject.name.label("subject_name"), CreditSubject.identifier, CreditSubject.id_type)
                     .join(CreditSubject, CreditSubject.id == CreditRecord.subject_id)
                     .where(cls == "unconditional", in_scope(CreditRecord.region_code, scope),
                            CreditRecord.occurred_on.between(query.date_from, query.date_to)), clock.today()
                     ).order_by(CreditRecord.region_code, CreditRecord.id)
