"""阳光公开 (issue 14, item 8) through the real callbacks: a disclosure is prepared from the books,
reviewed by the oversight group, approved by the township and published, in that order only; the
preparer never approves their own; a published disclosure never changes (a correction is a new,
linked one); a quarter due and not published raises a warning through the warning engine."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

import callbacks.disclosure.board as board
import callbacks.disclosure.steps as steps
from components.dialogs import DISCLOSURE_DECISION as DECISION
from data.db import transaction
from data.models import AuditLog, CollectiveOrg, Disclosure, VoucherLine, Voucher, Warning
from data.supervision.engine import run as run_rules
from domain import disclosure as rules
from tests.conftest import TODAY
from tests.support.business import actor, own_database
from tests.support.http import app_on, call, outputs, props, sign_in, text



@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return own_database(tmp_path_factory, "disclosure")


@pytest.fixture(scope="module")
def app(settings):
    return app_on(settings)


@pytest.fixture(scope="module")
def clients(app):
    return {u: sign_in(app.server, u) for u in ("demo-village", "demo-supervisor", "demo-township",
                                                 "demo-township-head", "demo-secretary", "demo-member")}


def village_org(settings) -> int:
    region = actor(settings, "demo-village").scope.root
    with transaction(settings.database_url) as s:
        return s.scalar(select(CollectiveOrg.id).where(CollectiveOrg.region_code == region))


def row(settings, did: int) -> Disclosure:
    with transaction(settings.database_url) as s:
        d = s.get(Disclosure, did)
        s.expunge(d)
        return d


def target(settings, did: int) -> dict:
    return {"id": did, "version": row(settings, did).version}


def prepare(app, client, org: int, kind="quarter", period="2026Q4", category=None, title=None, notes=None):
    state = props(("disc-org", "value", org), ("disc-kind", "value", kind), ("disc-period", "value", period),
                  ("disc-category", "value", category), ("disc-title", "value", title), ("disc-notes", "value", notes),
                  ("disc-refresh", "data", 0))
    return outputs(call(app, client, board.prepare, props(("disc-prepare", "n_clicks", 1)), state))


def newest(settings) -> int:
    with transaction(settings.database_url) as s:
        return s.scalar(select(func.max(Disclosure.id)))


def review(app, client, settings, did, agree=True, reviewers="王某某（组长）、李某某", opinion=None):
    button = "disc-review-ok" if agree else "disc-review-back"
    state = props(("disc-target", "data", target(settings, did)), ("disc-reviewers", "value", reviewers),
                  ("disc-review-opinion", "value", opinion), ("disc-refresh", "data", 0))
    return outputs(call(app, client, steps.review, props(("disc-review-ok", "n_clicks", 1 if agree else None),
                                                         ("disc-review-back", "n_clicks", None if agree else 1)),
                        state, changed=[f"{button}.n_clicks"]))


def decide(app, client, settings, did, decision="approve", opinion=None):
    pending = {**target(settings, did), "decision": decision}
    state = [{"id": DECISION.pending, "property": "data", "value": pending},
             {"id": DECISION.opinion, "property": "value", "value": opinion}, {"id": "disc-refresh", "property": "data",
                                                                              "value": 0}]
    return outputs(call(app, client, steps.decide, props((DECISION.confirm, "n_clicks", 1)), state))


def publish(app, client, settings, did):
    state = props(("disc-target", "data", target(settings, did)), ("disc-refresh", "data", 0))
    return outputs(call(app, client, steps.publish, props(("disc-publish", "n_clicks", 1)), state))


def edit(app, client, settings, did, title="改过的标题", notes="改过的说明"):
    state = props(("disc-target", "data", target(settings, did)), ("disc-edit-title", "value", title),
                  ("disc-edit-notes", "value", notes), ("disc-refresh", "data", 0))
    return outputs(call(app, client, steps.edit, props(("disc-edit", "n_clicks", 1)), state))


def refusals(settings) -> int:
    with transaction(settings.database_url) as s:
        return s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.result == "denied"))


def test_disclosure001_the_workflow_in_order_and_out_of_order_refused(app, clients, settings):
    org = village_org(settings)
    out = prepare(app, clients["demo-village"], org, notes="第四季度收支情况")
    assert "已按账簿生成财务公开草稿" in text(out["disc-prepare-result"]["children"])
    did = newest(settings)
    d = row(settings, did)
    assert (d.state, d.prepared_by_id, d.kind, d.period) == ("draft", actor(settings, "demo-village").user_id,
                                                             "quarter", "2026Q4")
    # the content comes from the books: the quarter's income equals the ledger's
    with transaction(settings.database_url) as s:
        o = s.get(CollectiveOrg, org)
        income = s.scalar(select(func.coalesce(func.sum(VoucherLine.credit_fen - VoucherLine.debit_fen), 0))
                          .join(Voucher, Voucher.id == VoucherLine.voucher_id)
                          .where(Voucher.org_id == o.id, VoucherLine.account_code.in_((501, 502, 503, 504)),
                                 VoucherLine.period.between(202610, 202612)))
    assert d.content["income_fen"] == income and d.content["start"] == "2026-10-01"
    # the same period twice is refused under the field
    again = prepare(app, clients["demo-village"], org)
    assert "该期间已有财务公开" in again["disc-period-error"]["children"]
    # out of order: the township cannot approve a draft, nobody publishes it; nothing changes
    before, denied = row(settings, did).version, refusals(settings)
    assert "不能乡镇审核同意" in text(decide(app, clients["demo-township-head"], settings, did)["disc-step-result"]["children"])
    assert "不能公开" in text(publish(app, clients["demo-village"], settings, did)["disc-step-result"]["children"])
    assert row(settings, did).version == before and row(settings, did).state == "draft"
    assert refusals(settings) >= denied + 2
    # the oversight group names who reviewed; the supervisory chair records it
    missing = review(app, clients["demo-supervisor"], settings, did, reviewers="")
    assert missing["disc-reviewers-error"]["children"] == "请填写参加审核的民主理财小组成员"
    assert row(settings, did).state == "draft"
    review(app, clients["demo-supervisor"], settings, did)
    d = row(settings, did)
    assert (d.state, d.reviewed_by_group, d.reviewers) == ("reviewed", True, "王某某（组长）、李某某")
    # a returning township must give its reason
    refused = decide(app, clients["demo-township-head"], settings, did, "reject")
    assert "驳回须填写审批意见" in refused[DECISION.opinion_error]["children"] and row(settings, did).state == "reviewed"
    decide(app, clients["demo-township-head"], settings, did, "approve", "同意公开")
    d = row(settings, did)
    assert (d.state, d.decision_opinion) == ("approved", "同意公开")
    publish(app, clients["demo-village"], settings, did)
    d = row(settings, did)
    assert d.state == "published" and d.published_on >= TODAY
    # the board lists it by state
    listed = outputs(call(app, clients["demo-township-head"], board.load, props(("disc-refresh", "data", 1),
                                                                                ("disc-state", "value", "published"))))
    assert did in [r["id"] for r in listed["disc-grid"]["rowData"]]
    assert {r["state"] for r in listed["disc-grid"]["rowData"]} == {"published"}


def test_disclosure002_a_return_goes_back_to_the_preparer(app, clients, settings):
    org = village_org(settings)
    prepare(app, clients["demo-village"], org, kind="major", period="2026-11-20", category="各类资源",
            notes="机动地发包")
    did = newest(settings)
    no_reason = review(app, clients["demo-supervisor"], settings, did, agree=False)
    assert no_reason["disc-review-opinion-error"]["children"] == "退回须填写审核意见（退回理由）"
    review(app, clients["demo-supervisor"], settings, did, agree=False, opinion="发包底价未写明")
    assert row(settings, did).state == "returned"
    edit(app, clients["demo-village"], settings, did, notes="机动地发包，底价每亩每年500元")
    d = row(settings, did)
    assert (d.state, d.notes, d.reviewers) == ("draft", "机动地发包，底价每亩每年500元", None)


def test_disclosure003_the_preparer_cannot_approve_their_own(app, clients, settings):
    """The township accountant keeps the village's books and may prepare its disclosure, and may
    approve disclosures, but never one they prepared."""
    org = village_org(settings)
    prepare(app, clients["demo-township"], org, kind="month", period="202611")
    did = newest(settings)
    review(app, clients["demo-supervisor"], settings, did)
    before, denied = row(settings, did).version, refusals(settings)
    out = decide(app, clients["demo-township"], settings, did)
    assert "编制人不能审批本人编制的财务公开" in text(out["disc-step-result"]["children"])
    assert row(settings, did).version == before and row(settings, did).state == "reviewed"
    assert refusals(settings) == denied + 1
    # the secretary (management) is no oversight group: the review callback refuses them
    resp = call(app, clients["demo-secretary"], steps.review, props(("disc-review-ok", "n_clicks", 1),
                                                                    ("disc-review-back", "n_clicks", None)),
                props(("disc-target", "data", target(settings, did)), ("disc-reviewers", "value", "x"),
                      ("disc-review-opinion", "value", None), ("disc-refresh", "data", 0)))
    assert resp.status_code == 403
    decide(app, clients["demo-township-head"], settings, did)
    assert row(settings, did).state == "approved"


def test_disclosure004_published_is_immutable_and_a_correction_is_linked(app, clients, settings):
    org = village_org(settings)
    with transaction(settings.database_url) as s:
        did = s.scalar(select(Disclosure.id).where(Disclosure.org_id == org, Disclosure.state == "published",
                                                   Disclosure.period == "2026Q2", Disclosure.corrects_id.is_(None)))
    before = row(settings, did)
    out = edit(app, clients["demo-village"], settings, did, title="篡改", notes="篡改")
    assert rules.PUBLISHED_IMMUTABLE in text(out["disc-step-result"]["children"])
    for refused in (review(app, clients["demo-supervisor"], settings, did),
                    decide(app, clients["demo-township-head"], settings, did)):
        assert rules.PUBLISHED_IMMUTABLE in text(refused["disc-step-result"]["children"])
    after = row(settings, did)
    assert (after.version, after.title, after.notes, after.content, after.state) == \
        (before.version, before.title, before.notes, before.content, "published")
    # the correction: a new draft linked to it, through the whole workflow
    made = outputs(call(app, clients["demo-village"], steps.correct, props(("disc-correct", "n_clicks", 1)),
                        props(("disc-target", "data", target(settings, did)), ("disc-refresh", "data", 0))))
    assert f"更正第 {did} 号" in text(made["disc-step-result"]["children"])
    fix = newest(settings)
    assert (row(settings, fix).corrects_id, row(settings, fix).period, row(settings, fix).state) == (did, "2026Q2", "draft")
    review(app, clients["demo-supervisor"], settings, fix)
    decide(app, clients["demo-township-head"], settings, fix)
    publish(app, clients["demo-village"], settings, fix)
    assert row(settings, fix).state == "published" and row(settings, did).state == "published"
    shown = outputs(call(app, clients["demo-village"], board.select,
                         props(("disc-grid", "selectedRows", [{"id": did}]), ("disc-refresh", "data", 0))))
    assert f"已由第 {fix} 号公开更正" in text(shown["disc-detail"]["children"])
    shown = outputs(call(app, clients["demo-village"], board.select,
                         props(("disc-grid", "selectedRows", [{"id": fix}]), ("disc-refresh", "data", 0))))
    assert f"更正第 {did} 号公开" in text(shown["disc-detail"]["children"])


def test_disclosure005_a_stale_version_is_refused(app, clients, settings):
    org = village_org(settings)
    prepare(app, clients["demo-village"], org, kind="month", period="202610")
    did = newest(settings)
    stale = {"id": did, "version": row(settings, did).version - 1 or 99}
    state = props(("disc-target", "data", stale), ("disc-reviewers", "value", "王某某"),
                  ("disc-review-opinion", "value", None), ("disc-refresh", "data", 0))
    out = outputs(call(app, clients["demo-supervisor"], steps.review, props(("disc-review-ok", "n_clicks", 1),
                                                                            ("disc-review-back", "n_clicks", None)),
                       state, changed=["disc-review-ok.n_clicks"]))
    assert "已被他人修改" in text(out["disc-step-result"]["children"]) and row(settings, did).state == "draft"


def test_disclosure006_overdue_raises_a_warning_through_the_engine(app, clients, settings):
    """The demo has villages whose latest quarter is not published (warnings raised); a quarter
    taken back to draft raises one; publishing it resolves it."""
    quarter = rules.previous_quarters(TODAY, 1)[0]
    mine = village_org(settings)
    with transaction(settings.database_url) as s:
        demo_raised = s.scalar(select(func.count()).select_from(Warning).where(Warning.rule_id == "disclosure_overdue"))
        d = s.scalar(select(Disclosure).where(Disclosure.org_id != mine, Disclosure.period == quarter,
                                              Disclosure.state == "published").order_by(Disclosure.id))
        o = s.get(CollectiveOrg, d.org_id)
        d.state, d.published_on = "approved", None  # as if it had never been published
        did, org_id = d.id, o.id
    assert demo_raised >= 1
    run_rules(settings.database_url, settings.audit_key, today=TODAY, rules=["disclosure_overdue"],
              data_dir=settings.data_dir)
    fp = f"disclosure_overdue:org:{org_id}:{quarter}"
    with transaction(settings.database_url) as s:
        w = s.scalar(select(Warning).where(Warning.fingerprint == fp))
        assert w is not None and w.resolved_in_data_at is None and "已编制但尚未公开" in w.title
    with transaction(settings.database_url) as s:
        s.get(Disclosure, did).state = "published"
    run_rules(settings.database_url, settings.audit_key, today=TODAY, rules=["disclosure_overdue"],
              data_dir=settings.data_dir)
    with transaction(settings.database_url) as s:
        assert s.scalar(select(Warning).where(Warning.fingerprint == fp)).resolved_in_data_at is not None


def test_disclosure007_the_member_cannot_use_the_board(app, clients, settings):
    resp = call(app, clients["demo-member"], board.load, props(("disc-refresh", "data", 1), ("disc-state", "value", "all")))
    assert resp.status_code == 403
    assert clients["demo-member"].get("/disclosure").status_code == 403


def test_disclosure008_the_demo_content_is_what_the_books_give(settings):
    """The demo's bulk content (polars over the generator's ledger) is the content the workflow
    generates from the database for the same organisation and quarter."""
    from data.disclosure import content

    with transaction(settings.database_url) as s:
        for d in s.scalars(select(Disclosure).where(Disclosure.kind == "quarter", Disclosure.corrects_id.is_(None))
                           .order_by(Disclosure.id).limit(12)):
            made = content.generate(s, s.get(CollectiveOrg, d.org_id), "quarter", d.period)
            stored = dict(d.content)
            assert {k: v for k, v in stored.items() if k != "major"} == {k: v for k, v in made.items() if k != "major"}
            assert sorted(m["fen"] for m in stored["major"]) == sorted(m["fen"] for m in made["major"])
