"""资产管理 callbacks."""
from __future__ import annotations

import datetime as dt

from dash import Input, Output, State, ctx, html, no_update

from components.attachments import file_links
from components.readonly import guard_outputs
from components.record_history import history_table
from data import assets
from data.attachments import clean_name
from data.errors import AccountError, StaleEdit
from data.funds import books as fund_data
from domain import assets as rules
from domain import clock
from domain.funds.parsing import parse_period
from domain.permissions import Action, OutOfScope, PermissionDenied
from domain.money import yuan
from server.callbacks import secure_callback
from server.context import settings

from .common import alert, as_int, current_actor, sections, uploads



#: each form of the page and the action it takes (shown only to roles that may: components.readonly)
FORMS = {"assets-act-form": Action.ASSET_DISPOSE, "assets-card-form": Action.ASSET_CARD_SAVE,
         "assets-reval-form": Action.ASSET_REVALUE, "assets-dep-form": Action.ASSET_DEPRECIATE}


@secure_callback(Action.BUSINESS_VIEW, Output("assets-grid", "rowData"), Output("assets-card-org", "options"),
                 Output("assets-dep-org", "options"), *guard_outputs(*FORMS), Input("assets-refresh", "data"))
def load(_):
    url, actor = settings().database_url, current_actor()
    orgs = [{"label": o["name"], "value": o["id"]} for o in fund_data.orgs(url, actor)]
    return assets.list_assets(url, actor), orgs, orgs, *sections(actor, *FORMS.values())


@secure_callback(Action.ASSET_CARD_SAVE, Output("assets-selected", "children"), Output("assets-resolution", "options"),
                 Output("assets-reval-resolution", "options"), Input("assets-grid", "selectedRows"))
def selected(rows):
    row = rows[0] if rows else {}
    try:
        org_id = int(row["org_id"])
    except (KeyError, TypeError, ValueError):
        return "请先在左侧选择一项资产", [], []
    options = [{"label": o["label"], "value": o["id"]}
               for o in assets.resolutions_for(settings().database_url, current_actor(), org_id)]
    return f"{row['code']} {row['name']}（{row['status_label']}）", options, options


@secure_callback((Action.ASSET_DISPOSE, Action.ASSET_LEASE, Action.ASSET_PLEDGE), Output("assets-result", "children"),
                 Output("assets-action-error", "children"),
                 Output("assets-resolution-error", "children"), Output("assets-date-error", "children"),
                 Output("assets-refresh", "data"), Input("assets-submit", "n_clicks"),
                 State("assets-grid", "selectedRows"), State("assets-action", "value"),
                 State("assets-resolution", "value"), State("assets-date", "date"), State("assets-refresh", "data"),
                 prevent_initial_call=True)
def submit(_, rows, action, resolution, date, refresh):
    if not rows:
        return alert("请先选择一项资产。", "warning"), "", "", "", no_update
    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        day = None
    cfg = settings()
    row = rows[0]
    try:
        status = assets.act(cfg.database_url, cfg.audit_key, current_actor(), int(row["id"]), action,
                            int(resolution) if resolution else None, day, int(row["version"]),
                            clock.today())
    except AccountError as exc:
        e = exc.errors
        return (alert(e.get("_", "未办理，请按提示修改。"), "danger"), e.get("action", ""), e.get("resolution", ""),
                e.get("date", ""), (refresh or 0) + 1)
    except (OutOfScope, PermissionDenied) as exc:
        return alert(str(exc), "danger"), "", "", "", no_update
    return alert(f"已办理：{row['code']} 现为“{ {'disposed': '已处置', 'leased': '出租', 'pledged': '抵押'}[status] }”。"), \
        "", "", "", (refresh or 0) + 1


# ---------------------------------------------------------------- the selected card

HISTORY_LABELS = {"code": "资产编号", "name": "名称", "category": "类别", "operating": "经营性",
                  "original_value_fen": "原值（元）", "accumulated_depreciation_fen": "累计折旧（元）",
                  "acquired_on": "取得日期", "useful_life_months": "使用年限（月）", "residual_rate_bp": "残值率",
                  "location": "存放地点", "custodian": "保管人", "status": "状态", "disposed_on": "处置日期"}
HISTORY_FORMATS = {"original_value_fen": yuan, "accumulated_depreciation_fen": yuan,
                   "category": lambda v: rules.CATEGORY_LABELS.get(v, v),
                   "status": lambda v: rules.STATUS_LABELS.get(v, v),
                   "operating": lambda v: "经营性" if v in ("True", "true", "1") else "非经营性",
                   "residual_rate_bp": lambda v: f"{int(v) / 100:g}%"}


def _dl(pairs):
    return html.Dl(className="row mb-2", children=[x for k, v in pairs for x in
                                                  (html.Dt(k, className="col-4 col-md-2 fw-normal text-muted"),
                                                   html.Dd(v, className="col-8 col-md-4 mb-1"))])


@secure_callback(Action.BUSINESS_VIEW, Output("assets-detail", "children"), Input("assets-grid", "selectedRows"),
                 Input("assets-refresh", "data"))
def detail(rows, _):
    try:
        asset_id = int((rows or [{}])[0]["id"])
    except (KeyError, TypeError, ValueError, IndexError):
        return html.Span("在上方台账中选择一项资产，显示其卡片、附件、价值变动和修改记录。", className="text-muted")
    try:
        d = assets.card_detail(settings().database_url, current_actor(), asset_id)
    except (OutOfScope, PermissionDenied) as exc:
        return alert(str(exc), "danger")
    events = html.Table(className="table table-sm small mb-0", children=[
        html.Thead(html.Tr([html.Th("日期"), html.Th("事项"), html.Th("原值"), html.Th("净值"), html.Th("金额"),
                            html.Th("说明")])),
        html.Tbody([html.Tr([html.Td(e["date"]), html.Td(rules.EVENT_LABELS.get(e["kind"], e["kind"])),
                             html.Td(yuan(e["original_value_fen"])), html.Td(yuan(e["net_value_fen"])),
                             html.Td(yuan(e["amount_fen"]) if e["amount_fen"] is not None else ""),
                             html.Td(e["note"])]) for e in d["events"][:20]])])
    return html.Div([
        html.H3(f"{d['code']} {d['name']}（{d['status_label']}）", className="h6"),
        _dl([("组织", d["org_name"]), ("类别", f"{d['category']}，{d['operating_label']}"),
             ("原值", f"{yuan(d['original_value_fen'])} 元"), ("累计折旧", f"{yuan(d['accumulated_fen'])} 元"),
             ("净值", f"{yuan(d['net_value_fen'])} 元"), ("取得日期", d["acquired_on"]),
             ("使用年限", f"{d['useful_life_months']} 个月，残值率 {d['residual_rate_bp'] / 100:g}%"),
             ("月折旧额", f"{yuan(d['monthly_fen'])} 元"),
             ("存放地点", d["location"] or "—"), ("保管人", d["custodian"] or "—")]),
        html.Div("附件", className="small text-muted"), html.Div(file_links(d["files"]), id="assets-detail-files"),
        html.Div("价值变动", className="small text-muted mt-2"), events,
        html.Div("修改记录", className="small text-muted mt-2"),
        html.Div(history_table(d["history"], HISTORY_LABELS, formats=HISTORY_FORMATS), id="assets-detail-history"),
    ])


# ---------------------------------------------------------------- 新增 / 更正

CARD_FIELDS = {"org_id": "assets-card-org", "code": "assets-card-code", "name": "assets-card-name",
               "category": "assets-card-category", "operating": "assets-card-operating",
               "original_value": "assets-card-value", "acquired_on": "assets-card-acquired",
               "useful_life_months": "assets-card-life", "residual_rate": "assets-card-residual",
               "location": "assets-card-location", "custodian": "assets-card-custodian"}
ERROR_FIELDS = {**CARD_FIELDS, "attachments": "assets-files"}


def card_prop(component_id: str) -> str:
    """The property holding a card field's value (the date picker's is `date`)."""
    return "date" if component_id == CARD_FIELDS["acquired_on"] else "value"


@secure_callback(Action.ASSET_CARD_SAVE, *[Output(f, card_prop(f)) for f in CARD_FIELDS.values()],
                 Input("assets-grid", "selectedRows"), prevent_initial_call=True)
def fill_card(rows):
    row = (rows or [None])[0]
    if not isinstance(row, dict):
        return [no_update] * len(CARD_FIELDS)
    try:
        return (int(row["org_id"]), row["code"], row["name"], row["category_code"], bool(row["operating"]),
                yuan(row["original_value_fen"]), row["acquired_on"], str(row["useful_life_months"]),
                f"{int(row['residual_rate_bp']) / 100:g}", row["location"], row["custodian"])
    except (KeyError, TypeError, ValueError):
        return [no_update] * len(CARD_FIELDS)


@secure_callback(Action.ASSET_CARD_SAVE, Output("assets-files-names", "children"), Input("assets-files", "filename"))
def show_files(filenames):
    names = filenames if isinstance(filenames, list) else [filenames] if filenames else []
    return "已选择：" + "、".join(clean_name(n) for n in names) if names else ""


def _date(text):
    try:
        return dt.date.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


@secure_callback(Action.ASSET_CARD_SAVE, Output("assets-card-result", "children"),
                 *[Output(f"{f}-error", "children") for f in ERROR_FIELDS.values()],
                 Output("assets-files", "contents"), Output("assets-files", "filename"),
                 Output("assets-refresh", "data", allow_duplicate=True), Input("assets-card-new", "n_clicks"),
                 Input("assets-card-fix", "n_clicks"),
                 *[State(f, card_prop(f)) for f in CARD_FIELDS.values()],
                 State("assets-files", "contents"), State("assets-files", "filename"),
                 State("assets-grid", "selectedRows"), State("assets-refresh", "data"), prevent_initial_call=True)
def save_card(_new, _fix, org, code, name, category, operating, value, acquired, life, residual, location, custodian,
              contents, filenames, rows, refresh):
    blank = [""] * len(ERROR_FIELDS)
    fix = ctx.triggered_id == "assets-card-fix"
    row = (rows or [None])[0] if fix else None
    if fix and not isinstance(row, dict):
        return (alert("请先在台账中选择要更正的资产。", "warning"), *blank, no_update, no_update, no_update)
    draft = rules.CardDraft(org_id=as_int(org), code=code, name=name, category=category, operating=bool(operating),
                            original_value=value, acquired_on=_date(acquired), useful_life_months=life,
                            residual_rate=residual, location=location, custodian=custodian)
    cfg = settings()
    files = uploads(contents, filenames)
    try:
        asset_id = assets.save_card(cfg.database_url, cfg.audit_key, current_actor(),
                                    as_int(row.get("id")) if row else None, draft, clock.today(),
                                    expected_version=as_int(row.get("version")) if row else None, files=files)
    except AccountError as exc:
        e = exc.errors
        return (alert(e.get("_", "未保存，请按提示修改。"), "danger"),
                *[e.get(k, "") for k in ERROR_FIELDS], no_update, no_update, no_update)
    except (OutOfScope, PermissionDenied, StaleEdit) as exc:
        return (alert(str(exc), "danger"), *blank, no_update, no_update, (refresh or 0) + 1)
    what = "已更正资产卡片" if fix else "已新增资产卡片"
    return (alert(f"{what}：{(code or '').strip()} {(name or '').strip()}（#{asset_id}）"
                  + (f"，附件 {len(files)} 个" if files else "") + "。"), *blank, None, None, (refresh or 0) + 1)


# ---------------------------------------------------------------- 重估

@secure_callback(Action.ASSET_REVALUE, Output("assets-reval-result", "children"),
                 Output("assets-reval-value-error", "children"), Output("assets-reval-reason-error", "children"),
                 Output("assets-reval-resolution-error", "children"), Output("assets-reval-date-error", "children"),
                 Output("assets-refresh", "data", allow_duplicate=True), Input("assets-reval-submit", "n_clicks"),
                 State("assets-grid", "selectedRows"), State("assets-reval-value", "value"),
                 State("assets-reval-reason", "value"), State("assets-reval-resolution", "value"),
                 State("assets-reval-date", "date"), State("assets-refresh", "data"), prevent_initial_call=True)
def revalue(_, rows, value, reason, resolution, date, refresh):
    row = (rows or [None])[0]
    if not isinstance(row, dict) or as_int(row.get("id")) is None:
        return alert("请先选择一项资产。", "warning"), "", "", "", "", no_update
    cfg = settings()
    try:
        net = assets.revalue(cfg.database_url, cfg.audit_key, current_actor(), as_int(row.get("id")), value, reason,
                             as_int(resolution), _date(date), as_int(row.get("version")), clock.today())
    except AccountError as exc:
        e = exc.errors
        return (alert(e.get("_", "未重估，请按提示修改。"), "danger"), e.get("new_value", ""), e.get("reason", ""),
                e.get("resolution", ""), e.get("date", ""), no_update)
    except (OutOfScope, PermissionDenied, StaleEdit) as exc:
        return alert(str(exc), "danger"), "", "", "", "", (refresh or 0) + 1
    return alert(f"已重估：{row.get('code')} 重估后净值 {yuan(net)} 元。"), "", "", "", "", (refresh or 0) + 1


# ---------------------------------------------------------------- 计提折旧

@secure_callback(Action.ASSET_DEPRECIATE, Output("assets-dep-result", "children"),
                 Output("assets-dep-org-error", "children"), Output("assets-dep-period-error", "children"),
                 Output("assets-refresh", "data", allow_duplicate=True), Input("assets-dep-submit", "n_clicks"),
                 State("assets-dep-org", "value"), State("assets-dep-period", "value"), State("assets-refresh", "data"),
                 prevent_initial_call=True)
def depreciate(_, org, period, refresh):
    org_id = as_int(org)
    if org_id is None:
        return alert("未计提，请按提示修改。", "danger"), "请选择集体经济组织", "", no_update
    cfg = settings()
    try:
        out = assets.run_depreciation(cfg.database_url, cfg.audit_key, current_actor(), org_id,
                                      parse_period(period), clock.today())
    except AccountError as exc:
        e = exc.errors
        return alert(e.get("_", "未计提，请按提示修改。"), "danger"), e.get("org_id", ""), e.get("period", ""), no_update
    except (OutOfScope, PermissionDenied) as exc:
        return alert(str(exc), "danger"), "", "", no_update
    return (alert(f"已计提折旧：{out['assets']} 项资产，合计 {yuan(out['total_fen'])} 元，记账凭证第{out['number']}号"
                  f"（借 管理费用/生产成本，贷 累计折旧）。"), "", "", (refresh or 0) + 1)
