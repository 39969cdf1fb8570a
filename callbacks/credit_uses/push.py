"""双公示推送 callbacks: validate a period, generate the package (written to the outbox and
recorded), list the pushes and download a recorded package."""
from __future__ import annotations

from dash import Input, Output, State, no_update

from components.credit_uses import push_files
from components.export import send_package
from data.credit import push as pushes
from data.errors import AccountError
from domain.credit.push import TABLES
from domain.labels import time_text
from domain.permissions import Action, PermissionDenied
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, as_int, current_actor


def _rejects(rejected: list[dict]) -> list[dict]:
    return [{**r, "key": f"{r['table']}-{r['record_id']}", "table_label": TABLES[r["table"]][0],
             "reasons_text": "；".join(r["reasons"])} for r in rejected]


def _summary(counts: dict, rejected: int) -> str:
    return (f"行政许可 {counts['XK']['pushed']} 条、行政处罚 {counts['CF']['pushed']} 条通过校验"
            + (f"；{rejected} 条未通过，列在下表，不会推送。" if rejected else "，全部通过。"))


@secure_callback(Action.CREDIT_PUSH_EXPORT, Output("credit-push-grid", "rowData"), Input("credit-push-refresh", "data"))
def load(_):
    rows = pushes.pushes(settings().database_url, current_actor())
    for r in rows:
        r["period_text"] = f"{r['period_from']} 至 {r['period_to']}"
        r["xk"] = f"{r['counts']['XK']['pushed']} / {r['counts']['XK']['rejected']}"
        r["cf"] = f"{r['counts']['CF']['pushed']} / {r['counts']['CF']['rejected']}"
        r["at_text"] = time_text(r["at"])
        for k in ("report", "counts", "at", "period_from", "period_to"):
            r.pop(k)
    return rows


@secure_callback(Action.CREDIT_PUSH_EXPORT, Output("credit-push-result", "children"), Output("credit-push-rejects", "rowData"),
                 Output("credit-push-from-error", "children"), Output("credit-push-to-error", "children"),
                 Input("credit-push-validate", "n_clicks"), State("credit-push-from", "date"),
                 State("credit-push-to", "date"), prevent_initial_call=True)
def validate(_, date_from, date_to):
    """校验: the report, nothing written."""
    try:
        result = pushes.validate(settings().database_url, current_actor(), date_from, date_to)
    except AccountError as exc:
        return no_update, no_update, exc.errors.get("date_from", ""), exc.errors.get("date_to", "")
    rejected = result["rejected"]
    return alert(_summary(result["counts"], len(rejected)), "warning" if rejected else "success"), _rejects(rejected), "", ""


@secure_callback(Action.CREDIT_PUSH_EXPORT, Output("credit-push-result", "children", allow_duplicate=True),
                 Output("credit-push-rejects", "rowData", allow_duplicate=True),
                 Output("credit-push-from-error", "children", allow_duplicate=True),
                 Output("credit-push-to-error", "children", allow_duplicate=True),
                 Output("credit-push-refresh", "data", allow_duplicate=True), Input("credit-push-generate", "n_clicks"),
                 State("credit-push-from", "date"), State("credit-push-to", "date"), State("credit-push-refresh", "data"),
                 prevent_initial_call=True, running=[(Output("credit-push-generate", "disabled"), True, False)])
def generate(_, date_from, date_to, refresh):
    """生成推送数据包: validate again, write the package, record the push."""
    try:
        row = pushes.generate(settings(), current_actor(), date_from, date_to, push_files)
    except AccountError as exc:
        return no_update, no_update, exc.errors.get("date_from", ""), exc.errors.get("date_to", ""), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), no_update, "", "", no_update
    rejected = row["report"]["rejected"]
    text = (f"推送 #{row['id']}：已写入发件箱 {row['package_name']}（SHA-256 {row['package_sha256'][:16]}…）。"
            + _summary(row["counts"], len(rejected)))
    return alert(text, "warning" if rejected else "success"), _rejects(rejected), "", "", (refresh or 0) + 1


@secure_callback(Action.CREDIT_PUSH_EXPORT, Output("credit-push-download", "data"),
                 Output("credit-push-download-result", "children"), Input("credit-push-download-btn", "n_clicks"),
                 State("credit-push-grid", "selectedRows"), prevent_initial_call=True)
def download(_, selected):
    push_id = as_int(selected[0].get("id")) if selected else None
    if push_id is None:
        return no_update, alert("请先在推送记录中选择一条。", "warning")
    try:
        name, blob = pushes.package_file(settings(), current_actor(), push_id)
    except AccountError as exc:
        return no_update, alert(str(exc), "warning")
    return send_package(blob, name), alert(f"已下载 {name}。")
