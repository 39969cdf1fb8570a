"""信用数据批量导入 callbacks: the templates, the check of an uploaded file (every problem by row and
column, nothing written), the import with its authoritative document, the list of batches."""
from __future__ import annotations

import polars as pl
from dash import Input, Output, State, ctx, html, no_update

from callbacks.common import alert, current_actor, uploads
from components.export import send_table
from data.credit import batch
from domain import clock
from domain.credit.batch import KINDS, DocumentDraft
from domain.imports.kinds import template_rows
from domain.permissions import Action
from server.callbacks import secure_callback
from server.context import settings

from .common import iso, link, refused

DOC_FIELDS = {"document": "ci-doc", "title": "ci-doc-title", "number": "ci-doc-number", "issued_by": "ci-doc-issuer",
              "issued_on": "ci-doc-date"}
DOC_IDS = list(DOC_FIELDS.values())


def _one(contents, filename):
    files = uploads(contents, filename)
    return files[0] if len(files) == 1 and files[0][1] else None


def _errors(listed: list[dict]) -> list[dict]:
    return [{"key": str(i), **e} for i, e in enumerate(listed)]


@secure_callback(Action.CREDIT_RECORD_IMPORT, Output("ci-template-download", "data"), Input("ci-template-xlsx", "n_clicks"),
                 Input("ci-template-csv", "n_clicks"), State("ci-kind", "value"), prevent_initial_call=True)
def template(_x, _c, kind):
    k = KINDS.get(kind or "")
    if k is None:
        return no_update
    header, example = template_rows(k)
    frame = pl.DataFrame({h: [v] for h, v in zip(header, example)}, schema=dict.fromkeys(header, pl.Utf8))
    fmt = "csv" if ctx.triggered_id == "ci-template-csv" else "xlsx"
    return send_table(frame, [(h, h, None) for h in header], f"信用数据导入模板-{k.label}", fmt=fmt)


@secure_callback(Action.CREDIT_RECORD_IMPORT, Output("ci-summary", "children"), Output("ci-errors", "rowData"),
                 Output("ci-preview", "rowData"), Output("ci-doc-name", "children"),
                 Input("ci-file", "contents"), Input("ci-kind", "value"), Input("ci-doc", "filename"),
                 State("ci-file", "filename"), prevent_initial_call=True)
def check(contents, kind, doc_name, filename):
    """The file checked row by row against the kind's template and the rules; nothing is written."""
    doc = f"依据文件：{doc_name}" if doc_name else "尚未上传依据文件：没有依据文件不能导入。"
    got = _one(contents, filename)
    if got is None or kind not in KINDS:
        return html.Div("请选择导入内容并上传文件。", className="text-muted"), [], [], doc
    try:
        p = batch.preview(settings().database_url, current_actor(), kind, *got, clock.today())
    except PermissionError as exc:
        return refused(exc), [], [], doc
    line = html.Div(f"{p['kind_label']}：{got[0]}，共 {p['rows']} 行；无误 {p['valid_rows']} 行，错误 {p['error_count']} 处。",
                    id="ci-counts")
    verdict = (alert("文件有错误，整批不能导入：请按下表修改后重新上传。", "danger") if p["error_count"]
               else alert("检查通过：填写依据文件后可以导入。", "success"))
    return [line, verdict], _errors(p["errors"]), p["preview"], doc


@secure_callback(Action.CREDIT_RECORD_IMPORT, Output("ci-result", "children"),
                 *[Output(f"{i}-error", "children") for i in DOC_IDS], Output("ci-errors", "rowData", allow_duplicate=True),
                 Output("ci-refresh", "data"),
                 Input("ci-commit", "n_clicks"), State("ci-kind", "value"), State("ci-file", "contents"),
                 State("ci-file", "filename"), State("ci-doc", "contents"), State("ci-doc", "filename"),
                 State("ci-doc-title", "value"), State("ci-doc-number", "value"), State("ci-doc-issuer", "value"),
                 State("ci-doc-date", "date"), State("ci-refresh", "data"), prevent_initial_call=True)
def commit(_n, kind, contents, filename, doc_contents, doc_filename, title, number, issuer, date, refresh):
    """All or nothing: without the document, or with any bad row, nothing enters."""
    cfg = settings()
    blank = [""] * len(DOC_IDS)
    got = _one(contents, filename)
    if got is None:
        return alert("请先上传数据文件。", "warning"), *blank, no_update, no_update
    doc = _one(doc_contents, doc_filename)
    document = DocumentDraft(title=title or "", number=number or "", issued_by=issuer or "", issued_on=iso(date),
                             filename=doc[0], content=doc[1]) if doc else None
    try:
        out = batch.commit(cfg.database_url, cfg.audit_key, current_actor(), kind or "", *got, document, clock.today())
    except batch.Rejected as exc:
        by_id = {DOC_FIELDS[f]: m for f, m in exc.fields.items() if f in DOC_FIELDS}
        return alert(exc.message, "danger"), *[by_id.get(i, "") for i in DOC_IDS], _errors(exc.listed()), no_update
    except PermissionError as exc:
        return refused(exc), *blank, no_update, no_update
    return alert(f"{out['message']}（批次第 {out['batch_id']} 号）。"), *blank, [], (refresh or 0) + 1


@secure_callback(Action.CREDIT_RECORD_IMPORT, Output("ci-batches", "rowData"), Input("ci-refresh", "data"))
def batches(_):
    rows = batch.batches(settings().database_url, current_actor())
    for r in rows:
        r["link"] = link(r["filename"], r["href"])
    return rows
