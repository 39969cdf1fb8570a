"""信用主体 callbacks: the filtered list (and its export), registering a subject."""
from __future__ import annotations

import polars as pl
from dash import Input, Output, State, no_update

from callbacks.common import alert, current_actor
from components.export import send_table
from data.credit import subjects
from data.errors import AccountError
from domain import clock
from domain.credit.drafts import SubjectDraft
from domain.permissions import Action, may
from server.callbacks import secure_callback
from server.context import settings

from .common import field_errors, link, refused

FIELDS = {"kind": "cs-new-kind", "identifier": "cs-new-identifier", "name": "cs-new-name", "legal_rep": "cs-new-legal-rep",
          "phone": "cs-new-phone", "address": "cs-new-address", "region_code": "cs-new-region",
          "other_id_type": "cs-new-other-type"}
IDS = list(FIELDS.values())
EXPORT = [("name", "名称", None), ("kind", "类型", None), ("identifier", "证件号码", None),
          ("region_code", "所在地区代码", None), ("grade", "信用等级", None), ("score", "信用分", None)]


def _rows(kind, region, grade, text):
    cfg = settings()
    try:
        region_code = int(region) if region else None
    except ValueError:
        region_code = None
    return subjects.list_subjects(cfg.database_url, current_actor(), kind=kind or None, region=region_code,
                                  grade=grade or None, text=text or None)


@secure_callback(Action.CREDIT_SUBJECT_VIEW, Output("cs-grid", "rowData"), Output("cs-summary", "children"),
                 Output("cs-form-panel", "hidden"),
                 Input("cs-refresh", "data"), Input("cs-search", "n_clicks"), State("cs-kind", "value"),
                 State("cs-region", "value"), State("cs-grade", "value"), State("cs-text", "value"))
def load(_r, _n, kind, region, grade, text):
    rows = _rows(kind, region, grade, text)
    for r in rows:
        r["link"] = link(r["name"], f"/credit/subject?id={r['id']}")
    more = "（只显示前 5,000 个）" if len(rows) >= subjects.MAX_LIST else ""
    summary = f"共 {len(rows):,} 个信用主体{more}" if rows else "没有符合条件的信用主体。"
    return rows, summary, not may(current_actor(), Action.CREDIT_SUBJECT_SAVE)


@secure_callback(Action.CREDIT_SUBJECT_VIEW, Output("cs-download", "data"), Input("cs-export", "n_clicks"),
                 State("cs-kind", "value"), State("cs-region", "value"), State("cs-grade", "value"),
                 State("cs-text", "value"), prevent_initial_call=True)
def export(_n, kind, region, grade, text):
    rows = _rows(kind, region, grade, text)
    frame = pl.DataFrame({k: [str(r[k]) for r in rows] for k, _h, _f in EXPORT}, schema=dict.fromkeys(
        [k for k, _h, _f in EXPORT], pl.Utf8))
    return send_table(frame, EXPORT, "信用主体")


@secure_callback(Action.CREDIT_SUBJECT_SAVE, Output("cs-new-result", "children"),
                 *[Output(f"{i}-error", "children") for i in IDS], Output("cs-refresh", "data"),
                 Input("cs-new-submit", "n_clicks"), State("cs-new-kind", "value"), State("cs-new-other-type", "value"),
                 State("cs-new-identifier", "value"), State("cs-new-name", "value"), State("cs-new-legal-rep", "value"),
                 State("cs-new-phone", "value"), State("cs-new-address", "value"), State("cs-new-region", "value"),
                 State("cs-refresh", "data"), prevent_initial_call=True)
def create(_n, kind, other_type, identifier, name, legal_rep, phone, address, region, refresh):
    cfg = settings()
    draft = SubjectDraft(kind=kind or "", other_id_type=other_type or None, identifier=identifier or "",
                         name=name or "", legal_rep=legal_rep or "", phone=phone or "", address=address or "",
                         region_code=region or None)
    blank = [""] * len(IDS)
    try:
        sid = subjects.create_subject(cfg.database_url, cfg.audit_key, current_actor(), draft, clock.today())
    except AccountError as exc:
        return *field_errors(exc, FIELDS, IDS), no_update
    except PermissionError as exc:
        return refused(exc), *blank, no_update
    return alert(f"已登记信用主体 #{sid}：{draft.name}。"), *blank, (refresh or 0) + 1
