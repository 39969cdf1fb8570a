"""Citations belong to the province (issue 13, item 4): one table (`domain/citations.py`) from a
neutral key to each province's text; a Jiangxi deployment cites no Jilin rule anywhere — the home
page, the warnings' 依据, refusals, help texts — while Jilin keeps its own articles."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

import callbacks.home
import callbacks.supervision.warnings
from data.db import reading
from data.models import User, Warning
from domain.admin.accounts import AccountDraft, draft_problems
from domain.citations import OWN, Cite, cite, cites
from domain.supervision.lifecycle import rule_info
from domain.supervision.rules import RULES
from tests.support.app import build_app, province_settings
from tests.support.http import call, output, props, sign_in, text


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def jiangxi(tmp_path_factory):
    settings = province_settings(tmp_path_factory, 36)
    return settings, build_app(settings)


def test_citations001_every_key_has_jilin_text_and_a_fallback():
    for key in Cite:
        assert cite(key, 22).startswith("《吉林省农村集体经济数字监管平台管理办法》第"), key
        assert "吉林" not in cite(key, 36)
    assert cite(Cite.JURISDICTION, 22) == "《吉林省农村集体经济数字监管平台管理办法》第十六条"
    assert cites([Cite.WARNING_HANDLING, Cite.WARNING_OVERSIGHT], 22) == \
        "《吉林省农村集体经济数字监管平台管理办法》第三十一条、第四十一条"
    assert cite(Cite.SECURITY_LOG, 36) == "《中华人民共和国网络安全法》第二十一条"
    assert set(OWN) == set(Cite)


def test_citations002_rules_cite_the_national_rules_everywhere_and_jilin_articles_only_in_jilin():
    for rule_id in RULES:
        jl, jx = rule_info(rule_id, 22)["article"], rule_info(rule_id, 36)["article"]
        assert jx and "吉林" not in jx, rule_id
        assert jl.startswith(jx), rule_id  # the same national part, Jilin's articles after it
    assert "《农村集体经济组织财务制度》（财农〔2021〕121号）" in rule_info("cash_over_limit", 36)["article"]
    assert "第三十一条、第四十一条" in rule_info("cash_over_limit", 22)["article"]


def test_citations003_no_production_module_but_the_table_names_jilin_rules():
    pattern = re.compile(r"《吉林省|吉林规则|第[一二三四五六七八九十]+条(?!异常)")
    offenders = [str(p.relative_to(ROOT)) for d in ("domain", "data", "server", "callbacks", "pages", "components")
                 for p in (ROOT / d).rglob("*.py")
                 if pattern.search(p.read_text(encoding="utf-8")) and p.name not in ("citations.py", "meetings.py")]
    assert offenders == []  # domain/meetings.py cites national laws (《农村集体经济组织法》第二十七条 …)


def test_citations004_a_jiangxi_app_cites_no_jilin_rule(jiangxi, app):
    settings, jx = jiangxi
    home = text(output(call(jx, sign_in(jx.server, "demo-county"), callbacks.home.welcome,
                            props(("url", "pathname", "/"))), "home-welcome", "children"))
    assert "吉林" not in home and "平台数据分级管理规定" in home
    jl_home = text(output(call(app, sign_in(app.server, "demo-county"), callbacks.home.welcome,
                               props(("url", "pathname", "/"))), "home-welcome", "children"))
    assert "《吉林省农村集体经济数字监管平台管理办法》第十六条" in jl_home
    # a stored warning renders its 依据 for the deployment's province
    with reading(settings.database_url) as s:
        county = settings.demo_county
        wid = s.scalar(select(Warning.id).where(Warning.region_code.between(county, county + 10**6 - 1))
                       .order_by(Warning.id).limit(1))
        assert s.scalar(select(User.region_code).where(User.username == "demo-county")) // 10**10 == 36
    resp = call(jx, sign_in(jx.server, "demo-county"), callbacks.supervision.warnings.show,
                props(("warn-grid", "selectedRows", [{"id": wid}]), ("url", "hash", ""), ("warn-refresh", "data", 0)))
    detail = text(output(resp, "warn-detail", "children"))
    assert "依据" in detail and "吉林" not in detail
    # refusals and help texts
    draft = AccountDraft(username="audit.office", display_name="审计", role="oversight_admin", region_code=360000000000)
    problem = draft_problems(draft, creating=False, region_exists=lambda c: True)["approval_ref"]
    assert "吉林" not in problem and "平台账号分级授权规定" in problem
    for path in ("/admin/users", "/admin/sharing", "/admin/audit", "/funds", "/account"):
        for username in ("demo-admin", "demo-township"):
            body = sign_in(jx.server, username).get(path).get_data(as_text=True)
            assert "吉林" not in body, (path, username)
    import dash

    with jx.server.test_request_context():
        for page in dash.page_registry.values():
            layout = page["layout"]() if callable(page["layout"]) else page["layout"]
            assert "吉林" not in str(layout), page["path"]
    with app.server.test_request_context():  # the Jilin deployment keeps its own articles
        users = str(dash.page_registry["pages.admin.users"]["layout"]())
        assert "《吉林省农村集体经济数字监管平台管理办法》第十条" in users
