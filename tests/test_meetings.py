"""Meetings (issue 5, item 6): quorum and pass rules at their boundaries, a meeting recorded with
its resolutions all or nothing, scope and stale-edit refusals that change nothing, a resolution
cited only by the decisions it voted, history and files; and the same through the callbacks."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, select

import callbacks.meetings
from data import assets, meetings
from data.attachments import fetch
from data.db import transaction
from data.errors import AccountError, StaleEdit
from data.models import Asset, AssetEvent, Attachment, AuditLog, CollectiveOrg, Meeting, RecordChange, Resolution
from domain import meetings as rules
from domain.permissions import OutOfScope, PermissionDenied
from tests.conftest import TODAY
from tests.support import business
from tests.support.business import MEETING_FILES, actor, confirm, enrol, own_database, stranger
from tests.support.http import app_on, call_as, outputs, text

YESTERDAY = TODAY - dt.timedelta(days=1)


@pytest.fixture(scope="module")
def sqlite_settings(tmp_path_factory):
    """A database of its own: these tests write meetings, resolutions and asset acts; the demo
    village's roll holds 60 members (a meeting calls no more than the roll holds)."""
    settings = own_database(tmp_path_factory, "meetings")
    enrol(settings, own_org(settings, actor(settings, "demo-secretary")), 60)
    return settings


@pytest.fixture(scope="module")
def app(sqlite_settings):
    return app_on(sqlite_settings)


def counts(settings) -> tuple[int, ...]:
    return business.counts(settings, Meeting, Resolution, Attachment, AuditLog, RecordChange)


def own_org(settings, who) -> int:
    with transaction(settings.database_url) as s:
        return s.scalar(select(CollectiveOrg.id).where(CollectiveOrg.region_code.between(*who.scope.ranges[0]))
                        .order_by(CollectiveOrg.id))


def draft(**kw) -> rules.MeetingDraft:
    base = dict(kind="成员大会", title="2026年第四次成员大会", held_on=YESTERDAY, expected=30, attended=20,
                agenda="审议集体资产处置、资源发包事项")
    return rules.MeetingDraft(**{**base, **kw})


def res(number, decision_type="disposal", votes_for=20, against=0, abstain=0, limit=None, subject="处置闲置办公用房"):
    return rules.ResolutionDraft(number=number, subject=subject, decision_type=decision_type, votes_for=votes_for,
                                 votes_against=against, votes_abstain=abstain, amount_limit=limit)


def record(settings, who, org_id, d, rows, files=MEETING_FILES) -> int:
    return meetings.record(settings.database_url, settings.audit_key, who, org_id, d, rows, TODAY, files)


# ------------------------------------------------------------------ the rules alone


def test_meetings001_quorum_and_pass_rules_at_their_boundaries():
    # 三分之二以上 includes two thirds itself: 20 of 30 may decide, 19 may not
    assert rules.has_quorum("成员大会", 30, 20) and not rules.has_quorum("成员大会", 30, 19)
    assert rules.has_quorum("成员代表会议", 31, 21) and not rules.has_quorum("成员代表会议", 31, 20)
    # 过半数 is strictly more than half: 16 of 30, not 15
    assert rules.has_quorum("村民会议", 30, 16) and not rules.has_quorum("村民会议", 30, 15)
    # members' meeting: two thirds of ALL members must agree, however many came
    assert rules.passes("成员大会", 30, 25, 20) and not rules.passes("成员大会", 30, 25, 19)
    assert rules.votes_needed("成员大会", 30, 25) == 20
    # villagers' representatives: a majority of those attending
    assert rules.passes("村民代表会议", 30, 21, 11) and not rules.passes("村民代表会议", 30, 21, 10)
    # party members' meeting (DOMAIN.md): a majority of those due
    assert rules.passes("党员大会", 30, 20, 16) and not rules.passes("党员大会", 30, 20, 15)
    # no quorum, no resolution, whatever the votes
    assert not rules.passes("成员大会", 30, 19, 19)


def test_meetings002_the_fractions_are_data(monkeypatch):
    stricter = rules.MeetingKind("成员大会", rules.Threshold(rules.Fraction(3, 4)), rules.HALF, "attending", True, "章程")
    monkeypatch.setitem(rules.MEETING_KINDS, "成员大会", stricter)
    assert not rules.has_quorum("成员大会", 40, 29) and rules.has_quorum("成员大会", 40, 30)
    assert rules.passes("成员大会", 40, 30, 16) and not rules.passes("成员大会", 40, 30, 15)
    assert "四分之三以上" in rules.rule_text("成员大会")


def test_meetings003_a_draft_reports_every_problem_at_once():
    plan, errors = rules.plan_problems(
        draft(title=" ", held_on=TODAY + dt.timedelta(days=1), attended="二十"),
        [res("决-1"), res("决-1", decision_type="nonsense", votes_for=-1, limit="abc")], TODAY)
    assert plan is None
    assert errors["title"] == "请填写会议名称"
    assert "不能晚于今天" in errors["held_on"]
    assert errors["attended"] == "实到人数须为整数"
    assert errors["r2.number"] == "与第1项决议编号重复"
    assert errors["r2.decision_type"] == "请选择决策类型" and "负数" in errors["r2.votes"]
    assert "金额上限" in errors["r2.amount_limit"]
    assert rules.plan_problems(draft(), [], TODAY)[1]["resolutions"] == "请至少填写一项决议"
    assert "最多" in rules.plan_problems(draft(), [res(f"决-{i}") for i in range(6)], TODAY)[1]["resolutions"]


def test_meetings004_citation_problem_says_why():
    good = {"org_id": 1, "passed": True, "decision_type": "payment", "held_on": YESTERDAY, "meeting_kind": "成员大会",
            "amount_limit_fen": 5_000_000, "confirmed": True}
    ok = dict(decision_type="payment", org_id=1, on_date=TODAY)
    assert rules.citation_problem(good, **ok, amount_fen=5_000_000) is None
    assert "上限" in rules.citation_problem(good, **ok, amount_fen=5_000_001)
    assert "不是这一事项" in rules.citation_problem(good, **{**ok, "decision_type": "borrowing"})
    assert "先决议" in rules.citation_problem(good, **{**ok, "on_date": YESTERDAY - dt.timedelta(days=1)})
    assert "决策依据" in rules.citation_problem({**good, "meeting_kind": "两委联席会议"}, **ok)
    assert "另一项资产" in rules.citation_problem({**good, "subject_type": "asset", "subject_id": 7}, **ok,
                                                 subject_type="asset", subject_id=8)
    assert "须引用" in rules.citation_problem(None, **ok)
    assert "尚未经确认" in rules.citation_problem({**good, "confirmed": False}, **ok)
    assert rules.requires_resolution("disposal") and rules.requires_resolution("payment", 5_000_000, 5_000_000)
    assert not rules.requires_resolution("payment", 4_999_999, 5_000_000)


# ------------------------------------------------------------------ the system of record


def test_meetings005_quorum_boundary_one_fewer_is_refused_and_nothing_written(sqlite_settings):
    secretary = actor(sqlite_settings, "demo-secretary")
    org = own_org(sqlite_settings, secretary)
    before = counts(sqlite_settings)
    with pytest.raises(AccountError) as exc:
        record(sqlite_settings, secretary, org, draft(attended=19), [res("决〔2026〕Q1", votes_for=19)])
    assert "未达法定人数" in exc.value.errors["attended"] and "至少20人" in exc.value.errors["attended"]
    assert counts(sqlite_settings) == before
    mid = record(sqlite_settings, secretary, org, draft(attended=20), [res("决〔2026〕Q1", votes_for=20)])
    with transaction(sqlite_settings.database_url) as s:
        m = s.get(Meeting, mid)
        assert (m.expected, m.attended, m.kind) == (30, 20, "成员大会")
        assert s.scalar(select(Resolution.passed).where(Resolution.meeting_id == mid)) is True
        log = s.scalar(select(AuditLog).order_by(AuditLog.id.desc()))
        assert log.type == "data_change" and "登记成员大会" in log.description and log.actor == "demo-secretary"
    after = counts(sqlite_settings)
    assert after[:2] == (before[0] + 1, before[1] + 1) and after[3] == before[3] + 1


def test_meetings006_pass_rule_boundary_is_computed_not_typed(sqlite_settings):
    secretary = actor(sqlite_settings, "demo-secretary")
    org = own_org(sqlite_settings, secretary)
    mid = record(sqlite_settings, secretary, org, draft(attended=28),
                 [res("决〔2026〕P1", votes_for=20, against=8), res("决〔2026〕P2", votes_for=19, against=9)])
    outcome = {r["number"]: r["passed"] for r in meetings.meeting(sqlite_settings.database_url, secretary,
                                                                 mid)["resolutions"]}
    assert outcome == {"决〔2026〕P1": True, "决〔2026〕P2": False}  # 20 of 30 members carry it, 19 do not
    mid = record(sqlite_settings, secretary, org, draft(kind="村民代表会议", attended=21),
                 [res("决〔2026〕P3", votes_for=11, against=10), res("决〔2026〕P4", votes_for=10, against=11)])
    outcome = {r["number"]: r["outcome"] for r in meetings.meeting(sqlite_settings.database_url, secretary,
                                                                  mid)["resolutions"]}
    assert outcome == {"决〔2026〕P3": "通过", "决〔2026〕P4": "未通过"}  # a majority of those attending


@pytest.mark.parametrize("change, rows, field, message", [
    ({}, [res("决-V", votes_for=15, against=4, abstain=2)], "r1.votes", "超过实到人数20人"),
    ({"held_on": TODAY + dt.timedelta(days=1)}, [res("决-F")], "held_on", "不能晚于今天"),
    ({"attended": 31}, [res("决-A")], "attended", "不能超过应到人数"),
    ({}, [res("决-L", limit="-5")], "r1.amount_limit", "大于0"),
])
def test_meetings007_bad_meetings_are_refused_and_nothing_is_written(sqlite_settings, change, rows, field, message):
    secretary = actor(sqlite_settings, "demo-secretary")
    org = own_org(sqlite_settings, secretary)
    before = counts(sqlite_settings)
    with pytest.raises(AccountError) as exc:
        record(sqlite_settings, secretary, org, draft(**change), rows)
    assert message in exc.value.errors[field]
    assert counts(sqlite_settings) == before  # not the meeting, not a resolution, not the file, not a log line


def test_meetings008_a_bad_file_or_a_used_number_refuses_the_whole_record(sqlite_settings):
    secretary = actor(sqlite_settings, "demo-secretary")
    org = own_org(sqlite_settings, secretary)
    record(sqlite_settings, secretary, org, draft(), [res("决〔2026〕D1")])
    before = counts(sqlite_settings)
    with pytest.raises(AccountError) as exc:
        record(sqlite_settings, secretary, org, draft(), [res("决〔2026〕D1")], {**MEETING_FILES, "other": [("病毒.exe", b"MZ")]})
    assert "已有编号" in exc.value.errors["r1.number"] and "只能上传" in exc.value.errors["attachments"]
    assert counts(sqlite_settings) == before


def test_meetings009_outside_the_jurisdiction_or_without_handling_is_refused(sqlite_settings):
    url = sqlite_settings.database_url
    secretary, supervisor = actor(sqlite_settings, "demo-secretary"), actor(sqlite_settings, "demo-supervisor")
    with transaction(url) as s:
        foreign = s.scalar(select(CollectiveOrg.id).where(~CollectiveOrg.region_code.between(*secretary.scope.ranges[0])))
        foreign_meeting = s.scalar(select(Meeting.id).where(~Meeting.region_code.between(*secretary.scope.ranges[0])))
    before = counts(sqlite_settings)
    with pytest.raises(OutOfScope, match="^该集体经济组织不在您的管辖范围内$"):
        record(sqlite_settings, secretary, foreign, draft(), [res("决-X")])
    with pytest.raises(PermissionDenied, match="缺少权限"):  # the supervisory chair reviews, she does not record
        record(sqlite_settings, supervisor, own_org(sqlite_settings, secretary), draft(), [res("决-X")])
    for read in (meetings.meeting, meetings.history_of):
        with pytest.raises(OutOfScope, match="^该会议不在您的管辖范围内$"):
            read(url, secretary, foreign_meeting)
    assert counts(sqlite_settings) == before
    rows = meetings.list_meetings(url, secretary)
    assert rows and all(secretary.scope.contains(r["region_code"]) for r in rows)
    assert foreign_meeting not in {r["id"] for r in rows}
    assert all(r["org_id"] != foreign for r in meetings.list_resolutions(url, secretary))


def test_meetings010_stale_edit_is_refused_and_changes_nothing(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary, cashier = actor(sqlite_settings, "demo-secretary"), actor(sqlite_settings, "demo-village")
    org = own_org(sqlite_settings, secretary)
    mid = record(sqlite_settings, secretary, org, draft(title="原名称"), [res("决〔2026〕S1")])
    opened = meetings.meeting(url, secretary, mid)["version"]
    meetings.update(url, key, cashier, mid, opened, draft(title="报账员改的名称"), TODAY)
    before = counts(sqlite_settings)
    with pytest.raises(StaleEdit, match="已被他人修改"):
        meetings.update(url, key, secretary, mid, opened, draft(title="书记改的名称"), TODAY)
    assert counts(sqlite_settings) == before
    m = meetings.meeting(url, secretary, mid)
    assert m["title"] == "报账员改的名称" and m["version"] == opened + 1
    history = meetings.history_of(url, secretary, mid)
    assert history[0]["by"].endswith("（demo-village）") and history[0]["changes"]["title"] == ["原名称", "报账员改的名称"]
    assert {h["record"] for h in history} == {"会议", "决议 决〔2026〕S1"}


def test_meetings011_a_lease_resolution_cannot_be_cited_for_a_disposal(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary = actor(sqlite_settings, "demo-secretary")
    asset = next(a for a in assets.list_assets(url, secretary) if a["status"] == "in_use")
    org = asset["org_id"]

    def resolution_of(mid):
        confirm(sqlite_settings, mid)
        return meetings.meeting(url, secretary, mid)["resolutions"][0]["id"]

    lease = resolution_of(record(sqlite_settings, secretary, org, draft(),
                                 [res("决〔2026〕L1", "lease", subject="鱼塘对外出租")]))
    committees = resolution_of(record(sqlite_settings, secretary, org, draft(kind="两委联席会议", expected=7, attended=6),
                                      [res("决〔2026〕C1", "disposal", votes_for=6)]))

    def state():
        with transaction(url) as s:
            a = s.get(Asset, asset["id"])
            found = a.status, a.version, s.scalar(select(func.count()).select_from(AssetEvent))
        return found, counts(sqlite_settings)

    before = state()
    for rid, why in ((lease, "不是这一事项"), (committees, "不能作为决策依据")):
        with pytest.raises(AccountError) as exc:
            assets.act(url, key, secretary, asset["id"], "dispose", rid, TODAY, asset["version"], TODAY)
        assert why in exc.value.errors["resolution"]
        assert state() == before
    disposal = resolution_of(record(sqlite_settings, secretary, org, draft(), [res("决〔2026〕L2", "disposal")]))
    assert disposal in {r["id"] for r in meetings.citable(url, secretary, org, "disposal")}
    assert lease not in {r["id"] for r in meetings.citable(url, secretary, org, "disposal")}
    assert committees not in {r["id"] for r in meetings.citable(url, secretary, org)}
    assert assets.act(url, key, secretary, asset["id"], "dispose", disposal, TODAY, asset["version"], TODAY) == "disposed"
    # confirmed (and now cited), the meeting is settled
    mid = meetings.list_resolutions(url, secretary, org)[0]["meeting_id"]
    m = meetings.meeting(url, secretary, mid)
    assert m["resolutions"][0]["cited"] == 1 and m["status"] == "confirmed"
    for change in ({"held_on": YESTERDAY - dt.timedelta(days=3)}, {"expected": 31, "attended": 21}, {"title": "改名"}):
        with pytest.raises(AccountError) as exc:
            meetings.update(url, key, secretary, mid, m["version"], draft(**change), TODAY)
        assert exc.value.errors == {"_": "该会议记录已经确认，不能再修改"}
    with pytest.raises(AccountError, match="已经确认"):
        meetings.add_files(url, key, secretary, mid, [("补充.pdf", b"%PDF-1.4 more")])


def test_meetings012_files_are_kept_with_their_checksum(sqlite_settings):
    secretary = actor(sqlite_settings, "demo-secretary")
    minutes, sheet = b"%PDF-1.4 minutes of the meeting", b"\x89PNG sign-in sheet"
    mid = record(sqlite_settings, secretary, own_org(sqlite_settings, secretary), draft(),
                 [res("决〔2026〕F1")], {"minutes": [("会议纪要.pdf", minutes)], "signin": [("签到表.png", sheet)]})
    files = meetings.meeting(sqlite_settings.database_url, secretary, mid)["files"]
    assert [(f["filename"], f["sha256"]) for f in files] == [("会议纪要.pdf", hashlib.sha256(minutes).hexdigest()),
                                                             ("签到表.png", hashlib.sha256(sheet).hexdigest())]
    assert fetch(sqlite_settings.database_url, secretary.scope, files[0]["id"])[2] == minutes
    township = actor(sqlite_settings, "demo-township").scope
    assert fetch(sqlite_settings.database_url, township, files[1]["id"])[2] == sheet  # the township above sees it too
    before = counts(sqlite_settings)
    with pytest.raises(AccountError, match="只能上传"):  # one bad file: none of the batch is kept
        meetings.add_files(sqlite_settings.database_url, sqlite_settings.audit_key, secretary, mid,
                           [("补充纪要.pdf", b"%PDF more"), ("宏.xlsm", b"PK macro")])
    assert counts(sqlite_settings) == before
    meetings.add_files(sqlite_settings.database_url, sqlite_settings.audit_key, secretary, mid,
                       [("补充纪要.pdf", b"%PDF more")])
    assert [f["filename"] for f in meetings.meeting(sqlite_settings.database_url, secretary, mid)["files"]] == \
        ["会议纪要.pdf", "签到表.png", "补充纪要.pdf"]


def test_meetings013_a_caller_from_another_county_is_refused_and_nothing_is_written(sqlite_settings):
    """The demo village's meeting, worked on by a secretary of another county: the same refusal, word
    for word, as for any meeting outside the jurisdiction, and no row written."""
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary, elsewhere = actor(sqlite_settings, "demo-secretary"), stranger(sqlite_settings, "demo-secretary")
    org = own_org(sqlite_settings, secretary)
    mid = record(sqlite_settings, secretary, org, draft(title="外县不可改的会议"), [res("决〔2026〕E1")])
    version = meetings.meeting(url, secretary, mid)["version"]
    before = counts(sqlite_settings)
    for step, message in (
            (lambda: record(sqlite_settings, elsewhere, org, draft(), [res("决〔2026〕E2")]), "该集体经济组织"),
            (lambda: meetings.update(url, key, elsewhere, mid, version, draft(title="外县改名"), TODAY), "该会议"),
            (lambda: meetings.add_files(url, key, elsewhere, mid, [("纪要.pdf", b"%PDF-1.4 x")]), "该会议"),
            (lambda: meetings.meeting(url, elsewhere, mid), "该会议"),
            (lambda: meetings.history_of(url, elsewhere, mid), "该会议"),
            (lambda: meetings.citable(url, elsewhere, org), "该集体经济组织")):
        with pytest.raises(OutOfScope) as exc:
            step()
        assert str(exc.value) == f"{message}不在您的管辖范围内"
    assert counts(sqlite_settings) == before
    assert mid not in {m["id"] for m in meetings.list_meetings(url, elsewhere)}
    assert org not in {o["id"] for o in meetings.orgs(url, elsewhere)}
    assert all(r["org_id"] != org for r in meetings.list_resolutions(url, elsewhere))


# ------------------------------------------------------------------ through the callbacks

FORM = ["meetings-org", "meetings-kind", "meetings-title", "meetings-date", "meetings-expected", "meetings-attended",
        "meetings-agenda", "meetings-count",
        *[f"meetings-r{i}-{f}" for i in range(1, 6) for f in ("number", "subject", "type", "for", "against", "abstain",
                                                               "limit")]]


def test_meetings014_recording_and_correcting_through_the_callbacks(app, client_for, sqlite_settings):
    secretary, cashier = client_for("demo-secretary"), client_for("demo-village")
    page = outputs(call_as(secretary, app, callbacks.meetings.load, [{"id": "meetings-refresh", "property": "data",
                                                                    "value": 0}]))
    org = page["meetings-org"]["options"][0]["value"]
    who = actor(sqlite_settings, "demo-secretary")
    assert all(who.scope.contains(r["region_code"]) for r in page["meetings-grid"]["rowData"])

    fields = {"meetings-org": org, "meetings-kind": "成员代表会议", "meetings-title": "2026年第五次成员代表会议",
              "meetings-date": YESTERDAY.isoformat(), "meetings-expected": 45, "meetings-attended": 30,
              "meetings-agenda": "一、鱼塘发包；二、年度计划", "meetings-count": 2,
              "meetings-r1-number": "决〔2026〕CB1", "meetings-r1-subject": "鱼塘公开发包", "meetings-r1-type": "lease",
              "meetings-r1-for": 30, "meetings-r1-against": 0, "meetings-r1-abstain": 0, "meetings-r1-limit": "",
              "meetings-r2-number": "决〔2026〕CB2", "meetings-r2-subject": "2027年发展规划", "meetings-r2-type": "plan",
              "meetings-r2-for": 29, "meetings-r2-against": 1, "meetings-r2-abstain": 0, "meetings-r2-limit": None}

    def submit(client, **change):
        values = {**fields, **change}
        state = [{"id": k, "property": "value", "value": values.get(k)} for k in FORM]
        pdf = "data:application/pdf;base64,JVBERi0xLjQgdGVzdA=="
        for upload, name in (("meetings-minutes", "会议纪要.pdf"), ("meetings-signin", "签到表.pdf"),
                             ("meetings-files", None)):
            state += [{"id": upload, "property": "contents", "value": [pdf] if name else None},
                      {"id": upload, "property": "filename", "value": [name] if name else None}]
        state += [{"id": "meetings-refresh", "property": "data", "value": 0}]
        return call_as(client, app, callbacks.meetings.submit,
                    [{"id": "meetings-submit", "property": "n_clicks", "value": 1}], state)

    before = counts(sqlite_settings)
    short = outputs(submit(secretary, **{"meetings-attended": 29}))  # 45 representatives: 30 must attend
    assert short["meetings-attended-error"]["children"].startswith("未达法定人数")
    assert "至少30人" in short["meetings-attended-error"]["children"]
    over = outputs(submit(secretary, **{"meetings-r2-for": 30}))  # 30 + 1 votes from 30 present
    assert over["meetings-r2-votes-error"]["children"] == "赞成、反对、弃权合计31票，超过实到人数30人"
    with transaction(sqlite_settings.database_url) as s:
        foreign = s.scalar(select(CollectiveOrg.id).where(~CollectiveOrg.region_code.between(*who.scope.ranges[0])))
    assert counts(sqlite_settings) == before
    refused = submit(secretary, **{"meetings-org": foreign})
    assert (refused.status_code, refused.get_json()["error"]) == (403, "该集体经济组织不在您的管辖范围内")
    after = counts(sqlite_settings)  # nothing written but the security log's record of the refusal
    assert after[:3] + after[4:] == before[:3] + before[4:] and after[3] == before[3] + 1
    with transaction(sqlite_settings.database_url) as s:
        assert s.scalar(select(AuditLog.type).order_by(AuditLog.id.desc())) == "permission_denied"
    before = after
    ok = text(outputs(submit(secretary))["meetings-result"]["children"])
    assert ok.startswith("已登记会议 #") and "表决结果：决〔2026〕CB1 通过；决〔2026〕CB2 未通过。" in ok  # 29 < 2/3 of 45
    assert ok.endswith("会议记录待监事长或乡镇确认后，其决议方可引用。")
    assert counts(sqlite_settings)[:2] == (before[0] + 1, before[1] + 2)

    rows = outputs(call_as(secretary, app, callbacks.meetings.load,
                        [{"id": "meetings-refresh", "property": "data", "value": 1}]))["meetings-grid"]["rowData"]
    row = next(r for r in rows if r["title"] == "2026年第五次成员代表会议")
    assert (row["quorum"], row["resolutions"], row["passed"]) == ("已达", 2, 1)
    detail = outputs(call_as(secretary, app, callbacks.meetings.selected,
                          [{"id": "meetings-grid", "property": "selectedRows", "value": [row]},
                           {"id": "meetings-refresh", "property": "data", "value": 1}]))
    assert [r["number"] for r in detail["meetings-res-grid"]["rowData"]] == ["决〔2026〕CB1", "决〔2026〕CB2"]
    assert "demo-secretary" in text(detail["meetings-history"]["children"])
    target = detail["meetings-edit-target"]["data"]

    def save(client, title):
        edit = {"meetings-edit-kind": "成员代表会议", "meetings-edit-title": title,
                "meetings-edit-date": YESTERDAY.isoformat(), "meetings-edit-expected": 45,
                "meetings-edit-attended": 30, "meetings-edit-agenda": "一、鱼塘发包；二、年度计划"}
        return call_as(client, app, callbacks.meetings.save,
                    [{"id": "meetings-edit-submit", "property": "n_clicks", "value": 1}],
                    [{"id": "meetings-edit-target", "property": "data", "value": target},
                     *[{"id": k, "property": "value", "value": v} for k, v in edit.items()],
                     {"id": "meetings-refresh", "property": "data", "value": 1}])

    saved = text(outputs(save(cashier, "第五次成员代表会议（更正）"))["meetings-edit-result"]["children"])
    assert saved.startswith("已保存更正")
    stranger(sqlite_settings, "demo-secretary")
    before = counts(sqlite_settings)
    stale = outputs(save(secretary, "书记打开时的名称"))  # opened before the cashier's correction
    assert text(stale["meetings-edit-result"]["children"]) == "该会议记录已被他人修改，请刷新后再操作"
    assert counts(sqlite_settings) == before
    # a secretary of another county is refused with the same words as for any meeting out of reach
    refused = save(client_for("demo-secretary-elsewhere"), "外县改名")
    assert (refused.status_code, refused.get_json()["error"]) == (403, "该会议不在您的管辖范围内")
    after = counts(sqlite_settings)
    assert after[:3] + after[4:] == before[:3] + before[4:]
    with transaction(sqlite_settings.database_url) as s:
        assert s.get(Meeting, target["id"]).title == "第五次成员代表会议（更正）"
