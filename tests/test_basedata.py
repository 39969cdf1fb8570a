"""Level-1 base data, the trial period's lock and corrections (issue 14 items 1–2, Art. J11–J14),
through the real callbacks: a village proposes and the township approves (applied and filed with
before/after); a locked county refuses a direct edit (callback and data function, logged); a
correction is applied for, approved, filed and revoked (the old values restored exactly); a
stale form, bad input and a user outside the village's scope change nothing."""
from __future__ import annotations

import base64
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from data.basedata import changes, profiles
from data.db import transaction
from data.models import AuditLog, BaseDataChange, CollectiveOrg, Member, Region, User, VillageProfile
from domain.admin import passwords
from domain.basedata.lock import BaseDataLocked
from domain.permissions import Actor, OutOfScope, Scope, role_perms
from server.callbacks import callback_named
from tests.support.app import PASSWORD, build_app, generate_test_data, make_settings
from tests.support.http import dash_post, sign_in, text


PDF = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4 basedata test").decode()


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return make_env(generate_test_data(make_settings(tmp_path_factory.mktemp("basedata"))))


def make_env(settings) -> dict:
    """The app on `settings` (a generated test database), with a village cashier of the locked county."""
    with transaction(settings.database_url) as s:
        village = s.scalar(select(User.region_code).where(User.username == "demo-village"))
        org = s.scalar(select(CollectiveOrg.id).where(CollectiveOrg.region_code == village))
        county_b = s.scalar(select(User.region_code).where(User.username == "demo-county-b"))
        org_b, village_b = s.execute(select(CollectiveOrg.id, CollectiveOrg.region_code)
                                     .where(CollectiveOrg.region_code.between(county_b, county_b + 999_999))
                                     .order_by(CollectiveOrg.region_code).limit(1)).one()
        s.add(User(username="bd-village-b", display_name="锁定县村报账员", role="village_cashier", region_code=village_b,
                   password_hash=passwords.hash_password(PASSWORD)))
    app = build_app(settings)
    return {"settings": settings, "app": app, "url": settings.database_url, "org": org, "org_b": org_b,
            "county_b": county_b, "clients": {}}


def client(env, username):
    if username not in env["clients"]:
        env["clients"][username] = sign_in(env["app"].server, username)
    return env["clients"][username]


def post(env, username, fn, values: dict, clicked: str | None = None):
    """POST the callback registered from `fn` with every input and state from `values` (by id or
    (id, property)), the rest None, as the page would."""
    key = callback_named(env["app"], fn)
    spec = env["app"].callback_map[key]

    def item(i):
        return {"id": i["id"], "property": i["property"], "value": values.get((i["id"], i["property"]),
                                                                             values.get(i["id"]))}

    return dash_post(client(env, username), key, [item(i) for i in spec["inputs"]],
                     [item(i) for i in spec.get("state", [])], changed=[f"{clicked}.n_clicks"] if clicked else None)


def answer(resp) -> dict:
    assert resp.status_code == 200, (resp.status_code, resp.get_data(as_text=True)[:400])
    return resp.get_json()["response"]


def actor(env, username) -> Actor:
    with transaction(env["url"]) as s:
        u = s.scalar(select(User).where(User.username == username))
        return Actor(user_id=u.id, username=u.username,
                     scope=Scope(root=int(u.region_code), perms=role_perms(u.role), user_id=u.id, role=u.role))


def values(env, org) -> dict:
    with transaction(env["url"]) as s:
        return changes.current_values(s, org)


def profile_row(env, org) -> tuple:
    with transaction(env["url"]) as s:
        p = s.scalar(select(VillageProfile).where(VillageProfile.org_id == org))
        return tuple(getattr(p, c.name) for c in VillageProfile.__table__.columns if c.name != "updated_at")


def version(env, org) -> int:
    with transaction(env["url"]) as s:
        return changes.profile_version(s, org)


def counts(env) -> tuple[int, int]:
    with transaction(env["url"]) as s:
        return (s.scalar(select(func.count()).select_from(BaseDataChange)),
                s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.result == "denied")))


def change(env, cid) -> BaseDataChange:
    with transaction(env["url"]) as s:
        row = s.get(BaseDataChange, cid)
        s.expunge(row)
        return row


def submit(env, username, org, fields: dict, *, reason="人口变动登记", document=True, evidence=None, ver=None,
           member=None, shares=None):
    from callbacks.basedata import village

    vals = {"bd-submit": 1, "bd-org": org, "bd-profile": {"org_id": org, "version": version(env, org) if ver is None else ver},
            "bd-reason": reason, "bd-evidence": evidence, "bd-member": member, "bd-shares": shares, "bd-refresh": 0,
            ("bd-document", "contents"): [PDF] if document else None,
            ("bd-document", "filename"): ["户籍变动证明.pdf"] if document else None}
    vals.update({f"bd-{k.replace('_', '-')}": v for k, v in fields.items()})
    return answer(post(env, username, village.submit, vals, "bd-submit"))


def newest(env) -> int:
    with transaction(env["url"]) as s:
        return s.scalar(select(func.max(BaseDataChange.id)))


def decide(env, username, cid, decision, opinion=None):
    from callbacks.basedata import review

    return answer(post(env, username, review.decide, {
        "bd-decide-confirm": 1, "bd-decide-opinion": opinion, "bd-review-refresh": 0,
        "bd-decide-pending": {"decision": decision, "id": cid, "version": change(env, cid).version}}, "bd-decide-confirm"))


def revoke(env, username, cid, reason):
    from callbacks.basedata import review

    return answer(post(env, username, review.revoke, {
        "bd-revoke-confirm": 1, "bd-revoke-opinion": reason, "bd-review-refresh": 0,
        "bd-revoke-pending": {"decision": "revoke", "id": cid, "version": change(env, cid).version}}, "bd-revoke-confirm"))


# ---------------------------------------------------------------- the ordinary change (trial period)


def test_basedata001_village_proposes_township_approves_applied_and_filed_with_before_after(env):
    org, before = env["org"], values(env, env["org"])
    new_pop = int(before["population"]) + 3
    out = submit(env, "demo-village", org, {"population": str(new_pop), "garden_mu": "120.05"})
    assert "已提交变更" in text(out["bd-submit-result"]["children"]), out
    cid = newest(env)
    row = change(env, cid)
    assert (row.status, row.is_correction) == ("submitted", False)
    assert row.after == {"population": str(new_pop), "garden_mu": "120.05"}
    assert values(env, org) == before  # nothing applied before the township approves
    out = decide(env, "demo-township-head", cid, "approve", "材料齐全")
    assert "已实施并备案" in text(out["bd-review-result"]["children"])
    now = values(env, org)
    assert now["population"] == str(new_pop) and now["garden_mu"] == "120.05"
    with transaction(env["url"]) as s:
        p = s.scalar(select(VillageProfile).where(VillageProfile.org_id == org))
        assert p.garden_mu == Decimal("120.05") and p.population == new_pop
        log = s.scalars(select(AuditLog).where(AuditLog.type == "basedata").order_by(AuditLog.id.desc())).first()
        assert log.result == "filed" and log.detail["before"]["population"] == before["population"]
    row = change(env, cid)
    assert row.status == "filed" and row.filed_with.startswith("乡镇") and row.filed_at is not None
    assert row.before == {"population": before["population"], "garden_mu": before["garden_mu"]}
    chain = profiles.chain(env["url"], actor(env, "demo-village"), org)
    mine = next(c for c in chain if c["id"] == cid)
    assert mine["state"] == "已实施并备案" and "demo-township-head" in mine["decided_by"] and mine["files"]
    assert {"field": "人口（人）", "before": before["population"], "after": str(new_pop)} in mine["changes"]


def test_basedata002_township_returns_with_an_opinion_and_a_village_user_cannot_decide(env):
    from callbacks.basedata import review

    org = env["org"]
    submit(env, "demo-secretary", org, {"village_groups": "14"}, reason="村民小组调整")
    cid = newest(env)
    out = decide(env, "demo-township-head", cid, "reject", "")
    assert out["bd-decide-modal"]["is_open"] is True and "驳回须填写审批意见" in text(out["bd-decide-opinion-error"]["children"])
    assert change(env, cid).status == "submitted"
    decide(env, "demo-township-head", cid, "reject", "请附乡镇批复")
    row = change(env, cid)
    assert row.status == "returned" and row.opinion == "请附乡镇批复"
    # a village user may not decide: nothing changes and the refusal is logged
    submit(env, "demo-village", org, {"village_groups": "15"}, reason="村民小组调整")
    other, refused = newest(env), counts(env)[1]
    resp = post(env, "demo-secretary", review.decide, {"bd-decide-confirm": 1, "bd-decide-pending": {
        "decision": "approve", "id": other, "version": change(env, other).version}}, "bd-decide-confirm")
    assert resp.status_code != 200 or "不能" in resp.get_data(as_text=True) or "须由" in resp.get_data(as_text=True)
    assert change(env, other).status == "submitted" and counts(env)[1] > refused


def test_basedata003_member_shares_change_applies_to_the_roll(env):
    org = env["org"]
    with transaction(env["url"]) as s:
        mid, shares = s.execute(select(Member.id, Member.shares).where(Member.org_id == org).order_by(Member.id)).first()
    submit(env, "demo-village", org, {}, member=mid, shares=str(shares + 5), reason="增资扩股")
    cid = newest(env)
    decide(env, "demo-township-head", cid, "approve")
    with transaction(env["url"]) as s:
        assert s.get(Member, mid).shares == shares + 5
    assert change(env, cid).before == {f"shares:{mid}": str(shares)}


# ---------------------------------------------------------------- the lock


def test_basedata004_locked_county_refuses_a_direct_edit_through_callback_and_data_function(env):
    org_b = env["org_b"]
    with transaction(env["url"]) as s:
        assert s.get(Region, env["county_b"]).base_data_locked  # the demo ended its trial
    before_row, before_counts = profile_row(env, org_b), counts(env)
    out = submit(env, "bd-village-b", org_b, {"population": "9"})
    assert "已锁定" in text(out["bd-submit-result"]["children"])
    assert profile_row(env, org_b) == before_row and counts(env)[0] == before_counts[0]
    assert counts(env)[1] > before_counts[1]  # the refusal is in the security log
    with transaction(env["url"]) as s:  # the member roll is locked too
        mid, shares = s.execute(select(Member.id, Member.shares).where(Member.org_id == org_b)).first()
    out = submit(env, "bd-village-b", org_b, {}, member=mid, shares=str(shares + 1))
    assert "已锁定" in text(out["bd-submit-result"]["children"])
    with transaction(env["url"]) as s:
        assert s.get(Member, mid).shares == shares
    # the form itself is read-only with the reason
    from callbacks.basedata import village

    shown = answer(post(env, "bd-village-b", village.show, {"bd-org": org_b, "bd-refresh": 0}))
    assert shown["bd-form-section"]["hidden"] is True and "已锁定" in shown["bd-form-section-note"]["children"]
    # the data function refuses too, and logs it
    refused = counts(env)[1]
    with pytest.raises(BaseDataLocked):
        changes.propose(env["url"], env["settings"].audit_key, actor(env, "bd-village-b"), org_b, version(env, org_b),
                        {"population": "9"}, None, "测试", [("a.pdf", b"%PDF-1.4")])
    assert profile_row(env, org_b) == before_row and counts(env) == (before_counts[0], refused + 1)
    with transaction(env["url"]) as s:
        last = s.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
        assert last.result == "denied" and "已锁定" in last.description


def test_basedata005_correction_chain_and_revocation_restores_the_old_values_exactly(env):
    org_b, key = env["org_b"], env["settings"].audit_key
    old = values(env, org_b)
    old_row = profile_row(env, org_b)
    # evidence text and an evidence file are required
    out = submit(env, "demo-township-b", org_b, {"farmland_mu": "1234.57"}, reason="国土调查差错", document=False)
    assert "请上传更正依据" in text(out["bd-document-error"]["children"])
    assert "请填写更正依据" in text(out["bd-evidence-error"]["children"])
    out = submit(env, "demo-township-b", org_b, {"farmland_mu": "1234.57", "population": str(int(old["population"]) + 1)},
                 reason="国土调查差错", evidence="第三次国土调查成果表")
    assert "等待县级审批" in text(out["bd-submit-result"]["children"]), out
    cid = newest(env)
    assert change(env, cid).is_correction and values(env, org_b) == old
    decide(env, "demo-county-b", cid, "approve", "同意更正")
    row = change(env, cid)
    assert row.status == "filed" and row.filed_with == "市级、省级"
    assert values(env, org_b)["farmland_mu"] == "1234.57"
    # the city revokes it: reason required, then the old values come back exactly
    out = revoke(env, "demo-city", cid, "")
    assert out["bd-revoke-modal"]["is_open"] is True and change(env, cid).status == "filed"
    out = revoke(env, "demo-city", cid, "更正依据不充分")
    assert "原值已恢复" in text(out["bd-review-result"]["children"])
    assert values(env, org_b) == old
    restored = profile_row(env, org_b)
    cols = [c.name for c in VillageProfile.__table__.columns if c.name != "updated_at"]
    assert {c: v for c, v in zip(cols, restored) if c != "version"} == \
        {c: v for c, v in zip(cols, old_row) if c != "version"}
    with transaction(env["url"]) as s:
        p = s.scalar(select(VillageProfile).where(VillageProfile.org_id == org_b))
        assert p.farmland_mu == Decimal(old["farmland_mu"]) and p.population == int(old["population"])
        log = s.scalars(select(AuditLog).where(AuditLog.type == "basedata").order_by(AuditLog.id.desc())).first()
        assert log.result == "revoked" and "更正依据不充分" in log.description
    row = change(env, cid)
    assert row.status == "revoked" and row.revoke_reason == "更正依据不充分"
    chain = {c["id"]: c for c in profiles.chain(env["url"], actor(env, "demo-county-b"), org_b)}
    assert chain[cid]["state"] == "已撤销" and chain[cid]["revoked_by"] and chain[cid]["opinion"] == "同意更正"
    # a revoked correction cannot be revoked again
    with pytest.raises(Exception, match="只有已实施并备案的更正可以撤销"):
        changes.revoke(env["url"], key, actor(env, "demo-admin"), cid, None, "再次撤销")


def test_basedata006_a_correction_is_only_for_a_locked_region(env):
    from callbacks.basedata import village

    n, refused = counts(env)
    out = submit(env, "demo-township", env["org"], {"population": "5"}, evidence="材料")
    assert "须由村级" in text(out["bd-submit-result"]["children"])  # in the trial period the village proposes
    assert counts(env) == (n, refused + 1)
    with pytest.raises(Exception, match="试运行期"):
        changes.propose(env["url"], env["settings"].audit_key, actor(env, "demo-township"), env["org"],
                        version(env, env["org"]), {"population": "5"}, None, "更正", [("a.pdf", b"%PDF")],
                        correction=True, evidence="材料")
    shown = answer(post(env, "demo-township", village.show, {"bd-org": env["org"], "bd-refresh": 0}))
    assert shown["bd-form-section"]["hidden"] is True and "试运行期" in shown["bd-form-section-note"]["children"]


# ---------------------------------------------------------------- stale, bad input, scope


def test_basedata007_a_stale_form_is_refused(env):
    org = env["org"]
    n, before = counts(env)[0], values(env, org)
    out = submit(env, "demo-village", org, {"population": "1"}, ver=version(env, org) - 1)
    assert "已被他人修改" in text(out["bd-form-error"]["children"])
    assert counts(env)[0] == n and values(env, org) == before


def test_basedata008_bad_input_gives_chinese_per_field_errors_and_changes_nothing(env):
    org = env["org"]
    n, before = counts(env)[0], values(env, org)
    out = submit(env, "demo-village", org, {"population": "-5", "forest_mu": "12.345", "households": "十"}, reason="",
                 document=False)
    assert text(out["bd-population-error"]["children"]) == "不能为负数"
    assert text(out["bd-forest-mu-error"]["children"]) == "面积最多保留两位小数"
    assert text(out["bd-households-error"]["children"]) == "请填写整数"
    assert "请填写变更原因" in text(out["bd-reason-error"]["children"])
    assert text(out["bd-document-error"]["children"]) == "请上传变更凭据文件"
    out = submit(env, "demo-village", org, {}, reason="无变化")
    assert "没有需要变更的数据" in text(out["bd-form-error"]["children"])
    assert counts(env)[0] == n and values(env, org) == before


def test_basedata009_a_user_outside_the_village_cannot_read_or_change_it(env):
    from callbacks.basedata import village

    org = env["org"]
    n, before = counts(env)[0], values(env, org)
    shown = answer(post(env, "demo-county-b", village.show, {"bd-org": org, "bd-refresh": 0}))
    assert "不在您的管辖范围内" in text(shown["bd-values-box"]["children"]) and shown["bd-roll"]["rowData"] == []
    out = submit(env, "bd-village-b", org, {"population": "7"})
    assert "不在您的管辖范围内" in text(out["bd-submit-result"]["children"])
    with pytest.raises(OutOfScope):
        profiles.profile(env["url"], actor(env, "demo-county-b"), org)
    assert counts(env)[0] == n and values(env, org) == before
    # the review queue shows only the jurisdiction's changes
    theirs = profiles.queue(env["url"], actor(env, "demo-county-b"))
    assert theirs and all(r["org_id"] != org for r in theirs)


def test_basedata010_the_province_ends_a_county_trial_after_confirming(env):
    from callbacks.basedata import trial

    url = env["url"]
    with transaction(url) as s:
        county = s.scalar(select(Region.code).where(Region.level == 3, Region.base_data_locked.is_(False),
                                                    Region.code != env["settings"].demo_county).order_by(Region.code))
    asked = {"bd-lock-open": 1, ("bd-lock-county", "value"): county,
             ("bd-lock-county", "options"): [{"label": "某县", "value": county}]}
    opened = answer(post(env, "demo-admin", trial.ask, asked, "bd-lock-open"))
    assert opened["bd-lock-modal"]["is_open"] is True
    with transaction(url) as s:
        assert not s.get(Region, county).base_data_locked  # asking is not doing
    resp = post(env, "demo-city", trial.lock, {"bd-lock-confirm": 1,
                                                "bd-lock-pending": {"decision": "lock", "id": county, "version": 0}})
    with transaction(url) as s:
        assert not s.get(Region, county).base_data_locked, resp.status_code
    out = answer(post(env, "demo-admin", trial.lock, {"bd-lock-confirm": 1, "bd-trial-refresh": 0,
                                                      "bd-lock-pending": {"decision": "lock", "id": county, "version": 0}},
                      "bd-lock-confirm"))
    assert "已锁定" in text(out["bd-lock-result"]["children"])
    with transaction(url) as s:
        r = s.get(Region, county)
        assert r.base_data_locked and r.base_data_locked_at is not None and r.base_data_locked_by_id is not None
        log = s.scalars(select(AuditLog).where(AuditLog.type == "basedata").order_by(AuditLog.id.desc())).first()
        assert log.result == "locked" and log.region_code == county
    rows = answer(post(env, "demo-admin", trial.load, {"bd-trial-refresh": 0}))
    listed = {r["code"]: r for r in rows["bd-counties"]["rowData"]}
    assert listed[county]["state"] == "已锁定" and listed[env["county_b"]]["locked"]
    assert listed[env["settings"].demo_county]["state"] == "试运行中"


def test_basedata011_the_pages_open_for_their_roles(env):
    for path, who in (("/basedata", "demo-village"), ("/basedata/review", "demo-township-head"),
                      ("/basedata/trial", "demo-admin")):
        resp = dash_post(client(env, who), ".._pages_content.children..._pages_store.data..",
                         [{"id": "_pages_location", "property": "pathname", "value": path},
                          {"id": "_pages_location", "property": "search", "value": ""}])
        assert resp.status_code == 200, path


def test_basedata012_the_village_list_follows_the_url_and_the_scope(env):
    from callbacks.basedata import village

    out = answer(post(env, "demo-county-b", village.orgs, {"bd-init": 0, "url": f"#org={env['org_b']}"}))
    assert out["bd-org"]["value"] == env["org_b"]
    out = answer(post(env, "demo-county-b", village.orgs, {"bd-init": 0, "url": f"#org={env['org']}"}))
    assert out["bd-org"]["value"] != env["org"] and env["org"] not in {o["value"] for o in out["bd-org"]["options"]}
    listed = profiles.villages(env["url"], actor(env, "demo-admin"), limit=1, include=env["org"])
    assert len(listed) == 2 and listed[-1]["id"] == env["org"]  # a deep link past the first page of the list
