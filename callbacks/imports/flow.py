"""数据导入: the template downloads, the preview of an uploaded file, the import itself (a background
callback with a progress bar and a cancel button) and the list of import records."""
from __future__ import annotations

import polars as pl
from dash import Input, Output, State, html, no_update

from components.export import send_table
from data.imports import service
from domain import clock
from domain.imports.kinds import KINDS, template_rows
from domain.permissions import Action
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, current_actor, uploads
from callbacks.funds.common import bump, refused

_NO_FILE = "请先上传一个文件"


def _file(contents, filename) -> tuple[str, bytes] | None:
    files = uploads(contents, filename)
    return files[0] if len(files) == 1 and files[0][1] else None


def _summary(p: dict):
    """The preview's counts line, the duplicate warning and the unmappable accounts."""
    vouchers = f"，{p['vouchers']} 张凭证" if p["vouchers"] else ""
    parts = [html.Div(f"{p['kind_label']}：{p['filename']}，共 {p['rows']} 行{vouchers}"
                      f"；无误 {p['valid_rows']} 行，错误 {p['error_count']} 处。", id="imp-counts")]
    if p.get("duplicate"):
        parts.append(alert(p["duplicate"], "warning"))
    for text in p.get("unmapped", []):
        parts.append(html.Div(text, className="text-danger small imp-unmapped"))
    if p["error_count"]:
        parts.append(alert("文件有错误，整份不能导入：请按下表修改后重新上传。", "danger"))
    elif not p.get("duplicate"):
        parts.append(alert("检查通过，可以导入。", "success"))
    return parts


def _errors(p: dict) -> list[dict]:
    return [{"key": f"{i}", **{k: e[k] for k in ("row", "column", "message")}} for i, e in enumerate(p["errors"])]


@secure_callback(Action.DATA_IMPORT, Output("imp-template-download", "data"), Input("imp-template-xlsx", "n_clicks"),
                 Input("imp-template-csv", "n_clicks"), State("imp-kind", "value"), prevent_initial_call=True)
def template(_xlsx, _csv, kind):
    """The kind's template (header row and one example row), generated on the fly."""
    from dash import ctx

    k = KINDS.get(kind or "")
    if k is None:
        return no_update
    header, example = template_rows(k)
    frame = pl.DataFrame({h: [v] for h, v in zip(header, example)}, schema=dict.fromkeys(header, pl.Utf8))
    fmt = "csv" if ctx.triggered_id == "imp-template-csv" else "xlsx"
    return send_table(frame, [(h, h, None) for h in header], f"导入模板-{k.label}", fmt=fmt)


@secure_callback(Action.DATA_IMPORT, Output("imp-summary", "children"), Output("imp-errors", "rowData"),
                 Output("imp-preview", "rowData"), Output("imp-preview", "columnDefs"),
                 Output("imp-commit", "disabled"), Output("imp-file-error", "children"),
                 Input("imp-file", "contents"), Input("imp-kind", "value"), State("imp-file", "filename"),
                 prevent_initial_call=True)
def preview(contents, kind, filename):
    """Every error of the uploaded file by row and column, its first rows and counts; nothing is written."""
    got = _file(contents, filename)
    if kind not in KINDS:
        return no_update, no_update, no_update, no_update, True, "请选择导入内容"
    if got is None:
        return html.Div("请选择导入内容并上传文件。", className="text-muted"), [], [], [], True, \
            (_NO_FILE if contents else "")
    name, content = got
    cfg = settings()
    try:
        p = service.preview(cfg.database_url, current_actor(), kind, name, content, clock.today())
    except PermissionError as exc:
        return refused(exc), [], [], [], True, ""
    columns = [{"field": "行号", "headerName": "行号", "maxWidth": 80}] + \
        [{"field": c.header, "headerName": c.header} for c in KINDS[kind].columns]
    blocked = bool(p["error_count"] or p.get("duplicate"))
    return _summary(p), _errors(p), p["preview"], columns, blocked, ""


@secure_callback(Action.DATA_IMPORT, Output("imp-commit-result", "children"), Output("imp-refresh", "data"),
                 Output("imp-errors", "rowData", allow_duplicate=True),
                 Input("imp-commit", "n_clicks"), State("imp-file", "contents"), State("imp-file", "filename"),
                 State("imp-kind", "value"), State("imp-refresh", "data"),
                 background=True, prevent_initial_call=True,
                 progress=[Output("imp-progress", "value"), Output("imp-progress", "label")], progress_default=[0, ""],
                 running=[(Output("imp-commit", "disabled"), True, False), (Output("imp-cancel", "disabled"), False, True),
                          (Output("imp-progress-box", "style"), {"display": "block"}, {"display": "none"})],
                 cancel=[Input("imp-cancel", "n_clicks")])
def commit(set_progress, _n, contents, filename, kind, refresh):
    """The import, all or nothing, in the background (a job process): the progress bar follows the
    rows written; 取消导入 stops the job before its transaction commits, so nothing is kept."""
    got = _file(contents, filename)
    if got is None or kind not in KINDS:
        return alert(_NO_FILE if kind in KINDS else "请选择导入内容", "warning"), no_update, no_update
    name, content = got
    cfg = settings()

    def progress(done: int, total: int) -> None:
        pct = min(100, round(100 * done / max(total, 1)))
        set_progress((pct, f"{done}/{total} 行（{pct}%）"))

    try:
        out = service.commit(cfg.database_url, cfg.audit_key, current_actor(), kind, name, content, clock.today(),
                             progress=progress)
    except service.Rejected as exc:
        return alert(f"未导入：{exc.summary['message']}", "danger"), bump(refresh), _errors(exc.summary)
    except PermissionError as exc:
        return refused(exc), bump(refresh), no_update
    return alert(f"{out['message']}（导入记录第 {out['import_id']} 号）。"), bump(refresh), []


@secure_callback(Action.DATA_IMPORT, Output("imp-history", "rowData"), Input("imp-refresh", "data"))
def history(_):
    """The import records of the user's jurisdiction, newest first."""
    cfg = settings()
    return service.imports(cfg.database_url, current_actor())
