"""Personal data leaves the server as the viewer's relation to the record allows (SPEC §6,
domain/privacy.py): the handler sees the full resident ID, a reviewer the name but a masked
number, the read-only provincial leader no resident's full name or number anywhere — screens,
warnings, records and their exports alike."""
from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re

import openpyxl
import pytest
from sqlalchemy import select

import callbacks.cockpit
import callbacks.records
from callbacks.funds import requests as request_callbacks
from callbacks.supervision import warning_map
from data.contracts import trading
from data.db import transaction
from data.funds import requests as funds
from data.models import AuditLog, Bid, Contract, Member, PaymentRequest, Region, Resource, Warning
from domain import privacy
from domain.identifiers import mask_name, mask_resident_id, resident_id_problem
from domain.permissions import Scope, role_perms
from domain.privacy import Field, Purpose
from tests.support.app import TODAY
from tests.support.business import GOOD_ID, USCC, actor, own_database, resolution
from tests.support.callbacks import call, output
from tests.support.funds import draft, village_org
from tests.support.http import app_on, sign_in
from tests.support.supervision import text_of

RESIDENT_ID = re.compile(r"(?<![0-9A-Z])\d{17}[\dX](?![0-9A-Z])")
MASKED = mask_resident_id(GOOD_ID)  # 110105********002X


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return own_database(tmp_path_factory, "privacy")


@pytest.fixture(scope="module")
def app(db):
    return app_on(db)


@pytest.fixture(scope="module")
def request_id(db):
    """A payment to the resident 王小明 entered by the demo village's cashier."""
    cashier = actor(db, "demo-village")
    org_id, bank_id = village_org(db, cashier.scope.root)
    return funds.submit(db.database_url, db.audit_key, cashier, org_id,
                        draft(bank_id, counterparty_name="王小明", counterparty_id=GOOD_ID), TODAY)


def full_ids(text: str) -> list[str]:
    """The valid resident ID numbers in `text`."""
    return [m for m in RESIDENT_ID.findall(text) if resident_id_problem(m, TODAY) is None]


def resident_names(db) -> set[str]:
    """The demo data's natural persons named as counterparties, bidders or officials (three
    characters or more, and not part of any region's name, so that a hit is no coincidence)."""
    with transaction(db.database_url) as s:
        names = set(s.scalars(select(Contract.counterparty).where(Contract.counterparty_id_type == "resident")))
        names |= set(s.scalars(select(PaymentRequest.counterparty_name)
                               .where(PaymentRequest.counterparty_id_type == "resident")))
        names |= set(s.scalars(select(Bid.bidder).where(Bid.bidder_id_type == "resident")))
        names |= set(s.scalars(select(Member.name).where(Member.official_title.is_not(None))))
        regions = "|".join(s.scalars(select(Region.name)))
    return {n for n in names if len(n) >= 3 and n not in regions}


def scope_of(role: str, root: int = 220000000000) -> Scope:
    return Scope(root=root, perms=role_perms(role), role=role, user_id=1)


def test_privacy001_the_rule_table_by_viewer_purpose_and_field():
    # purpose × field: in clear or masked
    expected = {Purpose.HANDLING: (True, True, True, True), Purpose.REVIEW: (False, True, False, False),
                Purpose.STATISTICS: (False, False, False, False), Purpose.EXPORT: (False, True, False, False),
                Purpose.LOG: (False, False, False, False), Purpose.DISCLOSURE: (False, True, False, False),
                Purpose.PORTAL: (False, False, False, False)}
    fields = (Field.RESIDENT_ID, Field.NAME, Field.PHONE, Field.ACCOUNT)
    assert {p: tuple(privacy.clear(p, f) for f in fields) for p in Purpose} == expected
    values = {Field.RESIDENT_ID: (GOOD_ID, MASKED), Field.NAME: ("王小明", "王*明"),
              Field.PHONE: ("13912345678", "139****5678"), Field.ACCOUNT: ("6222020200112233", "**** 2233")}
    for p, row in expected.items():
        if p is Purpose.PORTAL:  # its own stricter masks: tests/test_portal.py
            continue
        for f, in_clear in zip(fields, row):
            assert privacy.shown(f, values[f][0], p) == values[f][0 if in_clear else 1]
    # the viewer: who handles, who reviews, who only counts
    relation = {role: privacy.relation(scope_of(role), "payment_request")
                for role in ("village_cashier", "township_accountant", "village_secretary", "village_supervisor",
                             "province_leader", "bank_user", "member")}
    assert relation == {"village_cashier": Purpose.HANDLING, "township_accountant": Purpose.HANDLING,
                        "village_secretary": Purpose.REVIEW, "village_supervisor": Purpose.REVIEW,
                        "province_leader": Purpose.STATISTICS, "bank_user": Purpose.STATISTICS,
                        "member": Purpose.STATISTICS}
    assert privacy.relation(scope_of("village_secretary"), "contract") is Purpose.HANDLING  # the secretary signs
    assert privacy.relation(scope_of("village_supervisor"), "contract") is Purpose.REVIEW
    assert privacy.listing(scope_of("village_cashier"), "payment_request") is Purpose.REVIEW  # a grid: no numbers
    assert privacy.exporting(Purpose.HANDLING) is Purpose.EXPORT
    assert privacy.exporting(Purpose.STATISTICS) is Purpose.STATISTICS
    # legal persons are no personal data; an unknown type is told by the name or the checksum
    assert privacy.name_shown("丰收农业发展有限公司", "uscc", Purpose.STATISTICS) == "丰收农业发展有限公司"
    assert privacy.name_shown("绿源种植专业合作社", None, Purpose.STATISTICS) == "绿源种植专业合作社"
    assert privacy.name_shown("张某某（历年欠款）", None, Purpose.STATISTICS) == "张*某（历年欠款）"
    assert privacy.id_shown(USCC, "uscc", Purpose.STATISTICS) == USCC
    assert privacy.id_shown(USCC, None, Purpose.STATISTICS) == USCC
    assert privacy.id_shown(GOOD_ID, None, Purpose.REVIEW) == MASKED
    assert privacy.redact({"official": "李建国", "payee": "李建国", "amount_fen": 5}, Purpose.STATISTICS) == {
        "official": "李*国", "payee": "李*国", "amount_fen": 5}


def _history_text(app, username: str, rid: int) -> str:
    resp = call(sign_in(app.server, username), app, request_callbacks.detail, {("funds-grid", "selectedRows"): [{"id": rid}]})
    return text_of(output(resp, "funds-detail", "children"))


def test_privacy002_reviewers_see_the_payment_history_with_the_id_masked(app, request_id):
    for reviewer in ("demo-secretary", "demo-supervisor"):
        shown = _history_text(app, reviewer, request_id)
        assert f"证件号码：{MASKED}" in shown and GOOD_ID not in shown
        assert "对方：王小明" in shown  # the decision needs to know who is paid
    for handler in ("demo-village", "demo-township"):  # the cashier who pays, the accountant who posts
        shown = _history_text(app, handler, request_id)
        assert f"证件号码：{GOOD_ID}" in shown and "对方：王小明" in shown


def test_privacy003_the_grids_name_whom_the_viewer_may_see(app, request_id):
    for username in ("demo-secretary", "demo-township", "demo-village"):
        rows = output(call(sign_in(app.server, username), app, request_callbacks.load, {("funds-refresh", "data"): 0}),
                      "funds-grid", "rowData")
        mine = next(r for r in rows if r["id"] == request_id)
        assert mine["counterparty"] == "王小明"
        assert not full_ids(str(rows))


def answer(resp) -> str:
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def _leader_answers(app, db) -> str:
    """Everything the read-only provincial leader is shown: the cockpit (newest warnings), the
    records of every kind naming a counterparty, and the warnings behind the map."""
    leader = sign_in(app.server, "demo-province")
    root = actor(db, "demo-province").scope.root
    parts = [answer(call(leader, app, callbacks.cockpit.render, {("url", "hash"): ""}))]
    for kind in ("contracts", "overdue", "resources", "warnings"):
        resp = call(leader, app, callbacks.records.show, {("url", "hash"): f"#region={root}&kind={kind}",
                                                          ("records-kind", "value"): kind})
        assert output(resp, "records-grid", "rowData") is not None
        parts.append(answer(resp))
    resp = call(leader, app, warning_map.cell, {("url", "hash"): "", ("wmap-status", "value"): "all"})
    assert output(resp, "wmap-cell-grid", "rowData")
    parts.append(answer(resp))
    return "\n".join(parts)


def test_privacy004_the_province_leader_sees_no_full_resident_id_or_name(app, db, request_id):
    shown = _leader_answers(app, db)
    names = resident_names(db)
    assert names and not full_ids(shown)
    assert not [n for n in names if n in shown]
    assert [n for n in names if mask_name(n) in shown]  # they are there, masked (warning titles, contracts)


def _xlsx_text(resp, component: str) -> str:
    data = output(resp, component, "data")
    wb = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data["content"])))
    return "\n".join(" ".join("" if v is None else str(v) for v in row) for row in wb.active.iter_rows(values_only=True))


def test_privacy005_exports_are_masked_the_same_way(app, db, request_id):
    leader = sign_in(app.server, "demo-province")
    root = actor(db, "demo-province").scope.root
    names = resident_names(db)
    files = [_xlsx_text(call(leader, app, callbacks.records.export,
                             {("records-export", "n_clicks"): 1, ("url", "hash"): f"#region={root}&kind={kind}",
                              ("records-kind", "value"): kind}), "records-download")
             for kind in ("contracts", "overdue", "resources")]
    files.append(_xlsx_text(call(leader, app, warning_map.export,
                                 {("wmap-export-cell", "n_clicks"): 1, ("wmap-cell", "data"): {"status": "all"},
                                  ("url", "hash"): ""}, triggered=["wmap-export-cell.n_clicks"]), "wmap-download"))
    text = "\n".join(files)
    assert not full_ids(text) and not [n for n in names if n in text]
    assert [n for n in names if mask_name(n) in text]
    # the county administrator reviews (verifies warnings): the contracts' names in clear, as on screen
    county = sign_in(app.server, "demo-county")
    county_root = actor(db, "demo-county").scope.root
    screen = call(county, app, callbacks.records.show, {("url", "hash"): f"#region={county_root}&kind=contracts",
                                                        ("records-kind", "value"): "contracts"})
    on_screen = {r["counterparty"] for r in output(screen, "records-grid", "rowData")}
    exported = _xlsx_text(call(county, app, callbacks.records.export,
                               {("records-export", "n_clicks"): 1, ("url", "hash"): f"#region={county_root}&kind=contracts",
                                ("records-kind", "value"): "contracts"}), "records-download")
    assert on_screen and all(n in exported for n in on_screen) and names & on_screen


def test_privacy006_warning_titles_mask_a_resident_and_the_security_log_names_none(db):
    with transaction(db.database_url) as s:
        titles = list(s.scalars(select(Contract.counterparty).where(Contract.counterparty_id_type == "resident")))
        warning_titles = "\n".join(s.scalars(select(Warning.title)))
    assert titles and not [n for n in titles if f"“{n}”" in warning_titles or f"（{n}）" in warning_titles]
    assert [n for n in titles if f"（{mask_name(n)}）" in warning_titles]  # contracts ending soon, named masked
    # a listing and a bid by a resident: the security log's description masks the bidder
    url, key = db.database_url, db.audit_key
    agent = actor(db, "demo-township")
    lo, hi = agent.scope.ranges[0]
    with transaction(url) as s:
        res = s.scalar(select(Resource).where(Resource.region_code.between(lo, hi), Resource.contracted.is_(False))
                       .order_by(Resource.id.desc()))
    lease = resolution(db, res.org_id, int(res.region_code), "lease", TODAY - dt.timedelta(days=3))
    lid = trading.create_listing(url, key, agent, res.id, "lease", "8,000", 60, lease, TODAY,
                                 TODAY + dt.timedelta(days=7), TODAY)
    trading.place_bid(url, key, agent, lid, "赵小军", "resident", GOOD_ID, "9,000", TODAY)
    with transaction(url) as s:
        entry = s.scalar(select(AuditLog.description).order_by(AuditLog.id.desc()).limit(1))
    assert entry.startswith("登记报价") and "赵*军" in entry and "赵小军" not in entry and GOOD_ID not in entry
