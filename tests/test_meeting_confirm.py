"""A meeting's two people (issue 12, item 1): the village cashier alone can no longer record a
members' meeting and cite its resolution at once to dispose of a 670,000-yuan collective asset.
Whoever records (or changes) a meeting never confirms it; only a confirmed resolution is cited;
a deciding meeting carries its minutes and sign-in sheet; nobody more is due than the roll holds;
and the same through the page's callbacks."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import func, select

import callbacks.meetings
from data import assets, meeting_confirmation, meetings
from data.db import transaction
from data.errors import AccountError
from data.models import Asset, AssetEvent, CollectiveOrg, Meeting, Resolution
from domain import assets as asset_rules
from domain import meetings as rules
from domain.permissions import PermissionDenied
from domain.regions import TOWNSHIP, truncate
from tests.conftest import TODAY
from tests.support.business import MEETING_FILES, actor, enrol, own_database, user_at
from tests.support.http import app_on, call_as, outputs, text

YESTERDAY = TODAY - dt.timedelta(days=1)
ROLL = 60
_codes = itertools.count(1)


@pytest.fixture(scope="module")
def sqlite_settings(tmp_path_factory):
    """A database of its own (these tests record, confirm and cite); the demo village's roll holds 60."""
    settings = own_database(tmp_path_factory, "meeting-confirm")
    enrol(settings, org_of(settings), ROLL)
    return settings


@pytest.fixture(scope="module")
def app(sqlite_settings):
    return app_on(sqlite_settings)


def org_of(settings) -> int:
    region = actor(settings, "demo-village").scope.root
    with transaction(settings.database_url) as s:
        return s.scalar(select(CollectiveOrg.id).where(CollectiveOrg.region_code == region))


def draft(**kw) -> rules.MeetingDraft:
    base = dict(kind="成员大会", title="2026年第六次成员大会", held_on=YESTERDAY, expected=45, attended=40,
                agenda="处置村集体闲置厂房")
    return rules.MeetingDraft(**{**base, **kw})


def disposal(number: str, votes: int) -> rules.ResolutionDraft:
    return rules.ResolutionDraft(number=number, subject="处置闲置厂房", decision_type="disposal", votes_for=votes)


def record(settings, who: str, number: str, files=MEETING_FILES, **kw) -> int:
    d = draft(**kw)
    return meetings.record(settings.database_url, settings.audit_key, actor(settings, who), org_of(settings), d,
                           [disposal(number, d.attended)], TODAY, files)


def version(settings, mid: int) -> int:
    with transaction(settings.database_url) as s:
        return s.get(Meeting, mid).version


def confirm(settings, who, mid: int, approve: bool = True, note: str | None = None) -> str:
    return meeting_confirmation.confirm(settings.database_url, settings.audit_key, who, mid, version(settings, mid),
                                        approve, note)


def resolution_of(settings, mid: int) -> int:
    with transaction(settings.database_url) as s:
        return s.scalar(select(Resolution.id).where(Resolution.meeting_id == mid))


def factory(settings) -> dict:
    """The village's idle factory building, 670,000 yuan at cost."""
    url, key = settings.database_url, settings.audit_key
    card = asset_rules.CardDraft(org_id=org_of(settings), code=f"ZC-670K-{next(_codes)}", name="闲置标准化厂房",
                                 category="building", operating=True, original_value="670,000.00",
                                 acquired_on=dt.date(2012, 4, 1), useful_life_months="240", residual_rate="5")
    aid = assets.save_card(url, key, actor(settings, "demo-secretary"), None, card, TODAY)
    with transaction(url) as s:
        a = s.get(Asset, aid)
        return {"id": a.id, "version": a.version, "value": a.original_value_fen}


def state(settings, asset_id: int):
    with transaction(settings.database_url) as s:
        a = s.get(Asset, asset_id)
        return a.status, a.version, s.scalar(select(func.count()).select_from(AssetEvent))


def test_confirm001_the_cashier_records_and_cites_at_once_and_is_refused(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    cashier = actor(sqlite_settings, "demo-village")
    asset = factory(sqlite_settings)
    assert asset["value"] == 67_000_000
    mid = record(sqlite_settings, "demo-village", "决〔2026〕厂房1号")
    rid = resolution_of(sqlite_settings, mid)
    before = state(sqlite_settings, asset["id"])
    with pytest.raises(AccountError) as exc:
        assets.act(url, key, cashier, asset["id"], "dispose", rid, TODAY, asset["version"], TODAY)
    assert "尚未经确认" in exc.value.errors["resolution"]
    assert state(sqlite_settings, asset["id"]) == before  # nothing disposed, no event written
    assert rid not in {r["id"] for r in meetings.citable(url, cashier, org_of(sqlite_settings), "disposal")}
    m = meetings.meeting(url, cashier, mid)
    assert (m["status"], m["status_label"], m["recorded_by"]) == ("recorded", "待确认", "demo-village")


def test_confirm002_nobody_confirms_a_meeting_they_recorded_or_changed(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    township = truncate(actor(sqlite_settings, "demo-village").scope.root, TOWNSHIP)
    lead = user_at(sqlite_settings, "tw-agri-lead", "township_agri_lead", township)
    mid = record(sqlite_settings, "tw-agri-lead", "决〔2026〕厂房2号")

    with pytest.raises(PermissionDenied, match="^不能确认本人登记或修改的会议$"):  # may confirm, not their own
        confirm(sqlite_settings, lead, mid)
    with pytest.raises(PermissionDenied, match="村集体监事长或乡镇"):  # the cashier and secretary record, never confirm
        confirm(sqlite_settings, actor(sqlite_settings, "demo-village"), mid)
    assert version(sqlite_settings, mid) == 1
    # the supervisory chair corrects the title of another meeting: she has changed it, so she cannot confirm it
    other = record(sqlite_settings, "demo-secretary", "决〔2026〕厂房3号")
    meetings.update(url, key, actor(sqlite_settings, "tw-agri-lead"), other, version(sqlite_settings, other),
                    draft(title="第六次成员大会（更正）"), TODAY)
    with pytest.raises(PermissionDenied, match="本人登记或修改"):
        confirm(sqlite_settings, lead, other)
    assert meeting_confirmation.confirm_refusal(url, lead, other) == "不能确认本人登记或修改的会议"
    assert meeting_confirmation.confirm_refusal(url, actor(sqlite_settings, "demo-supervisor"), other) is None


def test_confirm003_confirmed_by_the_supervisor_the_disposal_goes_ahead(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    cashier, supervisor = actor(sqlite_settings, "demo-village"), actor(sqlite_settings, "demo-supervisor")
    asset = factory(sqlite_settings)
    mid = record(sqlite_settings, "demo-village", "决〔2026〕厂房4号")
    rid = resolution_of(sqlite_settings, mid)
    assert confirm(sqlite_settings, supervisor, mid) == "confirmed"
    m = meetings.meeting(url, cashier, mid)
    assert (m["status_label"], m["confirmed_by"]) == ("已确认", "demo-supervisor") and m["confirmed_at"] is not None
    assert rid in {r["id"] for r in meetings.citable(url, cashier, org_of(sqlite_settings), "disposal")}
    assert assets.act(url, key, cashier, asset["id"], "dispose", rid, TODAY, asset["version"], TODAY) == "disposed"
    with pytest.raises(AccountError, match="已确认，不能再确认"):  # once only
        confirm(sqlite_settings, supervisor, mid)
    with pytest.raises(AccountError, match="已经确认"):
        meetings.update(url, key, cashier, mid, version(sqlite_settings, mid), draft(title="改名"), TODAY)


def test_confirm004_returned_with_a_reason_corrected_and_confirmed(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    supervisor, secretary = actor(sqlite_settings, "demo-supervisor"), actor(sqlite_settings, "demo-secretary")
    mid = record(sqlite_settings, "demo-secretary", "决〔2026〕厂房5号")
    with pytest.raises(AccountError) as exc:
        confirm(sqlite_settings, supervisor, mid, approve=False, note=" ")
    assert exc.value.errors == {"note": "请填写退回理由"} and version(sqlite_settings, mid) == 1
    assert confirm(sqlite_settings, supervisor, mid, approve=False, note="签到表人数与纪要不符") == "returned"
    assert meetings.meeting(url, secretary, mid)["return_note"] == "签到表人数与纪要不符"
    meetings.update(url, key, secretary, mid, version(sqlite_settings, mid), draft(attended=41), TODAY)
    assert meetings.meeting(url, secretary, mid)["status"] == "recorded"
    assert confirm(sqlite_settings, supervisor, mid) == "confirmed"


@pytest.mark.parametrize("files, field, message", [
    ({"signin": MEETING_FILES["signin"]}, "minutes", "成员大会须上传会议纪要"),
    ({"minutes": MEETING_FILES["minutes"]}, "signin", "成员大会须上传签到表"),
    ({"other": MEETING_FILES["minutes"]}, "signin", "成员大会须上传签到表"),
])
def test_confirm005_a_deciding_meeting_needs_its_minutes_and_sign_in_sheet(sqlite_settings, files, field, message):
    with transaction(sqlite_settings.database_url) as s:
        before = s.scalar(select(func.count()).select_from(Meeting))
    with pytest.raises(AccountError) as exc:
        record(sqlite_settings, "demo-secretary", "决〔2026〕无纪要", files)
    assert exc.value.errors[field] == message
    with transaction(sqlite_settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(Meeting)) == before


def test_confirm006_a_committee_meeting_may_do_without_and_a_file_is_added_later(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    mid = record(sqlite_settings, "demo-secretary", "决〔2026〕两委1号", {}, kind="两委联席会议", expected=7, attended=6)
    assert meetings.meeting(url, actor(sqlite_settings, "demo-secretary"), mid)["files"] == []
    meetings.add_files(url, key, actor(sqlite_settings, "demo-secretary"), mid, [("纪要.pdf", b"%PDF-1.4 m")], "minutes")
    files = meetings.meeting(url, actor(sqlite_settings, "demo-secretary"), mid)["files"]
    assert [(f["filename"], f["kind_label"]) for f in files] == [("纪要.pdf", "会议纪要")]


def test_confirm007_nobody_more_is_due_than_the_roll_holds(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    with pytest.raises(AccountError) as exc:
        record(sqlite_settings, "demo-secretary", "决〔2026〕名册1号", expected=ROLL + 1, attended=ROLL)
    assert exc.value.errors["expected"] == f"应到人数（{ROLL + 1}）超过本组织成员名册人数（{ROLL}人），请核对"
    with pytest.raises(AccountError) as exc:  # representatives: the model keeps no count of them, the members bound
        record(sqlite_settings, "demo-secretary", "决〔2026〕名册2号", kind="成员代表会议", expected=ROLL + 1, attended=ROLL)
    assert "成员名册" in exc.value.errors["expected"]
    mid = record(sqlite_settings, "demo-secretary", "决〔2026〕名册3号", expected=ROLL, attended=ROLL)  # the boundary
    with pytest.raises(AccountError) as exc:
        meetings.update(url, key, actor(sqlite_settings, "demo-secretary"), mid, version(sqlite_settings, mid),
                        draft(expected=ROLL + 1, attended=ROLL), TODAY)
    assert "成员名册" in exc.value.errors["expected"]
    # the party members' meeting is not on the member roll
    record(sqlite_settings, "demo-secretary", "决〔2026〕党员1号", {}, kind="党员大会", expected=ROLL + 10, attended=ROLL)


def test_confirm008_confirming_through_the_page(app, client_for, sqlite_settings):
    mid = record(sqlite_settings, "demo-secretary", "决〔2026〕页面1号")
    refresh = [{"id": "meetings-refresh", "property": "data", "value": 0}]
    supervisor_page = outputs(call_as(client_for("demo-supervisor"), app, callbacks.meetings.load, refresh))
    assert supervisor_page["meetings-confirm-panel"]["hidden"] is False
    row = next(r for r in supervisor_page["meetings-grid"]["rowData"] if r["id"] == mid)
    assert (row["status_label"], row["recorded_by"], row["confirmed_by"]) == ("待确认", "demo-secretary", "—")
    assert outputs(call_as(client_for("demo-secretary"), app, callbacks.meetings.load,
                           refresh))["meetings-confirm-panel"]["hidden"] is True

    def selected(client):
        return outputs(call_as(client, app, callbacks.meetings.selected,
                               [{"id": "meetings-grid", "property": "selectedRows", "value": [row]},
                                {"id": "meetings-refresh", "property": "data", "value": 1}]))

    mine = selected(client_for("demo-secretary"))
    assert mine["meetings-confirm-submit"]["disabled"] is True  # the recorder's button is off, with the reason
    assert "不能确认本人登记" in text(mine["meetings-confirm-state"]["children"])
    shown = selected(client_for("demo-supervisor"))
    assert shown["meetings-confirm-submit"]["disabled"] is False
    target = shown["meetings-edit-target"]["data"]
    done = outputs(call_as(client_for("demo-supervisor"), app, callbacks.meetings.decide,
                           [{"id": "meetings-confirm-submit", "property": "n_clicks", "value": 1},
                            {"id": "meetings-return-submit", "property": "n_clicks", "value": None}],
                           [{"id": "meetings-edit-target", "property": "data", "value": target},
                            {"id": "meetings-confirm-note", "property": "value", "value": "纪要、签到表核对无误"},
                            {"id": "meetings-refresh", "property": "data", "value": 1}],
                           changed=["meetings-confirm-submit.n_clicks"]))
    assert text(done["meetings-confirm-result"]["children"]) == "已确认会议记录，其决议可以引用。"
    supervisor = actor(sqlite_settings, "demo-supervisor").user_id
    with transaction(sqlite_settings.database_url) as s:
        m = s.get(Meeting, mid)
        assert (m.status, m.confirmed_by_id) == ("confirmed", supervisor)
