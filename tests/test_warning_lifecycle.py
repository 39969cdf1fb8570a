"""The warning lifecycle (issue 6): a warning raised in a village is seen by its township, handled
there with a note and a file, verified and closed by the county — or returned for redo; every wrong
hand is refused at every step and nothing is written then; stale pages are refused; overdue warnings
escalate one level up; nobody outside the village's jurisdiction sees it; village ratings and the
heatmap's counts; the same path through the real callbacks."""
from __future__ import annotations

import base64
import datetime as dt
import itertools

import polars as pl
import pytest
from sqlalchemy import func, select

from callbacks.supervision import warning_map as map_page
from callbacks.supervision import warnings as handling_page
from data.db import transaction
from data.errors import AccountError, StaleEdit
from data.models import Attachment, AuditLog, User, Warning, WarningEvent
from data.regions import load_region_tree
from data.supervision import analysis, handling, store
from domain.admin.passwords import hash_password
from domain.permissions import PermissionDenied
from domain.regions import parent_of
from domain.supervision import lifecycle as rules
from domain.supervision import rating
from server.callbacks import callback_named
from tests.conftest import PASSWORD, TODAY, dash_post, make_settings, sign_in
from tests.support.supervision import actor, app_on, text_of

NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing on TODAY
_seq = itertools.count(1)


@pytest.fixture(scope="module")
def wdb(tmp_path_factory):
    """A database of its own: these tests write warnings and their trails."""
    from tests.support.app import generate_test_data

    return generate_test_data(make_settings(tmp_path_factory.mktemp("warnings")))


def raise_warning(settings, region: int, *, rule_id="cash_over_limit", severity=2, status="pushed",
                  due_on: dt.date | None = None, raised_at: dt.datetime | None = None, assigned: int | None = None,
                  closed_at: dt.datetime | None = None) -> int:
    """Insert a warning as the engine does: pushed to its village with a working-day deadline."""
    raised_at = raised_at or dt.datetime(2026, 11, 16, 1, 0, tzinfo=dt.UTC)
    with transaction(settings.database_url) as s:
        w = Warning(rule_id=rule_id, region_code=region, severity=severity, status=status,
                    assigned_region=assigned or region, fingerprint=f"test:{rule_id}:{next(_seq)}",
                    title=f"测试预警 {rule_id}", evidence={"balance_fen": 812_345, "limit_fen": 500_000},
                    raised_at=raised_at, due_on=due_on or rules.due_date(raised_at.date(), severity),
                    closed_at=closed_at)
        s.add(w)
        s.flush()
        return w.id


def snapshot(settings, wid: int) -> tuple:
    """Everything a refused step must leave untouched."""
    with transaction(settings.database_url) as s:
        w = s.get(Warning, wid)
        return (w.status, w.version, w.assigned_region, w.due_on, w.handled_at, w.closed_at,
                s.scalar(select(func.count()).select_from(WarningEvent)),
                s.scalar(select(func.count()).select_from(Attachment)),
                s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.type == "data_change")))


def version(settings, wid: int) -> int:
    with transaction(settings.database_url) as s:
        return s.get(Warning, wid).version


def make_user(settings, username: str, role: str, region: int) -> None:
    with transaction(settings.database_url) as s:
        if s.scalar(select(User.id).where(User.username == username)) is None:
            s.add(User(username=username, display_name=username, role=role, region_code=region,
                       password_hash=hash_password(PASSWORD)))


@pytest.fixture(scope="module")
def people(wdb):
    names = ["demo-village", "demo-secretary", "demo-supervisor", "demo-township", "demo-township-head",
             "demo-county", "demo-county-b", "demo-city"]
    return {n: actor(wdb, n) for n in names}


def step(settings, who, wid, action, note=None, files=None):
    return handling.act(settings.database_url, settings.audit_key, who, wid, action, note, files or [],
                        version(settings, wid), TODAY, now=NOW)


def visible_ids(settings, who, status="all") -> set[int]:
    return {r["id"] for r in store.list_warnings(settings.database_url, who, TODAY, status=status)}


# ------------------------------------------------------------------ the whole path

def test_lifecycle001_village_warning_handled_by_township_verified_and_closed_by_county(wdb, people):
    url = wdb.database_url
    village = people["demo-village"].scope.root
    wid = raise_warning(wdb, village)
    township, county = people["demo-township"], people["demo-county"]
    # seen by the village, its township, county and city; not by another county
    for who in ("demo-village", "demo-township", "demo-county", "demo-city"):
        assert wid in visible_ids(wdb, people[who]), who
    assert wid not in visible_ids(wdb, people["demo-county-b"])

    before = snapshot(wdb, wid)
    assert store.detail(url, township, wid, TODAY)["actions"] == ["acknowledge"]
    assert step(wdb, township, wid, "acknowledge") == "acknowledged"
    evidence = b"%PDF-1.4 bank deposit slip"
    assert step(wdb, township, wid, "handle", "已将超限现金3123.45元存入银行，附存款回单。",
                [("存款回单.pdf", evidence)]) == "handled"
    d = store.detail(url, county, wid, TODAY)
    assert d["actions"] == ["verify", "reopen"]
    assert d["rule"]["name"] == "库存现金超过限额" and "第三十一条" in d["rule"]["article"]
    assert d["evidence"] == {"balance_fen": 812_345, "limit_fen": 500_000}
    assert step(wdb, county, wid, "verify", "已抽查银行回单，属实。") == "verified"
    assert step(wdb, county, wid, "close") == "closed"

    d = store.detail(url, township, wid, TODAY)
    assert [(e["action"], e["to_label"]) for e in d["trail"]] == [
        ("acknowledge", "已签收"), ("handle", "已办理"), ("verify", "已核实"), ("close", "已关闭")]
    handled = d["trail"][1]
    assert handled["by"].endswith("代理会计（演示）") and "存款回单" in handled["note"]
    import hashlib

    assert [(f["filename"], f["sha256"]) for f in handled["files"]] == [
        ("存款回单.pdf", hashlib.sha256(evidence).hexdigest())]
    after = snapshot(wdb, wid)
    assert after[6] - before[6] == 4 and after[7] - before[7] == 1 and after[8] - before[8] == 4  # events, files, log
    with transaction(url) as s:
        w = s.get(Warning, wid)
        assert w.acknowledged_at and w.handled_at and w.verified_at and w.closed_at
        log = s.scalars(select(AuditLog.description).where(AuditLog.type == "data_change")
                        .order_by(AuditLog.id.desc()).limit(4)).all()
    assert [t.split("：")[0] for t in log] == ["预警关闭", "预警核实", "预警办理", "预警签收"]
    assert wid not in visible_ids(wdb, township, "open") and wid in visible_ids(wdb, township, "closed")


def test_lifecycle002_reopened_warning_goes_back_to_the_handler_with_a_new_deadline(wdb, people):
    village = people["demo-village"].scope.root
    wid = raise_warning(wdb, village, severity=3)
    township, county = people["demo-township"], people["demo-county"]
    step(wdb, township, wid, "acknowledge")
    step(wdb, township, wid, "handle", "已补开成员代表会议并形成决议。")
    before = snapshot(wdb, wid)
    with pytest.raises(AccountError) as exc:  # a reason is required
        step(wdb, county, wid, "reopen", "不行")
    assert "退回理由" in exc.value.errors["note"]
    assert snapshot(wdb, wid) == before
    assert step(wdb, county, wid, "reopen", "决议晚于支付日期，整改不到位，请重新办理。") == "reopened"
    with transaction(wdb.database_url) as s:
        w = s.get(Warning, wid)
        assert w.due_on == rules.due_date(TODAY, 3) and w.handled_at is None
    assert store.detail(wdb.database_url, township, wid, TODAY)["actions"] == ["handle"]
    assert step(wdb, township, wid, "handle", "已追回款项并重新履行民主决策程序。") == "handled"
    assert step(wdb, county, wid, "verify") == "verified"
    assert step(wdb, county, wid, "close") == "closed"


# ------------------------------------------------------------------ refusals change nothing

@pytest.mark.parametrize("who, action, prepare, message", [
    # the handler cannot verify what they handled
    ("demo-township", "verify", ["acknowledge", "handle"], "办理人不能核实本人办理的预警"),
    # the township head is not above the township that handled it
    ("demo-township-head", "verify", ["acknowledge", "handle"], "只能由办理单位的上级核实"),
    # a village user cannot close: the cashier lacks the right, the secretary is not above
    ("demo-village", "close", ["acknowledge", "handle", "verify"], "缺少权限"),
    ("demo-secretary", "close", ["acknowledge", "handle", "verify"], "只能由办理单位的上级关闭"),
    # the county does not handle a village's warning (the village and its township do)
    ("demo-county", "acknowledge", [], "只能由责任单位签收"),
    ("demo-township-head", "acknowledge", [], "缺少权限"),
    ("demo-supervisor", "handle", ["acknowledge"], "缺少权限"),
    # another county: not even told it exists
    ("demo-county-b", "acknowledge", [], "不存在或不在您的管辖范围内"),
    ("demo-county-b", "close", ["acknowledge", "handle", "verify"], "不存在或不在您的管辖范围内"),
])
def test_lifecycle003_wrong_actor_is_refused_and_nothing_is_written(wdb, people, who, action, prepare, message):
    wid = raise_warning(wdb, people["demo-village"].scope.root)
    for a in prepare:  # the township handles, the county verifies
        step(wdb, people["demo-county" if a in ("verify", "close") else "demo-township"], wid, a,
             "已核实情况并完成整改，附说明。")
    before = snapshot(wdb, wid)
    with pytest.raises(PermissionDenied, match=message):
        step(wdb, people[who], wid, action, "我来处理这条预警的说明文字。", [("说明.txt", b"note")])
    assert snapshot(wdb, wid) == before


def test_lifecycle004_another_county_sees_nothing(wdb, people):
    url = wdb.database_url
    wid = raise_warning(wdb, people["demo-village"].scope.root)
    other = people["demo-county-b"]
    assert wid not in visible_ids(wdb, other)
    assert all(other.scope.contains(r["region_code"]) for r in store.list_warnings(url, other, TODAY, status="all"))
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        store.detail(url, other, wid, TODAY)
    f = analysis.frame(url, other.scope)
    assert wid not in f["id"].to_list()
    with pytest.raises(PermissionDenied):  # banks and members see no warnings at all
        store.list_warnings(url, actor(wdb, "demo-bank"), TODAY)


def test_lifecycle005_every_input_problem_is_reported_at_once(wdb, people):
    wid = raise_warning(wdb, people["demo-village"].scope.root)
    township = people["demo-township"]
    step(wdb, township, wid, "acknowledge")
    before = snapshot(wdb, wid)
    with pytest.raises(AccountError) as exc:
        step(wdb, township, wid, "handle", "已处理", [("病毒.exe", b"MZ"), ("空文件.pdf", b"")])
    e = exc.value.errors
    assert "至少10个字" in e["note"] and "只能上传" in e["attachments"] and "是空的" in e["attachments"]
    with pytest.raises(AccountError, match="不能签收"):  # already acknowledged
        step(wdb, township, wid, "acknowledge")
    assert snapshot(wdb, wid) == before


def test_lifecycle006_stale_page_is_refused(wdb, people):
    wid = raise_warning(wdb, people["demo-village"].scope.root)
    township, secretary = people["demo-township"], people["demo-secretary"]
    opened = version(wdb, wid)  # two people open the same warning
    handling.act(wdb.database_url, wdb.audit_key, secretary, wid, "acknowledge", None, [], opened, TODAY)
    before = snapshot(wdb, wid)
    with pytest.raises(StaleEdit, match="请刷新"):
        handling.act(wdb.database_url, wdb.audit_key, township, wid, "acknowledge", None, [], opened, TODAY)
    assert snapshot(wdb, wid) == before


# ------------------------------------------------------------------ deadlines and escalation

def test_lifecycle007_overdue_means_past_the_deadline_and_not_yet_handled():
    due = dt.date(2026, 11, 20)
    assert not rules.overdue({"status": "pushed", "due_on": due}, due)
    assert rules.overdue({"status": "pushed", "due_on": due}, due + dt.timedelta(days=1))
    assert rules.overdue({"status": "reopened", "due_on": "2026-11-20"}, due + dt.timedelta(days=1))
    assert not rules.overdue({"status": "handled", "due_on": due}, due + dt.timedelta(days=30))
    # deadlines count working days: not the National Day week, but the make-up Saturday 10-10
    assert rules.due_date(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 13)
    province = rules.WarningState(status="pushed", region_code=220122001001, assigned_region=220000000000,
                                  due_on=due)
    assert rules.escalation(province, due + dt.timedelta(days=5)) is None  # nowhere higher to go


def test_lifecycle008_overdue_warning_escalates_one_level_and_stays_within_the_region(wdb, people):
    url, key = wdb.database_url, wdb.audit_key
    village = people["demo-village"].scope.root
    township_code = parent_of(village)
    late = raise_warning(wdb, village, due_on=TODAY - dt.timedelta(days=1))
    in_time = raise_warning(wdb, village, due_on=TODAY)
    handled = raise_warning(wdb, village, due_on=TODAY - dt.timedelta(days=3), status="handled")
    moved = handling.escalate_overdue(url, key, TODAY, now=NOW)
    assert late in moved and in_time not in moved and handled not in moved
    with transaction(url) as s:
        w = s.get(Warning, late)
        assert (w.assigned_region, w.escalations, w.status) == (township_code, 1, "pushed")
        assert w.due_on == rules.due_date(TODAY, w.severity)
        ev = s.scalars(select(WarningEvent).where(WarningEvent.warning_id == late)).one()
        assert ev.action == "escalated" and ev.by_id is None and "升级至" in ev.note
        assert s.scalar(select(AuditLog.description).order_by(AuditLog.id.desc()).limit(1)).startswith("逾期未办理的预警升级")
    assert late not in handling.escalate_overdue(url, key, TODAY, now=NOW)  # not twice on a day
    # the village no longer handles it; its township does
    with pytest.raises(PermissionDenied, match="只能由责任单位"):
        step(wdb, people["demo-secretary"], late, "acknowledge")
    assert store.detail(url, people["demo-township"], late, TODAY)["actions"] == ["acknowledge"]
    # overdue at the township too: on to the county, still seen only within the village's jurisdiction
    later = rules.due_date(TODAY, 2) + dt.timedelta(days=1)
    assert late in handling.escalate_overdue(url, key, later, now=NOW)
    with transaction(url) as s:
        w = s.get(Warning, late)
        assert (w.assigned_region, w.escalations) == (people["demo-county"].scope.root, 2)
    tree = load_region_tree(wdb.province)
    other_township = next(c for c in tree.children(people["demo-county"].scope.root)["code"] if c != township_code)
    make_user(wdb, "wl-other-township", "township_accountant", other_township)
    assert late not in visible_ids(wdb, actor(wdb, "wl-other-township"))
    assert late not in visible_ids(wdb, people["demo-county-b"])
    d = store.detail(url, people["demo-county"], late, TODAY)
    assert d["escalations"] == 2 and d["actions"] == ["acknowledge"]  # the county now handles it


def test_lifecycle009_escalation_catches_up_at_start(wdb, people):
    """The job runner's first round runs the escalation at once (a server that was down catches up)."""
    from data.jobs.runner import Runner

    wid = raise_warning(wdb, people["demo-village"].scope.root, due_on=TODAY - dt.timedelta(days=2))
    ran = Runner(wdb.with_(warning_schedule_s=3600), "jobs:1").run_once()
    assert ran["kind"] == "warning_escalation" and ran["status"] == "done" and ran["result"]["escalated"] >= 1
    with transaction(wdb.database_url) as s:
        assert s.get(Warning, wid).assigned_region == parent_of(people["demo-village"].scope.root)


# ------------------------------------------------------------------ rating and the heatmap's figures

@pytest.mark.parametrize("open_count, severe, expected", [
    (0, 0, "green"), (1, 0, "amber"), (4, 0, "amber"), (5, 0, "red"), (1, 1, "red"),
])
def test_lifecycle010_rating_boundaries(open_count, severe, expected):
    colour, reasons = rating.rate(open_count, severe)
    assert colour == expected
    if colour == "green":
        assert reasons == "无未关闭的预警"
    elif colour == "amber":
        assert reasons == f"未关闭预警{open_count}条，无高级别预警"
    else:
        assert ("高级别" in reasons) == bool(severe) and ("达到5条" in reasons) == (open_count >= 5)


def test_lifecycle011_rating_thresholds_are_data():
    strict = rating.Thresholds(red_open=3, red_overdue=1)
    assert rating.rate(3, 0, t=strict)[0] == "red"
    assert rating.rate(1, 0, 1, t=strict) == ("red", "逾期未办理预警1条")
    assert rating.rate(2, 0, t=strict)[0] == "amber"


def _frame(rows):
    base = {"rule_id": "cash_over_limit", "severity": 2, "status": "pushed", "title": "t",
            "raised_on": dt.date(2026, 10, 5), "closed_on": None, "close_days": None,
            "due_on": dt.date(2026, 12, 31), "escalations": 0}
    data = [{**base, "id": i, "assigned_region": r["region_code"], **r} for i, r in enumerate(rows, start=1)]
    return pl.DataFrame(data, schema=analysis.FRAME_SCHEMA)


def test_lifecycle012_heatmap_counts_rows_worst_first_and_cells(people):
    tree = load_region_tree(22)
    county = people["demo-county"].scope.root
    t1, t2 = tree.children(county)["code"].to_list()[:2]
    v1, v2 = tree.children(t1)["code"].to_list()[:2]
    w1 = tree.children(t2)["code"][0]
    f = _frame([
        {"region_code": v1}, {"region_code": v2}, {"region_code": v2, "rule_id": "no_resolution", "severity": 3},
        {"region_code": w1, "rule_id": "no_resolution", "severity": 3},
        {"region_code": w1, "rule_id": "no_resolution", "severity": 3},
        {"region_code": w1, "rule_id": "no_resolution", "severity": 3},
        {"region_code": w1, "status": "closed", "closed_on": dt.date(2026, 11, 3), "close_days": 29.0},
        {"region_code": v1, "status": "closed", "closed_on": dt.date(2026, 11, 5), "close_days": 10.0,
         "raised_on": dt.date(2026, 10, 26)},
    ])
    hm = analysis.heatmap(f, tree, county, "open")
    assert hm["row_codes"][:2] == [t2, t1]  # three open in t2 vs three in t1, but t2's are all severe
    assert hm["col_ids"] == ["no_resolution", "cash_over_limit"]
    assert hm["col_names"] == ["重大事项未经民主决策（四议两公开）", "库存现金超过限额"]
    assert hm["z"][:2] == [[3, 0], [1, 2]] and sum(map(sum, hm["z"])) == 6
    assert len(hm["row_codes"]) == 2 and hm["quiet"] == tree.children(county).height - 2  # no empty rows
    everything = analysis.heatmap(f, tree, county, "all")  # four of each rule: ties go by rule id
    assert everything["col_ids"] == ["cash_over_limit", "no_resolution"] and everything["z"][:2] == [[1, 3], [3, 1]]
    assert analysis.heatmap(f, tree, t1, "open")["row_codes"][:2] == [v2, v1]  # drilled to villages
    cell = analysis.cell_rows(f, tree, t1, "cash_over_limit", "open", TODAY)
    assert sorted(cell["region_code"].to_list()) == sorted([v1, v2])
    assert set(cell["rule_name"]) == {"库存现金超过限额"}
    trend = analysis.trend(f, county, TODAY, 3)
    assert trend == {"periods": ["2026-09", "2026-10", "2026-11"], "raised": [0, 8, 0], "closed": [0, 0, 2]}
    ct = analysis.close_time(f, tree, county)
    assert ct.select("code", "days", "closed").rows() == [(t2, 29.0, 1), (t1, 10.0, 1)]
    per = analysis.per_village(f, tree, county, frozenset({v1, v2, w1}))
    assert per.head(2).select("code", "open", "villages", "per_village").rows() == [(t2, 3, 1, 3.0), (t1, 3, 2, 1.5)]
    rated = analysis.ratings(f, tree, county, TODAY, frozenset({v1, v2, w1}))
    assert rated.select("code", "rating").rows() == [(w1, "red"), (v2, "red"), (v1, "amber")]
    k = analysis.kpis(f, county, TODAY, rated)
    assert (k["open"], k["high"], k["closed"], k["red"], k["amber"], k["green"]) == (6, 4, 2, 2, 1, 0)
    assert k["mean_close_days"] == pytest.approx(19.5)


def test_lifecycle013_heatmap_frame_follows_writes(wdb, people):
    """The cached frame is keyed by the table's data version: a step shows at once."""
    county = people["demo-county"]
    wid = raise_warning(wdb, people["demo-village"].scope.root, rule_id="benford", severity=1)
    f = analysis.frame(wdb.database_url, county.scope)
    assert f.filter(pl.col("id") == wid)["status"].to_list() == ["pushed"]
    step(wdb, people["demo-township"], wid, "acknowledge")
    f = analysis.frame(wdb.database_url, county.scope)
    assert f.filter(pl.col("id") == wid)["status"].to_list() == ["acknowledged"]
    assert f["region_code"].is_between(*county.scope.ranges[0]).all()


# ------------------------------------------------------------------ through the callbacks

@pytest.fixture(scope="module")
def wapp(wdb):
    return app_on(wdb, TODAY)


def test_lifecycle014_the_lifecycle_through_the_callbacks(wapp, wdb, people):
    app = wapp
    wid = raise_warning(wdb, people["demo-village"].scope.root, rule_id="no_resolution", severity=3)
    township, county = sign_in(app.server, "demo-township"), sign_in(app.server, "demo-county")
    other = sign_in(app.server, "demo-county-b")

    def rows(client):
        resp = dash_post(client, callback_named(app, handling_page.load),
                         [{"id": "warn-refresh", "property": "data", "value": 0},
                          {"id": "warn-status", "property": "value", "value": "open"},
                          {"id": "warn-rule", "property": "value", "value": None}])
        return resp.get_json()["response"]["warn-grid"]["rowData"]

    def show(client, row=None, hash_=""):
        resp = dash_post(client, callback_named(app, handling_page.show),
                         [{"id": "warn-grid", "property": "selectedRows", "value": [row] if row else None},
                          {"id": "url", "property": "hash", "value": hash_},
                          {"id": "warn-refresh", "property": "data", "value": 0}])
        return resp.get_json()["response"]

    def submit(client, selected, action, note=None, files=()):
        """The step's outcome line (warn-result) and the note's error line (warn-note-error): a click
        on the step's own button (办结: the dialog's 确认)."""
        if action == "close":
            out = dash_post(client, callback_named(app, handling_page.close),
                            [{"id": "warn-decide-confirm", "property": "n_clicks", "value": 1}],
                            [{"id": "warn-decide-pending", "property": "data", "value": {**selected, "decision": "close"}},
                             {"id": "warn-decide-opinion", "property": "value", "value": note},
                             {"id": "warn-refresh", "property": "data", "value": 0}]).get_json()["response"]
            return text_of(out["warn-result"]["children"]), out["warn-decide-opinion-error"]["children"]
        body = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4 minutes").decode()
        out = dash_post(client, callback_named(app, handling_page.submit),
                        [{"id": f"warn-step-{a}", "property": "n_clicks", "value": 1 if a == action else None}
                         for a in ("acknowledge", "handle", "verify", "reopen")],
                        [{"id": "warn-selected", "property": "data", "value": selected},
                         {"id": "warn-note", "property": "value", "value": note},
                         {"id": "warn-files", "property": "contents", "value": [body for _ in files] or None},
                         {"id": "warn-files", "property": "filename", "value": list(files) or None},
                         {"id": "warn-refresh", "property": "data", "value": 0}],
                        changed=[f"warn-step-{action}.n_clicks"]).get_json()["response"]
        return text_of(out["warn-result"]["children"]), out["warn-note-error"]["children"]

    def offered(page):
        """The steps whose button the page shows."""
        return [a for a in ("acknowledge", "handle", "verify", "close", "reopen")
                if not page[f"warn-step-{a}-tools"]["hidden"]]

    row = next(r for r in rows(township) if r["id"] == wid)
    assert row["rule_name"] == "重大事项未经民主决策（四议两公开）" and row["status_label"] == "已推送"
    assert wid not in {r["id"] for r in rows(other)}
    page = show(township, row)
    assert offered(page) == ["acknowledge"]
    assert "四议两公开" in text_of(page["warn-detail"]["children"])
    selected = page["warn-selected"]["data"]
    assert "已签收" in submit(township, selected, "acknowledge")[0]
    assert "已被他人办理或修改" in submit(township, selected, "acknowledge")[0]  # the page opened before
    selected = show(township, row)["warn-selected"]["data"]
    result, note_error = submit(township, selected, "handle", "已处理")
    assert "至少10个字" in note_error and "未办理" in result and version(wdb, wid) == selected["version"]
    ok, _ = submit(township, selected, "handle", "已补开成员代表会议，形成决议并公示。", ["会议纪要.pdf"])
    assert "已办理" in ok and "附件 1 个" in ok
    # opened from the heatmap's link: #warning=<id>
    county_page = show(county, hash_=f"#warning={wid}")
    assert offered(county_page) == ["verify", "reopen"]
    assert "会议纪要.pdf" in text_of(county_page["warn-detail"]["children"])
    assert "办理人不能核实" in submit(township, show(township, row)["warn-selected"]["data"], "verify")[0]
    assert "已核实" in submit(county, county_page["warn-selected"]["data"], "verify")[0]
    assert "已关闭" in submit(county, show(county, hash_=f"#warning={wid}")["warn-selected"]["data"], "close")[0]
    refused = show(other, hash_=f"#warning={wid}")
    assert "不在您的管辖范围内" in text_of(refused["warn-detail"]["children"])
    assert refused["warn-selected"]["data"] is None
    with transaction(wdb.database_url) as s:
        assert s.get(Warning, wid).status == "closed"


def test_lifecycle015_heatmap_callbacks_scope_and_cell_click(wapp, wdb, people):
    app = wapp
    village = people["demo-village"].scope.root
    wid = raise_warning(wdb, village, rule_id="price_below_reserve", severity=3)
    county = sign_in(app.server, "demo-county")
    hm = dash_post(county, callback_named(app, map_page.charts), [{"id": "url", "property": "hash", "value": ""},
                                                                  {"id": "wmap-status", "property": "value", "value": "open"}])
    fig = hm.get_json()["response"]["wmap-heatmap"]["figure"]["data"][0]
    col = fig["x"].index("成交价远低于挂牌底价")
    township = parent_of(village)
    row = [c[0][0] for c in fig["customdata"]].index(township)
    assert fig["z"][row][col] >= 1
    # what the browser posts for a heatmap click: the cell's labels (Dash drops a heatmap's customdata)
    click = {"points": [{"curveNumber": 0, "x": fig["x"][col], "y": fig["y"][row], "z": fig["z"][row][col]}]}
    cell = dash_post(county, callback_named(app, map_page.cell),
                     [{"id": "wmap-heatmap", "property": "clickData", "value": click},
                      {"id": "url", "property": "hash", "value": ""},
                      {"id": "wmap-status", "property": "value", "value": "open"}],
                     changed=["wmap-heatmap.clickData"]).get_json()["response"]
    rows = cell["wmap-cell-grid"]["rowData"]
    assert wid in [r["id"] for r in rows] and {r["rule_name"] for r in rows} == {"成交价远低于挂牌底价"}
    assert f"/warnings#warning={wid}" in next(r["link"] for r in rows if r["id"] == wid)
    ratings = dash_post(county, callback_named(app, map_page.render),
                        [{"id": "url", "property": "hash", "value": ""},
                         {"id": "wmap-status", "property": "value", "value": "open"}]).get_json()["response"]
    mine = next(r for r in ratings["wmap-ratings"]["rowData"] if r["code"] == village)
    assert mine["rating"] == "red" and "高级别" in mine["reasons"]
    # another county's region in the URL is refused, and its user sees none of this county's warnings
    other_root = people["demo-county-b"].scope.root
    for fn in (map_page.charts, map_page.render):
        resp = dash_post(county, callback_named(app, fn),
                         [{"id": "url", "property": "hash", "value": f"#region={other_root}"},
                          {"id": "wmap-status", "property": "value", "value": "open"}])
        assert resp.status_code == 403
    other = sign_in(app.server, "demo-county-b")  # the same click in another county shows only its own
    resp = dash_post(other, callback_named(app, map_page.cell),
                     [{"id": "wmap-heatmap", "property": "clickData", "value": click},
                      {"id": "url", "property": "hash", "value": ""},
                      {"id": "wmap-status", "property": "value", "value": "open"}],
                     changed=["wmap-heatmap.clickData"])
    theirs = resp.get_json()["response"]
    assert wid not in [r["id"] for r in theirs["wmap-cell-grid"]["rowData"]]
    assert fig["y"][row] not in text_of(theirs["wmap-cell-title"]["children"])  # nor the township's name
    assert fig["y"][row] not in {r["assigned_name"] for r in theirs["wmap-cell-grid"]["rowData"]}
    # the export is written to the security log
    with transaction(wdb.database_url) as s:
        before = s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.type == "export"))
    exported = dash_post(county, callback_named(app, map_page.export),
                         [{"id": "wmap-export-cell", "property": "n_clicks", "value": None},
                          {"id": "wmap-export-ratings", "property": "n_clicks", "value": 1}],
                         [{"id": "wmap-cell", "property": "data", "value": None},
                          {"id": "url", "property": "hash", "value": ""}], changed=["wmap-export-ratings.n_clicks"])
    assert "村级预警评级" in exported.get_json()["response"]["wmap-download"]["data"]["filename"]
    with transaction(wdb.database_url) as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.type == "export")) == before + 1


def test_lifecycle018_after_verify_a_second_click_is_stale_and_closing_asks_first(wapp, wdb, people):
    """Issue 13: the second 提交 after 核实 closed the warning. Now each step has its own button
    (确认核实, 办结…), a click from the page drawn before the warning changed is refused as stale,
    and 办结 only opens its confirmation: only the dialog's 确认 closes."""
    app = wapp
    wid = raise_warning(wdb, people["demo-village"].scope.root)
    township = people["demo-township"]
    step(wdb, township, wid, "acknowledge")
    step(wdb, township, wid, "handle", "已将超限现金存入银行，附存款回单。")
    county = sign_in(app.server, "demo-county")

    def show():
        return dash_post(county, callback_named(app, handling_page.show),
                         [{"id": "warn-grid", "property": "selectedRows", "value": None},
                          {"id": "url", "property": "hash", "value": f"#warning={wid}"},
                          {"id": "warn-refresh", "property": "data", "value": 0}]).get_json()["response"]

    def click(button, selected):
        inputs = [{"id": f"warn-step-{a}", "property": "n_clicks", "value": 1 if a == button else None}
                  for a in ("acknowledge", "handle", "verify", "reopen")]
        out = dash_post(county, callback_named(app, handling_page.submit), inputs,
                        [{"id": "warn-selected", "property": "data", "value": selected},
                         {"id": "warn-note", "property": "value", "value": None},
                         {"id": "warn-files", "property": "contents", "value": None},
                         {"id": "warn-files", "property": "filename", "value": None},
                         {"id": "warn-refresh", "property": "data", "value": 0}],
                        changed=[f"warn-step-{button}.n_clicks"]).get_json()["response"]
        return text_of(out["warn-result"]["children"])

    page = show()
    shown = {a: not page[f"warn-step-{a}-tools"]["hidden"] for a in rules.STEP_BUTTONS}
    assert [a for a, on in shown.items() if on] == ["verify", "reopen"] and rules.STEP_BUTTONS["verify"] == "确认核实"
    selected = page["warn-selected"]["data"]
    assert "已核实" in click("verify", selected)
    again = click("verify", selected)  # the double click: the page as it was before 核实
    assert "已被他人办理或修改" in again
    assert snapshot(wdb, wid)[0] == "verified"
    after = show()
    assert [a for a in rules.STEP_BUTTONS if not after[f"warn-step-{a}-tools"]["hidden"]] == ["reopen", "close"]
    assert "warn-step-close" not in {i["id"] for i in app.callback_map[callback_named(app, handling_page.submit)]["inputs"]}
    asked = dash_post(county, callback_named(app, handling_page.ask_close),
                      [{"id": "warn-step-close", "property": "n_clicks", "value": 1}],
                      [{"id": "warn-selected", "property": "data", "value": after["warn-selected"]["data"]}]
                      ).get_json()["response"]
    assert asked["warn-decide-modal"]["is_open"] is True and asked["warn-decide-title"]["children"] == "确认办结"
    assert snapshot(wdb, wid)[0] == "verified"  # asking closed nothing
