"""信用主体详情 callbacks: the page (identity, records, rights, linked collective records), a
record's detail with its 依据文件, entering a record, reclassifying one (rights and encumbrances:
subject_forms)."""
from __future__ import annotations

from dash import Input, Output, State, html, no_update

from callbacks.common import alert, current_actor, uploads
from data.credit import records, rights, subjects
from data.errors import AccountError
from domain import clock
from domain.credit.drafts import RecordDraft, SubjectDraft
from domain.identifiers import unit_code_display
from domain.permissions import Action, may
from server.callbacks import secure_callback
from server.inputs import Selected, declare
from server.context import settings

from .common import field_errors, iso, kv, refused, subject_id

REC_FIELDS = {"kind": "csd-rec-kind", "subtype": "csd-rec-subtype", "title": "csd-rec-title", "occurred_on": "csd-rec-date",
              "severity": "csd-rec-severity", "publicity_months": "csd-rec-months", "amount": "csd-rec-amount",
              "document_no": "csd-rec-docno", "counterparty": "csd-rec-counterparty", "term_months": "csd-rec-term",
              "schedule": "csd-rec-schedule", "right_id": "csd-rec-right", "transfer_area": "csd-rec-transfer-area",
              "site_class": "csd-rec-site", "source": "csd-rec-source", "source_system": "csd-rec-system",
              "produced_by": "csd-rec-produced", "responsible_by": "csd-rec-responsible"}
REC_IDS = list(REC_FIELDS.values())
RC_FIELDS = {"open_class": "csd-rc-open", "share_class": "csd-rc-share", "ground": "csd-rc-ground", "note": "csd-rc-note",
             "document": "csd-rc-file"}
RC_IDS = list(RC_FIELDS.values())
EDIT_FIELDS = {"identifier": "csd-edit-identifier", "name": "csd-edit-name", "legal_rep": "csd-edit-legal-rep",
               "phone": "csd-edit-phone", "address": "csd-edit-address", "region_code": "csd-edit-region"}
EDIT_IDS = list(EDIT_FIELDS.values())
declare("csd-subject", "data", Selected | None)  # the subject the correction form acts on: {"id", "version"}


def _identity(d: dict):
    return kv([("名称", d["name"]), ("主体类型", d["kind_label"]), (d["id_type_label"], d["identifier"]),
               ("法定代表人", d["legal_rep"]), ("联系电话", d["phone"]), ("地址", d["address"]),
               ("所在地区代码", str(d["region_code"])), ("信用等级", d["grade"]),
               ("信用分", "" if d["score"] is None else str(d["score"]))])


@secure_callback(Action.CREDIT_SUBJECT_VIEW, Output("csd-identity", "children"), Output("csd-records", "rowData"),
                 Output("csd-rights", "rowData"), Output("csd-linked", "rowData"), Output("csd-enc-right", "options"),
                 Output("csd-rec-right", "options"), Output("csd-right-resource", "options"),
                 Output("csd-rec-panel", "hidden"), Output("csd-right-panel", "hidden"), Output("csd-enc-panel", "hidden"),
                 Output("csd-rc-panel", "hidden"), Output("csd-edit-panel", "hidden"), Output("csd-subject", "data"),
                 *[Output(i, "value") for i in EDIT_IDS],
                 Input("csd-subject-id", "data"), Input("csd-refresh", "data"))
def load(sid, _refresh):
    cfg, who = settings(), current_actor()
    sid = subject_id(sid)
    empty = ([], [], [], [], [], [], *(True,) * 5, None, *[""] * len(EDIT_IDS))
    if sid is None:
        return html.Div("请从信用主体列表选择一个主体。", className="text-muted"), *empty
    try:
        ident = subjects.get_subject(cfg.database_url, who, sid)
        recs = records.subject_records(cfg.database_url, who, sid)
        rts = rights.subject_rights(cfg.database_url, who, sid)
        linked = subjects.linked_records(cfg.database_url, who, sid)
    except PermissionError as exc:
        return refused(exc), *empty
    collect = may(who, Action.FOREST_RIGHT_SAVE)
    forests = rights.contracted_forests(cfg.database_url, who) if collect else []
    right_options = [{"label": unit_code_display(r["unit_code"]), "value": r["id"]} for r in rts]
    return (_identity(ident), recs, rts, linked, right_options, right_options,
            [{"label": f"{f['name']}（{f['contractor']}，{f['area_mu']} 亩）", "value": f["id"]} for f in forests],
            not may(who, Action.CREDIT_RECORD_SAVE), not collect, not collect, not may(who, Action.CREDIT_RECORD_RECLASS),
            not may(who, Action.CREDIT_SUBJECT_SAVE), {"id": ident["id"], "version": ident["version"]},
            ident["identifier"], ident["name"], ident["legal_rep"], ident["phone"], ident["address"],
            str(ident["region_code"]))


@secure_callback(Action.CREDIT_SUBJECT_SAVE, Output("csd-edit-result", "children"),
                 *[Output(f"{i}-error", "children") for i in EDIT_IDS], Output("csd-refresh", "data", allow_duplicate=True),
                 Input("csd-edit-submit", "n_clicks"), State("csd-subject", "data"), *[State(i, "value") for i in EDIT_IDS],
                 State("csd-refresh", "data"), prevent_initial_call=True)
def correct(_n, editing, identifier, name, legal_rep, phone, address, region, refresh):
    """A correction of the subject's identity on the copy the page read (optimistic locking)."""
    cfg, who = settings(), current_actor()
    blank = [""] * len(EDIT_IDS)
    if not editing:
        return alert("请先打开一个信用主体。", "warning"), *blank, no_update
    try:
        current = subjects.get_subject(cfg.database_url, who, editing["id"])
        draft = SubjectDraft(kind=current["kind"], other_id_type=current["other_id_type"], identifier=identifier or "",
                             name=name or "", legal_rep=legal_rep or "", phone=phone or "", address=address or "",
                             region_code=region or None, registered_on=current["registered_on"] or None)
        subjects.update_subject(cfg.database_url, cfg.audit_key, who, editing["id"], draft, int(editing["version"]),
                                clock.today())
    except AccountError as exc:  # a stale copy too: the form keeps what was typed
        return *field_errors(exc, EDIT_FIELDS, EDIT_IDS), no_update
    except PermissionError as exc:
        return refused(exc), *blank, no_update
    return alert(f"已保存更正：{draft.name}。"), *blank, (refresh or 0) + 1


@secure_callback(Action.CREDIT_SUBJECT_VIEW, Output("csd-record-detail", "children"), Input("csd-records", "selectedRows"),
                 prevent_initial_call=True)
def detail(rows):
    rid = subject_id((rows or [{}])[0].get("id") if rows else None)
    if rid is None:
        return ""
    try:
        d = records.record_detail(settings().database_url, current_actor(), rid)
    except PermissionError as exc:
        return refused(exc)
    doc = d["document_detail"]
    document = html.A(f"{doc['title']}（{doc['number']}，{doc['issued_by']}，{doc['issued_on']}）", href=doc["href"],
                      target="_blank", id="csd-document-link") if doc else "—（非批量导入）"
    items = [("记录", d["title"]), ("类别", f"{d['category']} · {d['kind_label']} {d['subtype_label']}"),
             ("数据来源", d["source"]), ("产生部门（谁产生）", d["produced_by"]), ("提供单位（谁提供）", d["provided_by"]),
             ("负责单位（谁负责）", d["responsible_by"]), ("开放属性", d["open_label"]), ("共享属性", d["share_label"]),
             ("属性调整依据", d["reclass_rule"]), ("已脱敏", d["masked"]), ("依据文件", document)]
    if d["repayments"]:
        items.append(("还款计划", f"{len(d['repayments'])} 期，首期 {d['repayments'][0]['due_on']} "
                                 f"{d['repayments'][0]['due']} 元"))
    for c in d["consents"]:
        items.append(("权利人同意书", html.A(c["filename"], href=c["href"], target="_blank")))
    return html.Div([html.H3(f"记录 #{d['id']}", className="h6"), kv(items)], className="border rounded p-2")


@secure_callback(Action.CREDIT_RECORD_SAVE, Output("csd-rec-result", "children"),
                 *[Output(f"{i}-error", "children") for i in REC_IDS], Output("csd-refresh", "data"),
                 Input("csd-rec-submit", "n_clicks"), State("csd-subject-id", "data"),
                 *[State(i, "value") for i in REC_IDS], State("csd-refresh", "data"), prevent_initial_call=True)
def add_record(_n, sid, kind, subtype, title, date, severity, months, amount, docno, counterparty, term, schedule,
               right, transfer_area, site, source, system, produced, responsible, refresh):
    cfg = settings()
    draft = RecordDraft(kind=kind or "", subtype=subtype or None, title=title or "", occurred_on=iso(date),
                        severity=severity or None, publicity_months=months or None, amount=amount or "",
                        document_no=docno or "", counterparty=counterparty or "", term_months=term or None,
                        schedule=schedule or "", right_id=right, transfer_area=transfer_area or "", site_class=site,
                        source=source or "platform", source_system=system or "",
                        produced_by=produced or "", responsible_by=responsible or "")
    blank = [""] * len(REC_IDS)
    try:
        rid = records.create_record(cfg.database_url, cfg.audit_key, current_actor(), subject_id(sid), draft,
                                    clock.today())
    except AccountError as exc:
        return *field_errors(exc, REC_FIELDS, REC_IDS), no_update
    except PermissionError as exc:
        return refused(exc), *blank, no_update
    return alert(f"已录入信用记录 #{rid}：{draft.title}。"), *blank, (refresh or 0) + 1


@secure_callback(Action.CREDIT_RECORD_RECLASS, Output("csd-rc-result", "children"),
                 *[Output(f"{i}-error", "children") for i in RC_IDS], Output("csd-refresh", "data", allow_duplicate=True),
                 Input("csd-rc-submit", "n_clicks"), State("csd-records", "selectedRows"), State("csd-rc-open", "value"),
                 State("csd-rc-share", "value"), State("csd-rc-ground", "value"), State("csd-rc-note", "value"),
                 State("csd-rc-file", "contents"), State("csd-rc-file", "filename"), State("csd-refresh", "data"),
                 prevent_initial_call=True)
def reclassify(_n, rows, open_class, share_class, ground, note, contents, filename, refresh):
    cfg = settings()
    blank = [""] * len(RC_IDS)
    row = (rows or [None])[0]
    if not row or subject_id(row.get("id")) is None:
        return alert("请先在信用记录表中选择一条记录。", "warning"), *blank, no_update
    files = uploads(contents, filename)
    try:
        records.reclassify(cfg.database_url, cfg.audit_key, current_actor(), int(row["id"]), open_class or "",
                           share_class or "", ground or None, note or "", int(row.get("version") or 0), clock.today(),
                           document=files[0] if files and files[0][1] else None)
    except AccountError as exc:
        return *field_errors(exc, RC_FIELDS, RC_IDS), no_update
    except PermissionError as exc:
        return refused(exc), *blank, no_update
    return alert(f"已调整记录 #{row['id']} 的开放、共享属性。"), *blank, (refresh or 0) + 1


from . import subject_forms  # noqa: E402,F401 - the rights and encumbrance forms of this page
