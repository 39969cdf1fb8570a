"""The supervision rules as pure functions over small polars frames: for every rule a record that
must raise a warning and a near miss at the threshold boundary that must not."""
from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from domain.supervision.rules import (BENFORD, FRAME_SCHEMAS, RULES, aged_balances, benford_stats, chi2_sf_8, conform,
                                      fingerprint_period, ledger_frames, ledger_frames_by_joins, nigrini_band, params_for)

TODAY = dt.date(2026, 11, 22)
V1, V2 = 220122001001, 220122001002
ORG1, ORG2 = 1, 2
D = dt.date


def frames(**given) -> dict[str, pl.DataFrame]:
    """Every frame a rule may read (empty unless given); a list of dicts becomes a frame."""
    out = {name: conform(name) for name in FRAME_SCHEMAS}
    out["orgs"] = conform("orgs", pl.DataFrame([org(ORG1, V1), org(ORG2, V2)]))
    for name, value in given.items():
        out[name] = conform(name, pl.DataFrame(value, infer_schema_length=None) if isinstance(value, list) else value)
    return out


def org(org_id, region, threshold=5_000_000, cash_limit=None):
    return {"org_id": org_id, "region_code": region, "decision_threshold_fen": threshold, "cash_limit_fen": cash_limit}


def run(rule_id: str, f: dict, today: dt.date = TODAY, **params):
    rule = RULES[rule_id]
    return rule.check(f, {**params_for(rule, 22), **params}, today)


class Ledger:
    """A tiny ledger: vouchers of (date, [(account, debit, credit[, counterparty])])."""

    def __init__(self):
        self.lines, self.vouchers = [], []

    def add(self, day: dt.date, *lines, org_id=ORG1, region=V1, opening=False) -> int:
        vid = len(self.vouchers) + 1
        self.vouchers.append({"voucher_id": vid, "org_id": org_id, "region_code": region, "date": day,
                              "opening": opening})
        for ln in lines:
            account, debit, credit, *rest = ln
            self.lines.append({"voucher_id": vid, "account_code": account, "debit_fen": debit, "credit_fen": credit,
                               "counterparty": rest[0] if rest else None})
        return vid

    def frames(self, **more) -> dict:
        derived = ledger_frames(conform("ledger_lines", pl.DataFrame(self.lines, infer_schema_length=None)),
                                conform("ledger_vouchers", pl.DataFrame(self.vouchers)))
        return frames(**derived, **more)


def test_rules001_registry_is_complete_and_described():
    assert len(RULES) >= 18
    for rule in RULES.values():
        assert rule.name and rule.article and rule.description and rule.severity in (1, 2, 3)
        assert rule.area in ("funds", "assets", "resources", "contracts", "trading", "meetings", "statistics",
                             "disclosure", "credit")
        assert callable(rule.check) and rule.needs
        assert set(rule.needs) <= set(FRAME_SCHEMAS)
        assert rule.check(frames(orgs=[]), params_for(rule, 22), TODAY) == []  # nothing to find in empty data


def test_rules002_province_overrides_apply(monkeypatch):
    from domain.supervision import rules as warning_rules

    monkeypatch.setitem(warning_rules.PROVINCE_PARAMS, 36, {"cash_over_limit": {"limit_fen": 300_000}})
    assert params_for("cash_over_limit", 36)["limit_fen"] == 300_000
    assert params_for("cash_over_limit", 22)["limit_fen"] == 500_000


# ------------------------------------------------------------------------------------ cash
def _cash_ledger(extra_fen: int) -> Ledger:
    led = Ledger()
    led.add(D(2026, 1, 1), (101, 300_000, 0), (301, 0, 300_000), opening=True)
    led.add(D(2026, 10, 5), (101, 200_000 + extra_fen, 0), (501, 0, 200_000 + extra_fen))
    return led


def test_rules003_cash_over_limit_at_and_above_the_limit():
    assert run("cash_over_limit", _cash_ledger(0).frames()) == []  # exactly 5,000.00 yuan is allowed
    [w] = run("cash_over_limit", _cash_ledger(1).frames())
    assert w.evidence["balance_fen"] == 500_001 and w.evidence["limit_fen"] == 500_000
    assert w.evidence["since"] == "2026-10-05" and w.region_code == V1 and w.subject_type == "org"
    assert "5,000.01元" in w.title and "5,000.00元" in w.title


def test_rules004_cash_limit_of_the_organisation_wins_and_episodes_restart():
    led = _cash_ledger(1)
    f = led.frames(orgs=[org(ORG1, V1, cash_limit=500_001)])
    assert run("cash_over_limit", f) == []
    led.add(D(2026, 10, 8), (102, 100_000, 0), (101, 0, 100_000))   # deposit: back under the limit
    led.add(D(2026, 11, 2), (101, 150_000, 0), (501, 0, 150_000))   # over again
    [w] = run("cash_over_limit", led.frames())
    assert w.evidence["since"] == "2026-11-02" and w.evidence["balance_fen"] == 550_001
    assert w.fingerprint.endswith(":2026-11-02")


def _payment(pid=1, **kw):
    row = {"id": pid, "org_id": ORG1, "region_code": V1, "kind": "payment", "amount_fen": 100_000,
           "purpose": "购买化肥", "counterparty_name": "某农资公司", "counterparty_id_type": "uscc",
           "counterparty_id": "91220122MA0000000X", "request_date": D(2026, 9, 1), "approved_on": None,
           "paid_on": D(2026, 9, 2),
           "status": "posted", "resolution_id": None, "money_kind": "cash"}
    row.update(kw)
    return row


def test_rules005_cash_payment_to_an_organisation_from_1000_yuan():
    [w] = run("cash_payment_to_org", frames(payments=[_payment(amount_fen=100_000)]))
    assert w.subject_type == "payment_request" and w.subject_id == 1 and w.evidence["min_fen"] == 100_000
    assert run("cash_payment_to_org", frames(payments=[_payment(amount_fen=99_999)])) == []
    assert run("cash_payment_to_org", frames(payments=[_payment(money_kind="bank")])) == []
    assert run("cash_payment_to_org", frames(payments=[_payment(counterparty_id_type="resident")])) == []


def _takings(deposit_after_days: int | None, amount=100_000) -> Ledger:
    led = Ledger()
    led.add(D(2026, 10, 1), (101, amount, 0), (501, 0, amount))
    if deposit_after_days is not None:
        led.add(D(2026, 10, 1) + dt.timedelta(days=deposit_after_days), (102, amount, 0), (101, 0, amount))
    return led


def test_rules006_cash_not_deposited_within_three_days():
    assert run("cash_not_deposited", _takings(3).frames()) == []  # deposited on the third day: in time
    [w] = run("cash_not_deposited", _takings(4).frames())
    assert w.evidence == {"date": "2026-10-01", "amount_fen": 100_000, "deposited_fen": 0, "deadline": "2026-10-04",
                          "days": 3, "voucher_ids": [1], "min_fen": 100_000}
    assert run("cash_not_deposited", _takings(None, amount=99_999).frames()) == []  # below 1,000 yuan
    # the deadline has not passed yet: nothing to say
    assert run("cash_not_deposited", _takings(None).frames(), today=D(2026, 10, 4)) == []
    assert len(run("cash_not_deposited", _takings(None).frames(), today=D(2026, 10, 5))) == 1


def test_rules007_bank_withdrawal_is_not_takings():
    led = Ledger()
    led.add(D(2026, 10, 1), (101, 500_000, 0), (102, 0, 500_000))
    assert run("cash_not_deposited", led.frames()) == []


def test_rules008_sitting_payment_is_income_netted_against_expense():
    led = Ledger()
    vid = led.add(D(2026, 10, 9), (513, 80_000, 0), (501, 0, 80_000))
    [w] = run("cash_sitting_payment", led.frames())
    assert w.subject_type == "voucher" and w.subject_id == vid and w.evidence["income_fen"] == 80_000
    ok = Ledger()  # through the bank: received, then paid
    ok.add(D(2026, 10, 9), (102, 80_000, 0), (501, 0, 80_000))
    ok.add(D(2026, 10, 9), (513, 80_000, 0), (102, 0, 80_000))
    ok.add(D(2026, 10, 9), (102, 94_000, 0), (513, 6_000, 0), (501, 0, 100_000))  # fee deducted, money line present
    assert run("cash_sitting_payment", ok.frames()) == []


def test_rules009_duplicate_payment_within_the_window():
    a = _payment(1, paid_on=D(2026, 9, 1), money_kind="bank")
    b = _payment(2, paid_on=D(2026, 10, 1), money_kind="bank")  # 30 days later
    [w] = run("duplicate_payment", frames(payments=[a, b]))
    assert w.subject_id == 2 and w.evidence["previous_id"] == 1 and w.evidence["window_days"] == 30
    c = _payment(2, paid_on=D(2026, 10, 2))  # 31 days later
    assert run("duplicate_payment", frames(payments=[a, c])) == []
    assert run("duplicate_payment", frames(payments=[a, _payment(2, paid_on=D(2026, 9, 5), amount_fen=100_001)])) == []
    assert run("duplicate_payment", frames(payments=[a, _payment(2, paid_on=D(2026, 9, 5), status="rejected")])) == []


OFFICIAL_ID = "220122198001011234"


def test_rules010_official_as_payee_or_counterparty():
    officials = [{"org_id": ORG1, "member_id": 7, "name": "张三", "id_number": OFFICIAL_ID, "official_title": "村报账员（出纳）"}]
    pay = _payment(counterparty_id_type="resident", counterparty_id=OFFICIAL_ID.lower(), counterparty_name="张三")
    [w] = run("official_counterparty", frames(officials=officials, payments=[pay]))
    assert w.evidence["member_id"] == 7 and "村报账员" in w.title
    other_org = dict(pay, org_id=ORG2, region_code=V2)  # an official of another village is not one of ours
    assert run("official_counterparty", frames(officials=officials, payments=[other_org])) == []
    assert run("official_counterparty", frames(officials=officials,
                                                payments=[dict(pay, counterparty_id="220122198001011242")])) == []
    [c] = run("official_counterparty", frames(officials=officials, contracts=[_contract(counterparty_id=OFFICIAL_ID)]))
    assert c.subject_type == "contract"


# ------------------------------------------------------------------------------------ decisions
def _resolution(rid=1, **kw):
    row = {"resolution_id": rid, "org_id": ORG1, "decision_type": "payment", "subject_type": None, "subject_id": None,
           "amount_limit_fen": None, "passed": True, "held_on": D(2026, 8, 20)}
    row.update(kw)
    return row


def test_rules011_payment_at_the_threshold_needs_a_resolution():
    big = _payment(amount_fen=5_000_000, money_kind="bank")
    [w] = run("no_resolution", frames(payments=[big]))
    assert w.subject_type == "payment_request" and w.evidence["threshold_fen"] == 5_000_000
    assert run("no_resolution", frames(payments=[dict(big, amount_fen=4_999_999)])) == []
    assert run("no_resolution", frames(payments=[dict(big, resolution_id=1)], resolutions=[_resolution()])) == []
    for bad in (_resolution(held_on=D(2026, 9, 3)), _resolution(org_id=ORG2), _resolution(passed=False),
                _resolution(decision_type="lease")):
        assert len(run("no_resolution", frames(payments=[dict(big, resolution_id=1)], resolutions=[bad]))) == 1, bad


def test_rules012_organisation_threshold_is_used():
    f = frames(payments=[_payment(amount_fen=5_000_000)], orgs=[org(ORG1, V1, threshold=10_000_000)])
    assert run("no_resolution", f) == []


def _act(**kw):
    row = {"id": 11, "asset_id": 5, "org_id": ORG1, "region_code": V1, "date": D(2026, 6, 1), "kind": "disposal",
           "original_value_fen": 80_000, "amount_fen": 30_000, "resolution_id": None}
    row.update(kw)
    return row


def test_rules013_every_asset_act_needs_a_resolution_on_that_asset():
    [w] = run("no_resolution", frames(asset_acts=[_act()]))
    assert w.subject_type == "asset_event" and w.evidence["act"] == "disposal"
    good = _resolution(decision_type="disposal", subject_type="asset", subject_id=5, held_on=D(2026, 6, 1))
    assert run("no_resolution", frames(asset_acts=[_act(resolution_id=1)], resolutions=[good])) == []
    other = dict(good, subject_id=6)
    assert len(run("no_resolution", frames(asset_acts=[_act(resolution_id=1)], resolutions=[other]))) == 1
    assert len(run("no_resolution", frames(asset_acts=[_act(kind="pledge", resolution_id=1)], resolutions=[good]))) == 1


def _contract(cid=21, **kw):
    row = {"id": cid, "org_id": ORG1, "region_code": V1, "number": f"HT-{cid}", "kind": "lease", "counterparty": "李四",
           "counterparty_id_type": "resident", "counterparty_id": "220122197001011236",
           "counterparty_registered_on": None, "amount_fen": 1_000_000, "direction": "income",
           "signed_on": D(2025, 3, 1), "start_on": D(2025, 3, 1), "end_on": D(2028, 2, 28), "status": "active",
           "resolution_id": None}
    row.update(kw)
    return row


def test_rules014_lease_contract_at_the_threshold_needs_a_resolution():
    [w] = run("no_resolution", frames(contracts=[_contract(amount_fen=5_000_000)]))
    assert w.subject_type == "contract"
    assert run("no_resolution", frames(contracts=[_contract(amount_fen=4_999_999)])) == []
    res = _resolution(decision_type="lease", held_on=D(2025, 3, 1))
    assert run("no_resolution", frames(contracts=[_contract(amount_fen=5_000_000, resolution_id=1)],
                                       resolutions=[res])) == []


def test_rules015_borrowing_needs_a_borrowing_resolution_within_a_year_before():
    led = Ledger()
    led.add(D(2026, 5, 10), (102, 5_000_000, 0), (201, 0, 5_000_000))
    [w] = run("no_resolution", led.frames())
    assert w.subject_type == "voucher" and w.evidence["amount_fen"] == 5_000_000
    res = _resolution(decision_type="borrowing", held_on=D(2025, 5, 10))  # 365 days before
    assert run("no_resolution", led.frames(resolutions=[res])) == []
    late = _resolution(decision_type="borrowing", held_on=D(2025, 5, 9))  # 366 days before
    assert len(run("no_resolution", led.frames(resolutions=[late]))) == 1
    small = Ledger()
    small.add(D(2026, 5, 10), (102, 4_999_999, 0), (201, 0, 4_999_999))
    assert run("no_resolution", small.frames()) == []


def test_rules016_paid_before_approval():
    [w] = run("paid_before_approval", frames(payments=[_payment(request_date=D(2026, 9, 2), paid_on=D(2026, 9, 1))]))
    assert "早于申请日期" in w.title
    assert run("paid_before_approval", frames(payments=[_payment(request_date=D(2026, 9, 2), paid_on=D(2026, 9, 2))])) == []
    [w] = run("paid_before_approval", frames(payments=[_payment(approved_on=D(2026, 9, 3), paid_on=D(2026, 9, 2))]))
    assert "早于审批通过日期2026-09-03" in w.title
    assert run("paid_before_approval", frames(payments=[_payment(approved_on=D(2026, 9, 2), paid_on=D(2026, 9, 2))])) == []
    cited = _payment(resolution_id=1, paid_on=D(2026, 9, 2))
    [w] = run("paid_before_approval", frames(payments=[cited], resolutions=[_resolution(held_on=D(2026, 9, 3))]))
    assert "决议会议日期" in w.title
    assert run("paid_before_approval", frames(payments=[cited], resolutions=[_resolution(held_on=D(2026, 9, 2))])) == []


# ------------------------------------------------------------------------------------ contracts
def _schedule(cid=21, due=D(2026, 3, 1), amount=100_000, received=0, iid=31):
    return {"id": iid, "contract_id": cid, "region_code": V1, "seq": 1, "due_on": due, "amount_fen": amount,
            "received_fen": received}


def test_rules017_expired_contract_still_active_or_owing():
    [w] = run("contract_expired_active", frames(contracts=[_contract(end_on=TODAY - dt.timedelta(days=1))]))
    assert "仍为履行中" in w.title
    assert run("contract_expired_active", frames(contracts=[_contract(end_on=TODAY)])) == []
    done = _contract(end_on=D(2026, 2, 28), status="expired")
    paid = [_schedule(received=100_000)]
    assert run("contract_expired_active", frames(contracts=[done], instalments=paid)) == []
    [w] = run("contract_expired_active", frames(contracts=[done], instalments=[_schedule(received=40_000)]))
    assert w.evidence["owed_fen"] == 60_000
    late = [{"contract_id": 21, "received_on": D(2026, 3, 1), "amount_fen": 100_000}]
    [w] = run("contract_expired_active", frames(contracts=[done], instalments=paid, receipts=late))
    assert w.evidence["late_receipts"] == 1


def test_rules018_instalment_overdue_from_the_day_after_it_is_due():
    c = [_contract()]
    [w] = run("instalment_overdue", frames(contracts=c, instalments=[_schedule(due=TODAY - dt.timedelta(days=1))]))
    assert w.evidence["days_overdue"] == 1 and w.subject_type == "instalment"
    assert run("instalment_overdue", frames(contracts=c, instalments=[_schedule(due=TODAY)])) == []
    assert run("instalment_overdue", frames(contracts=c, instalments=[_schedule(due=D(2026, 1, 1), received=100_000)])) == []
    due = TODAY - dt.timedelta(days=10)
    assert run("instalment_overdue", frames(contracts=c, instalments=[_schedule(due=due)]), grace_days=10) == []
    assert len(run("instalment_overdue", frames(contracts=c, instalments=[_schedule(due=due - dt.timedelta(days=1))]),
                   grace_days=10)) == 1


def test_rules019_contract_expiring_within_90_days():
    for days, n in ((90, 1), (91, 0), (0, 1), (-1, 0)):
        found = run("contract_expiring", frames(contracts=[_contract(end_on=TODAY + dt.timedelta(days=days))]))
        assert len(found) == n, days
    assert run("contract_expiring", frames(contracts=[_contract(end_on=TODAY, status="terminated")])) == []


def test_rules020_dates_out_of_order():
    late_sign = _contract(signed_on=D(2025, 3, 2), start_on=D(2025, 3, 1))
    [w] = run("contract_signed_after_start", frames(contracts=[late_sign]))
    assert w.evidence == {"contract_id": 21, "signed_on": "2025-03-02", "start_on": "2025-03-01"}
    assert run("contract_signed_after_start", frames(contracts=[_contract()])) == []
    young = _contract(counterparty_registered_on=D(2025, 3, 2))
    [w] = run("supplier_registered_after_contract", frames(contracts=[young]))
    assert w.evidence["registered_on"] == "2025-03-02"
    assert run("supplier_registered_after_contract",
               frames(contracts=[_contract(counterparty_registered_on=D(2025, 3, 1))])) == []
    assert run("supplier_registered_after_contract", frames(contracts=[_contract()])) == []


# ------------------------------------------------------------------------------------ receivables
def test_rules021_receivable_aged_three_years_from_the_cutoff_day():
    cut3 = D(2023, 11, 22)
    led = Ledger()
    led.add(cut3, (112, 70_000, 0, "王五"), (501, 0, 70_000))
    [w] = run("receivable_aged_3y", led.frames())
    assert w.evidence["aged_fen"] == 70_000 and w.evidence["oldest_on"] == "2023-11-22" and w.evidence["counterparty"] == "王五"
    assert run("receivable_aged_5y", led.frames()) == []
    newer = Ledger()
    newer.add(cut3 + dt.timedelta(days=1), (112, 70_000, 0, "王五"), (501, 0, 70_000))
    assert run("receivable_aged_3y", newer.frames()) == []


def test_rules022_five_years_is_the_higher_severity_and_not_counted_twice():
    led = Ledger()
    led.add(D(2021, 11, 22), (112, 50_000, 0, "甲公司"), (501, 0, 50_000))
    [w] = run("receivable_aged_5y", led.frames())
    assert w.evidence["aged_fen"] == 50_000 and RULES["receivable_aged_5y"].severity > RULES["receivable_aged_3y"].severity
    assert run("receivable_aged_3y", led.frames()) == []


def test_rules023_ageing_is_first_in_first_out_per_counterparty():
    led = Ledger()
    led.add(D(2022, 6, 1), (112, 100_000, 0, "甲"), (501, 0, 100_000))   # old
    led.add(D(2025, 6, 1), (112, 50_000, 0, "甲"), (501, 0, 50_000))     # recent
    led.add(D(2026, 1, 5), (102, 80_000, 0), (112, 0, 80_000, "甲"))     # collected: settles the old one first
    led.add(D(2020, 1, 5), (112, 30_000, 0, "乙"), (501, 0, 30_000))     # another debtor, 5+ years
    led.add(D(2026, 2, 5), (102, 10_000, 0), (112, 0, 10_000, "乙"))
    aged = aged_balances(led.frames()["arap"], TODAY, 3, 5).sort("counterparty")
    assert aged.select("counterparty", "aged_fen").rows() == [("甲", 20_000)]  # 150k - 80k - 50k recent
    [w] = run("receivable_aged_5y", led.frames())
    assert w.evidence["counterparty"] == "乙" and w.evidence["aged_fen"] == 20_000
    assert w.evidence["oldest_on"] == "2020-01-05"


def test_rules024_payables_age_on_the_credit_side():
    led = Ledger()
    led.add(D(2023, 1, 1), (511, 40_000, 0), (211, 0, 40_000, "工程队"))
    [w] = run("receivable_aged_3y", led.frames())
    assert w.evidence["account_code"] == 211 and "应付款" in w.title
    led.add(D(2026, 1, 1), (211, 40_000, 0, "工程队"), (102, 0, 40_000))
    assert run("receivable_aged_3y", led.frames()) == []


# ------------------------------------------------------------------------------------ trading, resources
def _listing(deal, reserve=100_000):
    return [{"id": 41, "org_id": ORG1, "region_code": V1, "title": "某地块经营权出租", "kind": "lease",
             "reserve_price_fen": reserve, "deal_price_fen": deal, "status": "awarded", "closes_on": D(2026, 5, 1)}]


def test_rules025_deal_below_80_percent_of_the_reserve():
    assert run("price_below_reserve", frames(listings=_listing(80_000))) == []
    [w] = run("price_below_reserve", frames(listings=_listing(79_999)))
    assert w.evidence == {"listing_id": 41, "deal_price_fen": 79_999, "reserve_price_fen": 100_000, "percent": 80}


def _lease(cid, amount, region=V1, rtype="耕地"):
    return {"id": cid, "org_id": ORG1, "region_code": region, "number": f"HT-{cid}", "kind": "lease",
            "direction": "income", "status": "active", "amount_fen": amount, "start_on": D(2026, 1, 1),
            "end_on": D(2026, 12, 31), "resource_type": rtype, "area_cmu": 1000}  # 10 mu for one year


def test_rules026_rent_below_half_the_county_median():
    peers = [_lease(i, 600_000, region=V2) for i in range(1, 5)]  # 600 yuan per mu
    assert run("price_below_going_rate", frames(leases=peers + [_lease(9, 300_000)])) == []  # exactly half
    [w] = run("price_below_going_rate", frames(leases=peers + [_lease(9, 299_999)]))
    assert w.subject_id == 9 and w.evidence["per_mu_fen"] == 29_999 and w.evidence["median_fen"] == 60_000
    assert run("price_below_going_rate", frames(leases=peers[:3] + [_lease(9, 100_000)])) == []  # 4 leases: too few
    other = [_lease(i, 600_000, rtype="林地") for i in range(1, 5)]
    assert run("price_below_going_rate", frames(leases=other + [_lease(9, 100_000)])) == []  # no peers of its type


# ------------------------------------------------------------------------------------ assets
def _check(year=2025, filed=D(2026, 3, 31), org_id=ORG1, region=V1):
    return {"id": 51, "org_id": org_id, "region_code": region, "year": year, "filed_on": filed}


def test_rules027_annual_check_due_by_31_march():
    both = [_check(), _check(org_id=ORG2, region=V2)]
    assert run("annual_check_not_filed", frames(annual_checks=both)) == []
    [w] = run("annual_check_not_filed", frames(annual_checks=[_check(filed=D(2026, 4, 1)), both[1]]))
    assert w.evidence["filed_on"] == "2026-04-01" and "逾期1天" in w.title
    [w] = run("annual_check_not_filed", frames(annual_checks=[both[0]]))  # the second village never filed
    assert w.region_code == V2 and "至今未报送" in w.title and w.fingerprint.endswith(":2025")
    # on 31 March itself the year is not late yet
    assert run("annual_check_not_filed", frames(annual_checks=[both[0]]), today=D(2026, 3, 31)) == []


# ------------------------------------------------------------------------------------ statistics
def _spending(history, month_value, months_of_history=12):
    """`history` for the months just before November 2026, then `month_value` in November."""
    rows, periods = [], []
    for k in range(months_of_history):
        idx = (2025 * 12 + 10) - months_of_history + 1 + k  # ..., 2025-10 (idx % 12 == 9), 2025-11 (10)
        periods.append(idx // 12 * 100 + idx % 12 + 1)
    for per, v in zip(periods, history):
        rows.append({"org_id": ORG1, "region_code": V1, "period": per, "spend_fen": v})
    rows.append({"org_id": ORG1, "region_code": V1, "period": 202611, "spend_fen": month_value})
    return rows


def test_rules028_spending_jump_at_four_times_the_median():
    flat = [1_000_000] * 12
    [w] = run("spending_jump", frames(spending=_spending(flat, 4_000_000)))
    assert w.evidence["median_fen"] == 1_000_000 and w.evidence["period"] == 202611 and w.fingerprint.endswith(":202611")
    assert run("spending_jump", frames(spending=_spending(flat, 3_999_999))) == []
    assert run("spending_jump", frames(spending=_spending(flat[:11], 9_000_000, 11))) == []  # too little history


def test_rules029_spending_jump_needs_a_robust_outlier():
    varied = [1_000_000 + k * 10_000 for k in range(12)]  # median 1,050,000, MAD 30,000 → 6σ ≈ 266,868
    assert run("spending_jump", frames(spending=_spending(varied, 1_250_000)), ratio_percent=100, min_fen=0) == []
    [w] = run("spending_jump", frames(spending=_spending(varied, 1_330_000)), ratio_percent=100, min_fen=0)
    assert w.evidence["mad_fen"] == 30_000 and w.evidence["robust_z"] > 6


def test_rules030_chi_square_survival_function_for_8_degrees_of_freedom():
    # the textbook critical values of chi-square with 8 dof
    for x, p in ((15.5073, 0.05), (20.0902, 0.01), (26.1245, 0.001), (2.7326, 0.95)):
        assert chi2_sf_8(x) == pytest.approx(p, rel=2e-4)
    assert chi2_sf_8(0) == 1.0
    # the closed form equals the regularised upper gamma computed by integration
    x = 11.0
    steps = 200_000
    h = x / 2 / steps
    lower = sum(((i + 0.5) * h) ** 3 * math.exp(-(i + 0.5) * h) for i in range(steps)) * h / math.gamma(4)
    assert chi2_sf_8(x) == pytest.approx(1 - lower, abs=1e-9)


def test_rules031_nigrini_bands():
    assert [nigrini_band(m) for m in (0.006, 0.0061, 0.012, 0.015, 0.0151)] == \
        ["高度符合", "可接受的符合", "可接受的符合", "勉强符合", "不符合"]


def _payments_with_digits(counts: list[int], day=D(2026, 6, 1)) -> dict:
    led = Ledger()
    for d, c in enumerate(counts, start=1):
        for k in range(c):
            amount = d * 10_000 + 137 * k % 9_000  # yuan amounts starting with digit d
            led.add(day, (513, amount, 0), (102, 0, amount))
    return led.frames()


def test_rules032_benford_conforming_payments_raise_nothing():
    counts = [round(1000 * e) for e in BENFORD]
    assert benford_stats(counts)["mad"] < 0.001
    assert run("benford", _payments_with_digits(counts)) == []


def test_rules033_benford_fabricated_payments_from_100():
    made_up = [4, 4, 4, 8, 16, 16, 16, 16, 16]  # 100 payments crowding the high digits
    [w] = run("benford", _payments_with_digits(made_up))
    ev = w.evidence
    assert ev["n"] == 100 and ev["counts"] == made_up and ev["p_value"] < 0.001 and ev["mad"] > 0.015
    assert ev["band"] == "不符合" and ev["dof"] == 8 and w.fingerprint.endswith(":2026")
    assert ev["chi2"] == pytest.approx(benford_stats(made_up)["chi2"], abs=1e-3)
    assert run("benford", _payments_with_digits([4, 4, 4, 8, 16, 16, 16, 16, 15])) == []  # 99: too few to test


def test_rules034_benford_ignores_small_and_old_payments():
    made_up = [4, 4, 4, 8, 16, 16, 16, 16, 16]
    assert run("benford", _payments_with_digits(made_up, day=D(2023, 11, 30))) == []  # before the 36 months
    small = Ledger()
    for _ in range(200):
        small.add(D(2026, 6, 1), (513, 999, 0), (102, 0, 999))  # 9.99 yuan: below 10 yuan
    assert run("benford", small.frames()) == []


def test_rules035_horizon_and_fingerprint_period():
    assert RULES["spending_jump"].horizon(params_for("spending_jump"), TODAY) == "202609"
    assert RULES["benford"].horizon(params_for("benford"), TODAY) == "2026"
    assert fingerprint_period("spending_jump:org:1:202611") == "202611"


def test_rules036_ledger_frames_by_index_equal_those_by_joins():
    led = Ledger()
    led.add(D(2026, 1, 1), (101, 300_000, 0), (102, 500_000, 0), (112, 90_000, 0, "甲"), (301, 0, 890_000), opening=True)
    led.add(D(2026, 3, 1), (101, 50_000, 0), (501, 0, 50_000))                       # takings
    led.add(D(2026, 3, 2), (102, 50_000, 0), (101, 0, 50_000))                       # deposited
    led.add(D(2026, 3, 3), (101, 20_000, 0), (102, 0, 20_000))                       # withdrawal
    led.add(D(2026, 3, 3), (513, 20_000, 0), (101, 0, 20_000))                       # cash payment
    led.add(D(2026, 4, 9), (513, 8_000, 0), (501, 0, 8_000))                         # 坐支
    led.add(D(2026, 5, 1), (102, 5_000_000, 0), (201, 0, 5_000_000))                 # borrowing
    led.add(D(2026, 6, 1), (102, 40_000, 0), (112, 0, 40_000, "甲"), org_id=ORG2, region=V2)
    led.add(D(2026, 6, 2), (511, 30_000, 0), (211, 0, 30_000, "乙"), org_id=ORG2, region=V2)
    lines = conform("ledger_lines", pl.DataFrame(led.lines, infer_schema_length=None))
    vouchers = conform("ledger_vouchers", pl.DataFrame(led.vouchers))
    key = {"cash": ["voucher_id", "kind"], "voucher_mix": ["voucher_id"], "payment_lines": ["voucher_id", "amount_fen"],
           "spending": ["org_id", "period"], "arap": ["voucher_id", "account_code"], "borrowings": ["voucher_id"]}
    by_index, by_join = ledger_frames(lines, vouchers), ledger_frames_by_joins(lines, vouchers)
    for name, cols in key.items():
        assert by_index[name].sort(cols).equals(by_join[name].sort(cols)), name
    assert by_index["cash"].get_column("kind").to_list() == ["opening", "receipt", "deposit", "withdrawal", "payment"]
    assert by_index["voucher_mix"].get_column("voucher_id").to_list() == [6]
    # sparse ids take the join path and give the same
    sparse = ledger_frames(lines.with_columns(pl.col("voucher_id") * 10**9),
                           vouchers.with_columns(pl.col("voucher_id") * 10**9))
    assert sparse["payment_lines"]["voucher_id"].to_list() == [5 * 10**9]
    assert by_index["payment_lines"]["voucher_id"].to_list() == [5]


def _decision(rid=1, recorded=7, confirmed=8, **kw):
    return {"resolution_id": rid, "meeting_id": 10 + rid, "org_id": ORG1, "region_code": V1, "number": f"决-{rid}",
            "decision_type": "payment", "passed": True, "held_on": D(2026, 5, 1), "recorded_by_id": recorded,
            "confirmed_by_id": confirmed, **kw}


def _citing(rid=1, by=9, record_type="payment_request", record_id=31):
    return {"record_type": record_type, "record_id": record_id, "region_code": V1, "resolution_id": rid,
            "cited_by_id": by}


USERS = [{"user_id": 7, "username": "cun-shuji"}, {"user_id": 8, "username": "jianshizhang"},
         {"user_id": 9, "username": "baozhangyuan"}]


def test_rules037_same_person_records_confirms_or_cites_a_resolution():
    # the near miss: three people (recorded by 7, confirmed by 8, cited by 9), and a migrated meeting nobody recorded
    assert run("same_person_decision", frames(resolutions=[_decision(), _decision(2, None, None)],
                                              citations=[_citing(), _citing(2, None, "asset_event", 5)],
                                              users=USERS)) == []
    [w] = run("same_person_decision", frames(resolutions=[_decision()], citations=[_citing(by=7)], users=USERS))
    assert (w.subject_type, w.subject_id, w.region_code, w.org_id) == ("resolution", 1, V1, ORG1)
    assert w.title == "决议 决-1：cun-shuji登记会议又引用其决议办理收付款申请"
    assert w.evidence["citing"] == [{"type": "payment_request", "id": 31, "by_id": 7}]
    [w] = run("same_person_decision", frames(resolutions=[_decision(confirmed=7)], users=USERS))
    assert w.title == "决议 决-1：cun-shuji登记并确认了会议" and w.fingerprint == "same_person_decision:resolution:1:"
    [w] = run("same_person_decision", frames(resolutions=[_decision()], users=USERS,
                                             citations=[_citing(by=8, record_type="contract", record_id=4)]))
    assert "jianshizhang确认会议又引用其决议办理合同" in w.title
    assert RULES["same_person_decision"].severity == 3 and RULES["same_person_decision"].area == "meetings"
