"""The base-data pages' pieces (Art. J11–J14), declared once: the change/correction form, the
decision dialogs, the current values, the level-2 figures and a village's correction chain."""
from __future__ import annotations

from dash import html

from components.attachments import file_links
from components.decision import DecisionDialog
from components.form import Field, Form
from domain.basedata.rules import FIELDS, REASON_MAX, EVIDENCE_MAX
from domain.funds.books import LEVEL2_LABELS
from domain.money import yuan

#: 同意 / 退回 of a change (township) or a correction (county): data.basedata.changes.decide
DECISION = DecisionDialog("bd-decide")
#: 撤销 of a filed correction (city, province): data.basedata.changes.revoke
REVOKE = DecisionDialog("bd-revoke", noun="更正")
#: 结束试运行 of a county (province): data.basedata.trial.end_trial
LOCK = DecisionDialog("bd-lock", noun="县", silent=frozenset({"lock"}))

#: the change form: each profile field (blank: unchanged), one member's shares, reason, evidence, document
FORM = Form("bd-form", (
    *[Field(f.key, f"bd-{f.key.replace('_', '-')}", f.title, "decimal" if f.area else "numeric", max_length=20,
            width="col-6 col-md-4 col-xl-3") for f in FIELDS],
    Field("member_id", "bd-member", "成员（调整股份时选择）", "select", width="col-md-8"),
    Field("shares", "bd-shares", "新股份数（股）", "numeric", max_length=10, width="col-md-4"),
    Field("reason", "bd-reason", "变更原因（凭据或理由）", "textarea", max_length=REASON_MAX, width="col-12"),
    Field("evidence", "bd-evidence", "更正依据（锁定后的更正申请须填写）", "textarea", max_length=EVIDENCE_MAX,
          width="col-12"),
    Field("document", "bd-document", "凭据文件（变更凭据或更正证明材料）", "upload", width="col-12"),
))

LEVEL2_ORDER = ("deposits", "cash", "bank", "claims", "debts", "total_assets")


def values_table(values: dict[str, str], table_id: str = "bd-values"):
    """The level-1 values as they stand (counts, areas in mu with two decimals)."""
    rows = [html.Tr([html.Th(f.title, className="fw-normal"), html.Td(values.get(f.key, "—"), className="num",
                                                                    id=f"bd-value-{f.key}")]) for f in FIELDS]
    return html.Table(html.Tbody(rows), className="table table-sm table-figures mb-0", id=table_id)


def level2_table(figures: dict | None):
    """Level-2 base data, derived from the books and never typed in (read-only)."""
    if not figures:
        return html.Span("暂无账簿数据。", className="text-muted")

    def row(k: str):
        part = k in ("cash", "bank")
        return html.Tr([html.Th(LEVEL2_LABELS[k], className="fw-normal" if part else "",
                                style={"paddingLeft": "1.5rem"} if part else None),
                        html.Td(yuan(figures[k]) + " 元", className="num", id=f"bd-level2-{k}")])

    return html.Table(html.Tbody([row(k) for k in LEVEL2_ORDER]), className="table table-sm table-figures mb-0",
                      id="bd-level2-table")


_BADGE = {"submitted": "warning", "filed": "success", "returned": "secondary", "revoked": "danger"}


def _step(label: str, who: str, when: str, extra: str = ""):
    if not who and not when:
        return None
    return html.Li([html.Span(label, className="fw-semibold me-1"), f"{who} {when}".strip(),
                    html.Span(f"：{extra}", className="text-muted") if extra else None])


def chain_view(rows: list[dict]):
    """Every change and correction of a village, newest first: its state, each step (who, when,
    opinion), the values before → after, the filing and a revocation, the documents."""
    if not rows:
        return html.Span("暂无变更或更正记录。", className="text-muted small")
    items = []
    for r in rows:
        changes = html.Table(html.Tbody([html.Tr([html.Td(c["field"]), html.Td(c["before"] or "（空）", className="num"),
                                                  html.Td("→"), html.Td(c["after"], className="num fw-semibold")])
                                         for c in r["changes"]]), className="table table-sm small mb-1 w-auto")
        steps = [s for s in (
            _step("发起" if not r["is_correction"] else "乡镇申请", r["proposed_by"], r["proposed_at"], r["reason"]),
            _step("更正依据", "", "", r["evidence"]) if r["evidence"] else None,
            _step("同意" if r["status"] in ("filed", "revoked") else "退回", r["decided_by"], r["decided_at"],
                  r["opinion"]) if r["decided_by"] else None,
            _step("备案", f"报{r['filed_with']}", r["filed_at"]) if r["filed_at"] else None,
            _step("撤销", r["revoked_by"], r["revoked_at"], f"{r['revoke_reason']}（已恢复原值）")
            if r["revoked_at"] else None) if s is not None]
        items.append(html.Div(className="border rounded p-2 mb-2 bd-chain-item", id=f"bd-chain-{r['id']}", children=[
            html.Div([html.Span(f"{r['kind']} #{r['id']}", className="fw-semibold me-2"),
                      html.Span(r["state"], className=f"badge text-bg-{_BADGE.get(r['status'], 'secondary')}")]),
            changes, html.Ul(steps, className="small mb-1 ps-3"),
            html.Div(["凭据：", file_links(r.get("files") or [])], className="small")]))
    return html.Div(items)
