"""Listings, bids and awards in the system of record; an award creates the contract and its
instalments in the same transaction."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from data.admin.audit_log import log_change
from data.contracts import terms
from data.db import reading, transaction
from data.errors import AccountError
from data.supervision.engine import runs_after_write
from data.meetings import resolution_facts
from data.models import Bid, Contract, Resource, TradeListing, utcnow
from data.scoped import in_scope, load_for_write, scoped
from domain import trading as rules
from domain import privacy
from domain.funds.parsing import parse_amount
from domain.meetings import citation_problem
from domain.permissions import Action, Actor, ensure


def create_listing(url: str, key: str, actor: Actor, resource_id: int, kind: str, reserve: str, term_months: int | None,
                   resolution_id: int | None, opens_on: dt.date | None, closes_on: dt.date | None,
                   today: dt.date) -> int:
    ensure(actor, Action.TRADE_LIST)
    reserve_fen, why = parse_amount(reserve)
    errors = rules.listing_problems(kind, reserve_fen, term_months, opens_on, closes_on, today)
    if why:
        errors["reserve"] = why
    with transaction(url, actor) as s:
        res = load_for_write(s, Resource, resource_id, actor, noun="该资源", action=Action.TRADE_LIST)
        if res.contracted:
            errors["resource"] = "该资源已发包，不能再挂牌"
        if kind in rules.KIND_LABELS:  # the resolution must have voted this very listing (domain.meetings)
            problem = citation_problem(resolution_facts(s, resolution_id), decision_type=kind, org_id=res.org_id,
                                       on_date=opens_on or today, subject_type="resource", subject_id=res.id,
                                       what=f"资源{rules.KIND_LABELS[kind]}挂牌")
            if problem:
                errors["resolution"] = problem
        if errors:
            raise AccountError(errors)
        listing = TradeListing(org_id=res.org_id, region_code=res.region_code, title=f"{res.name}{rules.KIND_LABELS[kind]}",
                               kind=kind, subject_type="resource", subject_id=res.id, reserve_price_fen=reserve_fen,
                               term_months=term_months, resolution_id=resolution_id, opens_on=opens_on,
                               closes_on=closes_on, status="open", collected_by_id=actor.user_id,
                               provided_by=actor.username, responsible_by=actor.username)
        s.add(listing)
        s.flush()
        log_change(s, key, actor, res.region_code, f"挂牌：{listing.title}，底价 {reserve}", listing_id=listing.id)
        return listing.id


def place_bid(url: str, key: str, actor: Actor, listing_id: int, bidder: str, id_type: str, id_number: str,
              amount: str, day: dt.date) -> int:
    ensure(actor, Action.TRADE_BID)
    amount_fen, why = parse_amount(amount)
    with transaction(url, actor) as s:
        listing = load_for_write(s, TradeListing, listing_id, actor, noun="该挂牌项目", action=Action.TRADE_BID)
        if listing.status != "open":
            raise AccountError("该项目已结束竞价")
        errors = rules.bid_problems(bidder, id_type, (id_number or "").strip().upper(), amount_fen,
                                    listing.reserve_price_fen, listing.opens_on, listing.closes_on, day)
        if why:
            errors["amount"] = why
        if errors:
            raise AccountError(errors)
        bid = Bid(listing_id=listing.id, bidder=bidder.strip(), bidder_id_type=id_type,
                  bidder_id=id_number.strip().upper(), amount_fen=amount_fen, at=utcnow())
        s.add(bid)
        s.flush()
        log_change(s, key, actor, listing.region_code, f"登记报价：{listing.title}，"
                   f"{privacy.name_shown(bid.bidder, bid.bidder_id_type, privacy.Purpose.LOG)} {amount}", bid_id=bid.id)
        return bid.id


@runs_after_write("trade_listings", "listing_id")
def award(url: str, key: str, actor: Actor, listing_id: int, expected_version: int, today: dt.date) -> int | None:
    """After the window: the best bid wins and becomes a contract (returns its id); no bid → failed."""
    ensure(actor, Action.TRADE_AWARD)
    with transaction(url, actor) as s:
        listing = load_for_write(s, TradeListing, listing_id, actor, expected_version, noun="该挂牌项目",
                                 action=Action.TRADE_AWARD, stale="该项目已被他人处理，请刷新后再操作")
        if listing.status != "open":
            raise AccountError("该项目已结束竞价")
        if today <= listing.closes_on:
            raise AccountError("竞价期尚未结束，不能确定成交")
        bids = [{"id": b.id, "amount_fen": b.amount_fen, "at": b.at, "obj": b}
                for b in s.scalars(select(Bid).where(Bid.listing_id == listing.id))]
        best = rules.best_bid(bids)
        if best is None:
            listing.status = "failed"
            log_change(s, key, actor, listing.region_code, f"流拍：{listing.title}", listing_id=listing.id)
            return None
        b = best["obj"]
        listing.status, listing.awarded_bid_id, listing.deal_price_fen = "awarded", b.id, b.amount_fen
        res = s.get(Resource, listing.subject_id)
        term = listing.term_months or 12
        start = today + dt.timedelta(days=1)
        schedule = rules.instalments(start, term, b.amount_fen)
        y, m = divmod(start.month - 1 + term, 12)
        end = dt.date(start.year + y, m + 1, min(start.day, 28)) - dt.timedelta(days=1)
        contract = Contract(org_id=listing.org_id, region_code=listing.region_code, number=f"JY{listing.id:06d}",
                            title=f"{listing.title}合同", kind=listing.kind, counterparty=b.bidder,
                            counterparty_id_type=b.bidder_id_type, counterparty_id=b.bidder_id, subject_type="resource",
                            subject_id=listing.subject_id, amount_fen=sum(a for _, a in schedule), direction="income",
                            signed_on=today, start_on=start, end_on=end, status="active",
                            resolution_id=listing.resolution_id, listing_id=listing.id,
                            collected_by_id=actor.user_id, provided_by=actor.username, responsible_by=actor.username)
        s.add(contract)
        s.flush()
        terms.write_instalments(s, contract, schedule)
        if res is not None:
            terms.let_resource(res, contract)
        log_change(s, key, actor, listing.region_code, f"成交：{listing.title}，"
                   f"{privacy.name_shown(b.bidder, b.bidder_id_type, privacy.Purpose.LOG)}，合同 {contract.number}",
             listing_id=listing.id, contract_id=contract.id)
        return contract.id


def list_listings(url: str, actor: Actor, limit: int = 2000) -> list[dict]:
    with reading(url) as s:
        q = scoped(select(TradeListing), TradeListing, actor).order_by(TradeListing.id.desc()).limit(limit)
        out = []
        for t in s.scalars(q):
            n = s.scalar(select(func.count()).select_from(Bid).where(Bid.listing_id == t.id))
            out.append({"id": t.id, "title": t.title, "kind": rules.KIND_LABELS.get(t.kind, t.kind),
                        "reserve_price_fen": t.reserve_price_fen, "deal_price_fen": t.deal_price_fen,
                        "opens_on": t.opens_on.isoformat(), "closes_on": t.closes_on.isoformat(), "bids": n,
                        "status": rules.STATUS_LABELS.get(t.status, t.status), "region_code": int(t.region_code),
                        "version": t.version})
        return out


def open_resources(url: str, actor: Actor, limit: int = 500) -> list[dict]:
    """Resources not contracted out, with the passed lease/transfer resolutions of their organisation."""
    with reading(url) as s:
        q = (select(Resource).where(in_scope(Resource.region_code, actor), Resource.contracted.is_(False))
             .order_by(Resource.region_code, Resource.id).limit(limit))
        return [{"id": r.id, "org_id": r.org_id, "label": f"{r.name}（{r.type}，{r.area_mu} 亩）"} for r in s.scalars(q)]
