"""我的权益 callbacks: everything is read from the signed-in member's own record (data.disclosure.
portal); nothing the browser sends names a member or an organisation, so nobody reads anyone
else's data by forging an id. A question names a disclosure, which must be a published one of the
member's own organisation (data.disclosure.questions.ask refuses any other)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, html, no_update

from components.disclosure import content_view, distribution_bars, quarter_bars, spending_pie
from data.disclosure import portal, questions
from data.errors import AccountError
from domain.money import yuan
from domain.permissions import Action, PermissionDenied
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, as_int, current_actor


def _facts(pairs) -> html.Dl:
    return html.Dl(className="row portal-facts mb-0", children=[
        x for label, value in pairs if value not in (None, "")
        for x in (html.Dt(label, className="col-5 col-sm-4"), html.Dd(str(value), className="col-7 col-sm-8"))])


def _disclosures(items: list[dict]):
    if not items:
        return html.P("本组织暂无已公开的财务公开。", className="text-muted")
    panes = []
    for d in items:
        notes = [html.Div(d["notes"], className="mb-2")] if d["notes"] else []
        if d["corrects_id"]:
            notes.append(html.Div(f"本公开为第 {d['corrects_id']} 号公开的更正", className="text-warning small mb-1"))
        if d["superseded"]:
            notes.append(html.Div("本公开已被更正，请同时查看更正公开", className="text-warning small mb-1"))
        title = f"{d['title']}（{d['published_on']} 公开）" + ("（已更正）" if d["superseded"] else "")
        panes.append(dbc.AccordionItem([*notes, content_view(d["content"], prefix=f"portal-d{d['id']}"),
                                        html.Div(f"民主理财小组审核：{d['reviewers']}", className="small text-muted")
                                        if d["reviewers"] else None],
                                       title=title, item_id=f"d{d['id']}"))
    return dbc.Accordion(panes, start_collapsed=True, always_open=True, id="portal-accordion")


def _questions(items: list[dict]):
    if not items:
        return html.P("您还没有提过问题。", className="text-muted")
    return html.Div([html.Div(className="portal-question mb-2", children=[
        html.Div([html.Span(f"第 {q['disclosure_id']} 号公开", className="badge bg-light text-dark me-2"),
                  html.Span(q["asked_at"], className="small text-muted")]),
        html.Div(q["question"], className="fw-semibold"),
        html.Div(f"答复（{q['answered_by']}，{q['answered_at']}）：{q['answer']}", className="text-success small")
        if q["answered"] else html.Div("待答复", className="text-muted small")]) for q in items])


@secure_callback(Action.PORTAL_VIEW, Output("portal-hello", "children"), Output("portal-me", "children"),
                 Output("portal-dist-note", "children"), Output("portal-dist-chart", "figure"),
                 Output("portal-org", "children"), Output("portal-quarter-chart", "figure"),
                 Output("portal-spend-chart", "figure"), Output("portal-disclosures", "children"),
                 Output("portal-ask-disclosure", "options"), Output("portal-questions", "children"),
                 Input("portal-refresh", "data"))
def load(_):
    try:
        p = portal.portal(settings().database_url, current_actor())
    except PermissionDenied as exc:
        msg = alert(str(exc), "warning")
        return msg, *[no_update] * 9
    me, org, hh = p["me"], p["org"], p["household"]
    mine = [
        ("姓名", me["name"]), ("身份证号", me["id"]), ("性别", me["gender"]), ("所属组织", org["name"]),
        ("持有股份", f"{me['shares']} 股（占全组织 {me['share_percent']}%）"),
    ]
    if hh:
        mine += [("户主", "本人" if hh["self"] else f"{hh['name']}（{hh['id']}）"), ("家庭人口", f"{hh['size']} 人"),
                 ("村民小组", hh["group"])]
    dist = p["distributions"]
    total = sum(r["mine_fen"] for r in dist)
    note = (f"累计分得 {yuan(total)} 元。按股分配：本人分得 = 全组织当年向成员分配总额 × 本人股数 ÷ 全组织总股数"
            f"（{me['shares']} ÷ {org['shares']}）。") if dist else "本组织尚无向成员分配收益的记录。"
    officials = "、".join(f"{o['title']} {o['name']}" for o in org["officials"])
    org_facts = _facts([("组织名称", org["name"]), ("组织类型", org["type"]), ("统一社会信用代码", org["uscc"]),
                        ("成立日期", org["established_on"]), ("成员", f"{org['members']} 人"),
                        ("总股数", f"{org['shares']} 股"),
                        ("户数", f"{org['households']} 户" if org["households"] is not None else ""),
                        ("人口", f"{org['population']} 人" if org["population"] is not None else ""),
                        ("村民小组", f"{org['village_groups']} 个" if org["village_groups"] is not None else ""),
                        ("耕地", f"{org['farmland_mu']} 亩" if org["farmland_mu"] else ""), ("负责人", officials)])
    series = portal.quarter_series(p["disclosures"])
    latest = series[-1] if series else None
    pie = spending_pie(latest["spending"] if latest else [], f"{latest['label']}支出构成" if latest else "")
    options = [{"label": f"第 {d['id']} 号 {d['title']}", "value": d["id"]} for d in p["disclosures"]]
    hello = html.Div([html.Span(f"{me['name']}，您好", className="h5 me-2"),
                      html.Span(f"{org['name']}成员", className="text-muted small")])
    return (hello, _facts(mine), note, distribution_bars(dist), org_facts, quarter_bars(series), pie,
            _disclosures(p["disclosures"]), options, _questions(p["questions"]))


@secure_callback(Action.PORTAL_ASK, Output("portal-ask-result", "children"), Output("portal-ask-disclosure-error", "children"),
                 Output("portal-ask-text-error", "children"), Output("portal-refresh", "data", allow_duplicate=True),
                 Output("portal-ask-text", "value"), Input("portal-ask", "n_clicks"),
                 State("portal-ask-disclosure", "value"), State("portal-ask-text", "value"), State("portal-refresh", "data"),
                 prevent_initial_call=True)
def ask(_, disclosure_id, text, refresh):
    if as_int(disclosure_id) is None:
        return alert("问题未提交。", "danger"), "请选择针对哪一份公开", "", no_update, no_update
    cfg = settings()
    try:
        qid = questions.ask(cfg.database_url, cfg.audit_key, current_actor(), as_int(disclosure_id), text)
    except AccountError as exc:
        return alert("问题未提交。", "danger"), "", exc.errors.get("question", ""), no_update, no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", "", no_update, no_update
    return alert(f"问题已提交（第 {qid} 号），本村答复后将在“我的提问”中显示。"), "", "", (refresh or 0) + 1, ""
