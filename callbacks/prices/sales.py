"""成交样本 callbacks: the region choices and the import section's guard, one page of the sample
(data.prices.sales.sales_page), its export, and the import of sales and cost observations
(data.prices.imports: template, preview, commit)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

import polars as pl
from dash import Input, Output, State, ctx, html, no_update
from pydantic import Field, StrictInt

from components.export import send_table
from components.readonly import guard_outputs
from data.prices import imports as store
from data.prices.sales import MAX_LIMIT, export_rows, sales_page
from data.regions import load_region_tree
from domain import clock
from domain.permissions import Action, PermissionDenied, scope_of
from domain.prices.codes import AGE_CLASSES, FOREST_TYPES, RIGHT_TYPES, SALE_KINDS
from domain.prices.imports import PRICE_KINDS, SALE_SOURCES
from domain.regions import COUNTY, level_of
from server.callbacks import secure_callback
from server.context import log_export, settings
from server.inputs import declare

from callbacks.common import alert, current_actor, sections, uploads
from callbacks.funds.common import bump, refused

PAGE = 100
_COUNTER = Annotated[StrictInt, Field(ge=0, le=10**9)] | None
declare("ps-offset", "data", _COUNTER)  # the first row of the page shown
declare("ps-list-refresh", "data", _COUNTER)
declare("ps-region", "value", Annotated[StrictInt, Field(ge=10**11, lt=10**12)] | None)  # a 12-digit region code
EXPORT_COLUMNS = [("id", "编号", None), ("deal_on", "成交日期", None), ("region_code", "地区代码", None),
                  ("region_name", "地区", None), ("kind_label", "成交类型", None), ("area_mu", "面积（亩）", None),
                  ("price_fen", "成交价格（元）", "fen"), ("price_per_mu", "每亩价格（元）", None),
                  ("forest_type_label", "林种", None), ("species", "优势树种", None), ("age_class_label", "龄组", None),
                  ("volume_m3_per_mu", "每亩蓄积量（立方米）", None), ("site_class", "立地等级", None),
                  ("term_years", "经营期限（年）", None), ("right_type_label", "权利类型", None),
                  ("source_label", "来源", None), ("record_id", "信用记录编号", None), ("import_id", "导入记录编号", None)]


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _filters(region, kind, forest_type, source, date_from, date_to, sort, order) -> dict:
    return dict(region=_int(region), kind=kind if kind in SALE_KINDS else None,
                forest_type=forest_type if forest_type in FOREST_TYPES else None,
                source=source if source in SALE_SOURCES else None, date_from=_date(date_from), date_to=_date(date_to),
                sort=sort if isinstance(sort, str) else "deal_on", descending=order != "asc")


def _labelled(rows: list[dict]) -> list[dict]:
    tree = load_region_tree(settings().province)
    for r in rows:
        r["region_name"] = tree.name(r["region_code"])
        r["kind_label"] = SALE_KINDS.get(r["kind"], r["kind"])
        r["forest_type_label"] = FOREST_TYPES.get(r["forest_type"], r["forest_type"])
        r["age_class_label"] = AGE_CLASSES.get(r["age_class"] or "", "")
        r["right_type_label"] = RIGHT_TYPES.get(r["right_type"] or "", "")
        r["source_label"] = SALE_SOURCES.get(r["source"], r["source"])
    return rows


def _shown(r: dict) -> dict:
    """A row for the grid: text the grid shows as is (money and areas exact, dates yyyy-mm-dd)."""
    return {"id": r["id"], "deal_on": r["deal_on"].isoformat(), "region_name": r["region_name"],
            "kind_label": r["kind_label"], "area": f"{r['area_mu']:,.2f}", "price": f"{r['price_fen'] / 100:,.2f}",
            "per_mu": f"{r['price_per_mu']:,.2f}", "forest_type_label": r["forest_type_label"],
            "species": r["species"] or "", "age_class_label": r["age_class_label"],
            "volume": "" if r["volume_m3_per_mu"] is None else f"{r['volume_m3_per_mu']:.2f}",
            "site_class": r["site_class"], "term_years": r["term_years"], "right_type_label": r["right_type_label"],
            "source_label": r["source_label"]}


@secure_callback(Action.PRICE_SALES_VIEW, Output("ps-region", "options"), Output("ps-region", "value"),
                 *guard_outputs("ps-import"), Input("ps-refresh", "data"))
def load(_):
    """The regions the viewer may choose (the jurisdiction, its cities and counties) and whether the
    import section is theirs."""
    who = current_actor()
    root = scope_of(who).root
    tree = load_region_tree(settings().province)
    codes = [root]
    if level_of(root) < COUNTY:
        codes += [int(c) for c in tree.descendants(root, level=COUNTY)["code"].sort().to_list()] \
            if level_of(root) == 2 else []
        if level_of(root) == 1:
            codes += [int(c) for c in tree.children(root)["code"].sort().to_list()]
    options = [{"label": ("　" * max(0, level_of(c) - level_of(root))) + tree.name(c), "value": c}
               for c in dict.fromkeys(codes)]
    return options, root, *sections(who, Action.PRICE_DATA_IMPORT)


@secure_callback(Action.PRICE_SALES_VIEW, Output("ps-grid", "rowData"), Output("ps-summary-line", "children"),
                 Output("ps-page", "children"), Output("ps-prev", "disabled"), Output("ps-next", "disabled"),
                 Output("ps-offset", "data"),
                 Input("ps-region", "value"), Input("ps-kind", "value"), Input("ps-type", "value"),
                 Input("ps-source", "value"), Input("ps-from", "date"), Input("ps-to", "date"),
                 Input("ps-sort", "value"), Input("ps-order", "value"), Input("ps-prev", "n_clicks"),
                 Input("ps-next", "n_clicks"), Input("ps-list-refresh", "data"), State("ps-offset", "data"))
def listing(region, kind, forest_type, source, date_from, date_to, sort, order, _prev, _next, _refresh, offset):
    """One page of the sample; a change of filter starts again at the first page."""
    offset = max(0, _int(offset) or 0)
    if ctx.triggered_id == "ps-prev":
        offset = max(0, offset - PAGE)
    elif ctx.triggered_id == "ps-next":
        offset += PAGE
    elif ctx.triggered_id != "ps-list-refresh":
        offset = 0
    filters = _filters(region, kind, forest_type, source, date_from, date_to, sort, order)
    try:
        page = sales_page(settings().database_url, current_actor(), offset=offset, limit=PAGE, **filters)
    except PermissionError as exc:
        return [], refused(exc), "", True, True, 0
    except ValueError as exc:
        return [], alert(str(exc), "warning"), "", True, True, 0
    total = page["total"]
    if offset and offset >= total:  # past the end (rows removed meanwhile): back to the last page
        offset = max(0, (total - 1) // PAGE * PAGE)
        page = sales_page(settings().database_url, current_actor(), offset=offset, limit=PAGE, **filters)
    rows = [_shown(r) for r in _labelled(page["rows"])]
    if not total:
        return [], "所选条件下没有成交样本。", "", True, True, 0
    last = min(offset + PAGE, total)
    line = f"共 {total:,} 宗成交，当前显示第 {offset + 1:,}–{last:,} 宗。"
    pages = f"第 {offset // PAGE + 1} / {(total - 1) // PAGE + 1} 页"
    return rows, line, pages, offset == 0, last >= total, offset


@secure_callback(Action.PRICE_SALES_VIEW, Output("ps-export-download", "data"), Input("ps-export-xlsx", "n_clicks"),
                 Input("ps-export-csv", "n_clicks"), State("ps-region", "value"), State("ps-kind", "value"),
                 State("ps-type", "value"), State("ps-source", "value"), State("ps-from", "date"),
                 State("ps-to", "date"), State("ps-sort", "value"), State("ps-order", "value"),
                 prevent_initial_call=True)
def export(_x, _c, region, kind, forest_type, source, date_from, date_to, sort, order):
    """The sample as the filters select it (up to data.prices.sales.EXPORT_MAX rows), logged."""
    if not (_x or _c):
        return no_update
    who = current_actor()
    filters = _filters(region, kind, forest_type, source, date_from, date_to, sort, order)
    try:
        rows = _labelled(export_rows(settings().database_url, who, **filters))
    except (PermissionError, ValueError):
        return no_update
    names = [c for c, _, _ in EXPORT_COLUMNS]
    frame = pl.DataFrame([{c: r.get(c) for c in names} for r in rows], infer_schema_length=None) if rows else \
        pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    log_export("林权成交样本", len(rows), filters["region"] or who.scope.root)
    fmt = "csv" if ctx.triggered_id == "ps-export-csv" else "xlsx"
    return send_table(frame, EXPORT_COLUMNS, "林权成交样本", fmt=fmt)


# ---------------------------------------------------------------- the import


def _file(contents, filename) -> tuple[str, bytes] | None:
    files = uploads(contents, filename)
    return files[0] if len(files) == 1 and files[0][1] else None


def _errors(p: dict) -> list[dict]:
    return [{"key": f"{i}", **{k: e[k] for k in ("row", "column", "message")}} for i, e in enumerate(p["errors"])]


def _summary(p: dict):
    parts = [html.Div(f"{p['kind_label']}：{p['filename']}，共 {p['rows']} 行；无误 {p['valid_rows']} 行，"
                      f"错误 {p['error_count']} 处。", id="ps-counts")]
    if p.get("duplicate"):
        parts.append(alert(p["duplicate"], "warning"))
    if p["error_count"]:
        parts.append(alert("文件有错误，整份不能导入：请按下表修改后重新上传。", "danger"))
    elif not p.get("duplicate"):
        parts.append(alert("检查通过，可以导入。", "success"))
    return parts


@secure_callback(Action.PRICE_DATA_IMPORT, Output("ps-template-download", "data"),
                 Input("ps-template-xlsx", "n_clicks"), Input("ps-template-csv", "n_clicks"),
                 State("ps-imp-kind", "value"), prevent_initial_call=True)
def template(_xlsx, _csv, kind):
    """The kind's template (header row and one example row)."""
    if kind not in PRICE_KINDS or not (_xlsx or _csv):
        return no_update
    header, example = store.template(kind)
    frame = pl.DataFrame({h: [v] for h, v in zip(header, example)}, schema=dict.fromkeys(header, pl.Utf8))
    fmt = "csv" if ctx.triggered_id == "ps-template-csv" else "xlsx"
    return send_table(frame, [(h, h, None) for h in header], f"导入模板-{PRICE_KINDS[kind].label}", fmt=fmt)


@secure_callback(Action.PRICE_DATA_IMPORT, Output("ps-summary", "children"), Output("ps-errors", "rowData"),
                 Output("ps-preview", "rowData"), Output("ps-preview", "columnDefs"),
                 Output("ps-commit", "disabled"), Output("ps-file-error", "children"),
                 Input("ps-file", "contents"), Input("ps-imp-kind", "value"), State("ps-file", "filename"),
                 prevent_initial_call=True)
def preview(contents, kind, filename):
    """Every error of the uploaded file by row and column, its first rows and counts; nothing written."""
    if kind not in PRICE_KINDS:
        return no_update, no_update, no_update, no_update, True, "请选择导入内容"
    got = _file(contents, filename)
    if got is None:
        return html.Div("请选择导入内容并上传文件。", className="text-muted"), [], [], [], True, \
            ("请先上传一个文件" if contents else "")
    name, content = got
    try:
        p = store.preview(settings().database_url, current_actor(), kind, name, content, clock.today())
    except PermissionError as exc:
        return refused(exc), [], [], [], True, ""
    columns = [{"field": "行号", "headerName": "行号", "minWidth": 80, "maxWidth": 90}] + \
        [{"field": c.header, "headerName": c.header, "minWidth": max(140, 15 * len(c.header) + 50)}
         for c in PRICE_KINDS[kind].columns]
    blocked = bool(p["error_count"] or p.get("duplicate"))
    return _summary(p), _errors(p), p["preview"], columns, blocked, ""


@secure_callback(Action.PRICE_DATA_IMPORT, Output("ps-commit-result", "children"), Output("ps-list-refresh", "data"),
                 Output("ps-errors", "rowData", allow_duplicate=True), Output("ps-commit", "disabled", allow_duplicate=True),
                 Output("ps-summary", "children", allow_duplicate=True),
                 Input("ps-commit", "n_clicks"), State("ps-file", "contents"), State("ps-file", "filename"),
                 State("ps-imp-kind", "value"), State("ps-list-refresh", "data"), prevent_initial_call=True)
def commit(_n, contents, filename, kind, refresh):
    """The import, all or nothing; the sample list refreshes."""
    got = _file(contents, filename)
    if got is None or kind not in PRICE_KINDS:
        return alert("请先上传一个文件" if kind in PRICE_KINDS else "请选择导入内容", "warning"), no_update, no_update, \
            no_update, no_update
    name, content = got
    cfg = settings()
    try:
        out = store.commit(cfg.database_url, cfg.audit_key, current_actor(), kind, name, content, clock.today())
    except store.Rejected as exc:
        return alert(f"未导入：{exc.summary['message']}", "danger"), bump(refresh), _errors(exc.summary), True, \
            no_update
    except PermissionDenied as exc:
        return refused(exc), bump(refresh), no_update, True, no_update
    done = html.Div(f"{name} 已导入（{out['rows']} 行），上表已刷新；导入下一份文件请重新上传。", className="text-muted",
                    id="ps-counts")
    return alert(f"{out['message']}（导入记录第 {out['import_id']} 号）。"), bump(refresh), [], True, done


assert PAGE <= MAX_LIMIT
