"""信用档案 callbacks: the subject picker, a subject's records with their documents, the batches, export."""
from __future__ import annotations

import polars as pl
from dash import Input, Output, State, html, no_update

from callbacks.common import current_actor
from components.export import send_table
from data.credit import archive as store
from data.credit import subjects
from domain.permissions import Action
from server.callbacks import secure_callback
from server.context import settings

from .common import kv, link, refused, subject_id

EXPORT = [("occurred_on", "日期", None), ("kind_label", "类别", None), ("title", "记录", None), ("source", "来源", None),
          ("produced_by", "产生部门", None), ("open_label", "开放属性", None), ("share_label", "共享属性", None),
          ("batch_id", "批次", None), ("document", "依据文件", None)]


@secure_callback(Action.CREDIT_ARCHIVE_VIEW, Output("ca-subject", "options"), Output("ca-subject", "value"),
                 Input("ca-subject-id", "data"))
def options(sid):
    opts = subjects.subject_options(settings().database_url, current_actor())
    return opts, subject_id(sid)


@secure_callback(Action.CREDIT_ARCHIVE_VIEW, Output("ca-identity", "children"), Output("ca-records", "rowData"),
                 Output("ca-rights", "children"), Output("ca-batches", "rowData"), Input("ca-subject", "value"))
def show(sid):
    sid = subject_id(sid)
    if sid is None:
        return html.Div("请选择信用主体。", className="text-muted"), [], "", []
    try:
        a = store.archive(settings().database_url, current_actor(), sid)
    except PermissionError as exc:
        return refused(exc), [], "", []
    for r in a["records"]:
        r["document_link"] = link(r["document"], r["document_href"]) if r["document"] else "—"
    for b in a["batches"]:
        b["link"] = link(b["filename"], b["href"])
    s = a["subject"]
    rights = html.Ul([html.Li(f"{r['unit_display']}，{r['right_type']}，{r['area_mu']} 亩"
                              + (f"（批次 {r['batch_id']}）" if r["batch_id"] else "")) for r in a["rights"]]) \
        if a["rights"] else html.Div("没有林权。", className="text-muted")
    ident = kv([("名称", s["name"]), (s["id_type_label"], s["identifier"]), ("所在地区代码", str(s["region_code"])),
                ("信用记录", f"{len(a['records'])} 条"), ("导入批次", f"{len(a['batches'])} 个")])
    return ident, a["records"], rights, a["batches"]


@secure_callback(Action.CREDIT_ARCHIVE_VIEW, Output("ca-download", "data"), Input("ca-export", "n_clicks"),
                 State("ca-subject", "value"), prevent_initial_call=True)
def export(_n, sid):
    sid = subject_id(sid)
    if sid is None:
        return no_update
    a = store.archive(settings().database_url, current_actor(), sid)
    keys = [k for k, _h, _f in EXPORT]
    frame = pl.DataFrame({k: [str(r[k]) for r in a["records"]] for k in keys}, schema=dict.fromkeys(keys, pl.Utf8))
    return send_table(frame, EXPORT, f"信用档案-{a['subject']['name']}")
