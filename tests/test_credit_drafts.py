"""The credit drafts' rules (domain only): default open and share classes as data, personal data
never more open than its default without a reclassification, publicity periods within the
severity's bounds, loan schedules that add up to the principal, forest-right locations."""
from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from domain.credit import codes
from domain.credit.drafts import (DEFAULT_CLASSES, SUBTYPES, RecordDraft, default_classes, equal_schedule,
                                  record_problems)
from domain.credit.forest import ForestRightDraft, right_problems

TODAY = dt.date(2026, 11, 22)
kinds = st.sampled_from(sorted(codes.RECORD_KINDS))


@st.composite
def kind_subtype(draw):
    kind = draw(kinds)
    return kind, draw(st.sampled_from(sorted(SUBTYPES[kind]))) if kind in SUBTYPES else None


@given(kind_subtype())
def test_a_person_is_never_more_open_than_an_organisation(ks):
    person, org = default_classes(*ks, True), default_classes(*ks, False)
    assert codes.OPENNESS[person[0]] <= codes.OPENNESS[org[0]] and person[1] == org[1]
    assert all(c in codes.OPEN_CLASSES for c, _ in DEFAULT_CLASSES.values())


@given(kind_subtype(), st.sampled_from(sorted(codes.OPEN_CLASSES)))
def test_entering_a_person_more_open_than_the_default_is_refused(ks, open_class):
    kind, subtype = ks
    draft = RecordDraft(kind=kind, subtype=subtype, title="记录", occurred_on=TODAY - dt.timedelta(days=5),
                        produced_by="县林业局", open_class=open_class, severity="ordinary" if kind == "dishonest" else None,
                        amount="100" if kind in ("loan", "subsidy") else "", counterparty="银行" if kind == "loan" else "",
                        term_months=3 if kind == "loan" else None)
    _v, errors = record_problems(draft, TODAY, natural=True)
    wider = codes.more_open(default_classes(kind, subtype, True)[0], open_class)
    assert ("open_class" in errors) == wider, errors


@given(st.integers(1, 10**10), st.integers(1, 360), st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))
def test_equal_schedule_adds_up(principal, months, start):
    plan = equal_schedule(start, principal, months)
    assert len(plan) == months and sum(f for _, f in plan) == principal and all(d > start for d, _ in plan)


def test_serious_default_period_and_bounds():
    base = dict(kind="dishonest", subtype="admin_penalty", title="盗伐林木", produced_by="县林业局",
                occurred_on=dt.date(2026, 1, 15))
    v, errors = record_problems(RecordDraft(**base, severity="serious"), TODAY, natural=False)
    assert not errors and v["publicity_until"] == dt.date(2029, 1, 14)
    _v, errors = record_problems(RecordDraft(**base, severity="serious", publicity_months="6"), TODAY, natural=False)
    assert "12至36个月" in errors["publicity_months"]
    _v, errors = record_problems(RecordDraft(**{**base, "kind": "good", "subtype": "volunteer"}, severity="minor"),
                                 TODAY, natural=False)
    assert "只有失信信息" in errors["severity"]


def test_right_location_rules():
    base = dict(unit_code="360124001002JE00001L00000001", right_type="use", region_code=360124100201, area="3.5",
                forest_type="timber", species="杉木", age_class="young")
    v, errors = right_problems(ForestRightDraft(**base, lon="116.25", lat="28.37"))
    assert not errors and (v["lon"], v["lat"]) == (116.25, 28.37)
    _v, errors = right_problems(ForestRightDraft(**base, polygon="[[116.1,28.1],[116.2,28.1],[116.2,28.2]]"))
    assert "4至200个点" in errors["polygon"]
    _v, errors = right_problems(ForestRightDraft(**base, polygon="[[116.1,28.1],[116.2,28.1],[116.2,28.2],[116.3,28.1]]"))
    assert "闭合" in errors["polygon"]
    _v, errors = right_problems(ForestRightDraft(**base, lon="125.3", lat="43.9"))
    assert "不在本省范围内" in errors["lon"]
    _v, errors = right_problems(ForestRightDraft(**{**base, "region_code": 360702100201}))
    assert "与宗地所在县360702不一致" in errors["unit_code"]
