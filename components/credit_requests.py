"""The forms, tables and detail blocks of the credit request pages (数据申请, 数据修正, 数据传输):
id-parameterised factories, no data and no callbacks. Each form's fields are listed once (`*_FIELDS`:
field name → component id) so the callbacks put each refusal under its own field."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.form import form_field
from components.grid import data_grid
from components.locale import date_picker
from components.readonly import guarded
from domain.credit import corrections as corr
from domain.credit import requests as req
from domain.credit import transfers as tr
from domain.credit.codes import RECORD_KINDS
from domain.citations import credit_article

KIND_OPTIONS = [{"label": label, "value": k} for k, (_, label) in RECORD_KINDS.items()]
DUE_CLASS = {"text-danger fw-bold": "params.data.overdue"}
DUE_COL = {"field": "due", "headerName": "答复期限", "cellClassRules": DUE_CLASS, "minWidth": 190, "cellDataType": "text"}


#: the date inputs (their value is the `date` property of components.locale.date_picker)
DATE_IDS = frozenset({"capp-from", "capp-to", "capp-commitment-on", "capp-valid-until", "capp-grant-from",
                      "capp-grant-to", "ccor-meeting-on", "ctr-commitment-on"})


def _date(cid: str):
    return date_picker(cid)


def prop(cid: str) -> str:
    """The property a form field's value is read from."""
    return "date" if cid in DATE_IDS else "value"


def _text(cid: str, placeholder: str = "", area: bool = False):
    return (dbc.Textarea(id=cid, placeholder=placeholder, rows=2) if area
            else dbc.Input(id=cid, placeholder=placeholder))


def _col(field: str, header: str, **kw) -> dict:
    return {"field": field, "headerName": header, **kw}


def due_summary(rows: list[dict]) -> list:
    """The badges over a table: how many await a reply, how many are overdue."""
    pending = sum(1 for r in rows if r.get("due", "").endswith("个工作日）"))
    overdue = sum(1 for r in rows if r.get("overdue"))
    return [dbc.Badge(f"待答复 {pending + overdue} 件", color="primary", className="me-2", id="credit-due-pending"),
            dbc.Badge(f"已超期 {overdue} 件", color="danger" if overdue else "secondary", id="credit-due-overdue")]


def table_block(prefix: str, columns: list[dict], title: str) -> html.Div:
    return html.Div([
        html.Div([html.H5(title, className="me-3 mb-0"), html.Div(id=f"{prefix}-badges", className="d-flex"),
                  dbc.Button("导出Excel", id=f"{prefix}-export", size="sm", color="secondary", outline=True,
                             className="ms-auto")], className="d-flex align-items-center mb-2"),
        data_grid(f"{prefix}-grid", columns, selectable=True, height="380px"),
        dcc.Download(id=f"{prefix}-download"), html.Div(id=f"{prefix}-detail", className="mt-2")], className="mb-4")


def commitment_fields(prefix: str) -> list:
    label = f"本人已阅读并签署{req.COMMITMENT}，承诺数据保管、保密和在允许范围内使用（{credit_article('commitment')}）"
    return [dbc.Checklist(id=f"{prefix}-commitment", options=[{"label": label, "value": "yes"}],
                          value=[]),
            html.Div(id=f"{prefix}-commitment-error", className="invalid-feedback d-block"),
            dbc.Row([form_field("签署人姓名", _text(f"{prefix}-commitment-name"), f"{prefix}-commitment-name",
                                width="col-md-4"),
                     form_field("签署日期", _date(f"{prefix}-commitment-on"), f"{prefix}-commitment-on",
                                width="col-md-4")])]


# ---------------------------------------------------------------- applications
APP_FIELDS = {"kinds": "capp-kinds", "period": "capp-from", "regions": "capp-regions", "fields": "capp-fields",
              "purpose": "capp-purpose", "legal_basis": "capp-basis", "commitment": "capp-commitment",
              "commitment_name": "capp-commitment-name", "commitment_on": "capp-commitment-on"}
DECIDE_FIELDS = {"reason": "capp-reason", "scope": "capp-grant-kinds",
                 "valid_until": "capp-valid-until"}
APP_COLUMNS = [_col("id", "编号", maxWidth=80), _col("kind_label", "类型", maxWidth=130), _col("applicant", "申请人"),
               _col("asked", "申请数据类别"), _col("period", "数据期间"), _col("purpose", "用途"),
               _col("received_on", "收到日期", maxWidth=120), DUE_COL,
               _col("state", "状态", maxWidth=110), _col("commitment", "承诺书"), _col("reason", "答复意见")]
GRANTED_COLUMNS = [_col(k, v) for k, v in req.SHARE_FIELDS.items()]


def applications_layout(intro: str) -> html.Div:
    field_options = [{"label": v, "value": k} for k, v in req.SHARE_FIELDS.items()]
    apply_form = dbc.Card(dbc.CardBody([
        html.H5("提交申请", id="capp-apply-title"),
        html.Div(id="capp-apply-hint", className="small text-muted mb-2"),
        form_field("申请的数据类别", dbc.Checklist(id="capp-kinds", options=KIND_OPTIONS, value=[], inline=True),
                   "capp-kinds"),
        dbc.Row([form_field("数据起始日期", _date("capp-from"), "capp-from", width="col-md-3"),
                 form_field("数据截止日期", _date("capp-to"), "capp-to", width="col-md-3")]),
        html.Div([form_field("区域（可多选）", dcc.Dropdown(id="capp-regions", multi=True, placeholder="选择县（市、区）"),
                             "capp-regions"),
                  form_field("需要的字段", dbc.Checklist(id="capp-fields", options=field_options,
                                                        value=list(req.DEFAULT_FIELDS), inline=True), "capp-fields"),
                  form_field("履职依据（法律法规或职责文件）", _text("capp-basis"), "capp-basis")], id="capp-share-only"),
        form_field("数据用途", _text("capp-purpose", "写明用途，仅在允许范围内使用", area=True), "capp-purpose"),
        *commitment_fields("capp"),
        dbc.Button("提交申请", id="capp-submit", color="primary", className="mt-2"),
        html.Div(id="capp-result", className="mt-2")]), className="mb-4")
    decide = dbc.Card(dbc.CardBody([
        html.H5("答复申请（数据管理单位）"),
        html.Div("在上表选择一件待答复的申请。同意时确定提供的数据类别、字段和有效期，并告知提供方式、时间及有关要求；"
                 "不同意时须说明理由。", className="small text-muted mb-2"),
        form_field("答复", dbc.RadioItems(id="capp-decision", options=[{"label": "同意提供", "value": "grant"},
                                                                        {"label": "不予提供", "value": "refuse"}],
                                          value="grant", inline=True), "capp-decision"),
        form_field("同意提供的数据类别（须在申请范围内）", dbc.Checklist(id="capp-grant-kinds", options=KIND_OPTIONS,
                                                                     value=[], inline=True), "capp-grant-kinds"),
        form_field("同意提供的字段（共享申请）", dbc.Checklist(id="capp-grant-fields", options=field_options, value=[],
                                                             inline=True), "capp-grant-fields"),
        dbc.Row([form_field("同意提供的数据起始日期", _date("capp-grant-from"), "capp-grant-from", width="col-md-3"),
                 form_field("同意提供的数据截止日期", _date("capp-grant-to"), "capp-grant-to", width="col-md-3"),
                 form_field("使用有效期至", _date("capp-valid-until"), "capp-valid-until", width="col-md-3")]),
        form_field("同意提供的区域（共享申请，须在申请区域内）", dcc.Dropdown(id="capp-grant-regions", multi=True),
                   "capp-grant-regions"),
        form_field("答复意见 / 不予提供的理由", _text("capp-reason", area=True), "capp-reason"),
        dbc.Button("提交答复", id="capp-decide", color="primary"), html.Div(id="capp-decide-result", className="mt-2")]),
        className="mb-4")
    mine = dbc.Card(dbc.CardBody([
        html.H5("已同意的数据"),
        html.Div("在上表选择本人已获同意的申请：签署承诺书后才能获取；只能获取同意范围内的数据。",
                 className="small text-muted mb-2"),
        dbc.Button("签署承诺书", id="capp-sign", color="secondary", outline=True, className="me-2"),
        dbc.Button("获取数据", id="capp-fetch", color="primary", className="me-2"),
        dbc.Button("下载Excel", id="capp-fetch-export", color="secondary", outline=True),
        html.Div(id="capp-fetch-result", className="mt-2"),
        data_grid("capp-data", GRANTED_COLUMNS, height="320px"), dcc.Download(id="capp-data-download")]), className="mb-4")
    return html.Div([html.H3("林业信用数据申请"), html.P(intro, className="text-muted"),
                     dcc.Store(id="capp-refresh", data=0), dcc.Store(id="capp-kind", data="open"),
                     guarded("capp-apply-section", apply_form),
                     table_block("capp", APP_COLUMNS, "申请与答复"),
                     guarded("capp-decide-section", decide),
                     guarded("capp-mine-section", mine)])


# ---------------------------------------------------------------- corrections
COR_FIELDS = {"target": "ccor-target", "targets": "ccor-ids", "ground": "ccor-ground", "changes": "ccor-value1",
              "description": "ccor-description", "evidence": "ccor-files", "note": "ccor-note"}
STEP_FIELDS = {"opinion": "ccor-opinion", "meeting_on": "ccor-meeting-on",
               "minutes_ref": "ccor-minutes"}
COR_COLUMNS = [_col("id", "编号", maxWidth=80), _col("target", "修正对象"), _col("ground", "情形", maxWidth=90),
               _col("changes", "修正内容", minWidth=220), _col("major", "重大或批量"), _col("applicant", "申请人"),
               _col("received_on", "收到日期", maxWidth=120), DUE_COL,
               _col("state", "状态", maxWidth=130)]
CHANGE_ROWS = 3


def corrections_layout(intro: str) -> html.Div:
    field_options = {t: [{"label": label, "value": k} for k, (label, _) in fs.items()] for t, fs in corr.FIELDS.items()}
    pairs = [dbc.Row([form_field(f"修正字段{n}", dcc.Dropdown(id=f"ccor-field{n}", options=field_options["record"]),
                                 f"ccor-field{n}", width="col-md-4"),
                      form_field("新值", _text(f"ccor-value{n}"), f"ccor-value{n}", width="col-md-6")])
             for n in range(1, CHANGE_ROWS + 1)]
    apply_form = dbc.Card(dbc.CardBody([
        html.H5("提交修正申请"),
        dbc.Row([form_field("修正对象", dbc.RadioItems(id="ccor-target", options=[{"label": v, "value": k} for k, v in
                                                                               corr.TARGETS.items()],
                                                     value="record", inline=True), "ccor-target", width="col-md-4"),
                 form_field("记录编号（多条用逗号分隔，超过10条为批量修正）", _text("ccor-ids", "例如 12, 15"), "ccor-ids",
                            width="col-md-8")]),
        form_field(f"修正情形（{credit_article('correction_ground')}）",
                   dcc.Dropdown(id="ccor-ground", options=[{"label": v, "value": k} for k, v in corr.GROUNDS.items()]),
                   "ccor-ground"),
        *pairs,
        form_field(f"权利限制备注（{credit_article('correction_note')}）", _text("ccor-note", "承包经营权实际未落户的说明"),
                   "ccor-note"),
        form_field("修正事由", _text("ccor-description", area=True), "ccor-description"),
        form_field("证明材料（必传）", dcc.Upload(id="ccor-files", multiple=True, children=html.Div(
            ["拖入或", html.A("选择文件"), "（PDF、图片、Word等）"]), className="upload-box border rounded p-2 text-center"),
                   "ccor-files"),
        html.Div(id="ccor-files-list", className="small text-muted"),
        dbc.Button("提交修正申请", id="ccor-submit", color="primary", className="mt-2"),
        html.Div(id="ccor-result", className="mt-2")]), className="mb-4")
    act = dbc.Card(dbc.CardBody([
        html.H5("办理当前步骤"),
        html.Div("在上表选择一件修正申请：经办部门审核 → 数据管理单位会议决定 → （重大或批量）省林业局审议 → 县级实施。",
                 className="small text-muted mb-2"),
        html.Div(id="ccor-step-label", className="fw-semibold mb-2"),
        form_field("意见", dbc.RadioItems(id="ccor-approve", options=[{"label": "同意", "value": "yes"},
                                                                      {"label": "不同意", "value": "no"}],
                                          value="yes", inline=True), "ccor-approve"),
        form_field("意见内容 / 理由", _text("ccor-opinion", area=True), "ccor-opinion"),
        dbc.Row([form_field("会议日期（会议决定）", _date("ccor-meeting-on"), "ccor-meeting-on", width="col-md-3"),
                 form_field("会议纪要编号", _text("ccor-minutes", "例如 林信会〔2026〕12号"), "ccor-minutes",
                            width="col-md-5")]),
        dbc.Button("办理", id="ccor-act", color="primary"), html.Div(id="ccor-act-result", className="mt-2")]),
        className="mb-4")
    return html.Div([html.H3("林业信用数据修正"), html.P(intro, className="text-muted"),
                     dcc.Store(id="ccor-refresh", data=0),
                     guarded("ccor-apply-section", apply_form),
                     table_block("ccor", COR_COLUMNS, "修正申请"),
                     guarded("ccor-act-section", act)])


def field_options(target: str) -> list[dict]:
    return [{"label": label, "value": k} for k, (label, _) in corr.FIELDS.get(target, {}).items()]


def chain_block(title: str, steps: list[dict], extra=None) -> html.Div:
    """The signed steps (who, when, opinion) of a request, in order."""
    rows = [html.Tr([html.Td(s["step"]), html.Td(s["by"]), html.Td(s["at"]), html.Td(s["opinion"])]) for s in steps]
    table = dbc.Table([html.Thead(html.Tr([html.Th("步骤"), html.Th("办理人"), html.Th("时间"), html.Th("意见")])),
                       html.Tbody(rows or [html.Tr(html.Td("暂无办理记录", colSpan=4))])], size="sm", bordered=True)
    return html.Div([html.H6(title), table, extra], className="chain-block")


def before_after(before: dict, after: dict, target: str) -> html.Div:
    """The applied correction's fields, before and after, per target (vocabulary values as labels)."""
    if not after:
        return html.Div("尚未实施修正：目标数据未改变。", className="small text-muted", id="ccor-before-after")
    fields = corr.FIELDS.get(target, {})

    def shown(name, value):
        return corr.value_label(target, name, value) if name in fields else str(value or "")

    rows = [html.Tr([html.Td(f"#{tid}"), html.Td(fields[f][0] if f in fields else "权利限制备注"),
                     html.Td(shown(f, (before.get(tid) or {}).get(f))), html.Td(shown(f, v))])
            for tid, changed in after.items() for f, v in changed.items()]
    return dbc.Table([html.Thead(html.Tr([html.Th("记录"), html.Th("字段"), html.Th("修正前"), html.Th("修正后")])),
                      html.Tbody(rows)], size="sm", bordered=True, id="ccor-before-after")


# ---------------------------------------------------------------- transfers
TR_FIELDS = {"unit": "ctr-unit", "data_range": "ctr-data-range", "use_range": "ctr-use-range",
             "confidentiality": "ctr-confidentiality", "method": "ctr-method", "internet": "ctr-internet",
             "justification": "ctr-justification", "device_model": "ctr-device", "persons": "ctr-persons",
             "commitment": "ctr-commitment", "commitment_name": "ctr-commitment-name",
             "commitment_on": "ctr-commitment-on"}
TR_COLUMNS = [_col("id", "编号", maxWidth=80), _col("unit", "申请单位"), _col("data_range", "数据范围"),
              _col("method", "传输方式"), _col("device", "设备"), _col("persons", "传输人员"),
              _col("received_on", "收到日期", maxWidth=120), DUE_COL,
              _col("state", "状态", maxWidth=130)]


def transfers_layout(intro: str) -> html.Div:
    form = dbc.Card(dbc.CardBody([
        html.H5("数据申报审批表"),
        form_field("申请（传输）单位", _text("ctr-unit", "公共管理和服务机构按账号所属机构填报"), "ctr-unit"),
        form_field("传输数据范围", _text("ctr-data-range", area=True), "ctr-data-range"),
        form_field("应用范围", _text("ctr-use-range", area=True), "ctr-use-range"),
        form_field("保密责任", _text("ctr-confidentiality", area=True), "ctr-confidentiality"),
        form_field("传输方式", dbc.RadioItems(id="ctr-method", options=[{"label": v, "value": k} for k, v in
                                                                       tr.METHODS.items()], value="device", inline=True),
                   "ctr-method"),
        dbc.Row([form_field("传输设备型号（移动存储设备）", _text("ctr-device"), "ctr-device", width="col-md-4"),
                 form_field("负责传输人员名单（用顿号分隔）", _text("ctr-persons", "张三、李四"), "ctr-persons",
                            width="col-md-8")]),
        form_field("", dbc.Checklist(id="ctr-internet", options=[
            {"label": f"通过互联网传输（{credit_article('internet')}例外情形）", "value": "internet"},
            {"label": "数据已脱敏", "value": "desensitised"}, {"label": "数据已加密", "value": "encrypted"}],
            value=[], inline=True), "ctr-internet"),
        form_field("通过互联网传输的依据", _text("ctr-justification"), "ctr-justification"),
        *commitment_fields("ctr"),
        dbc.Button("提交申请", id="ctr-submit", color="primary", className="mt-2"),
        html.Div(id="ctr-result", className="mt-2")]), className="mb-4")
    sign = dbc.Card(dbc.CardBody([
        html.H5("签署意见"),
        html.Div("初审（经办部门）→ 审核（分管领导）→ 审批（主要领导），三个步骤须由三个不同的人签署；任一步不同意即终止。",
                 className="small text-muted mb-2"),
        html.Div(id="ctr-step-label", className="fw-semibold mb-2"),
        form_field("意见", dbc.RadioItems(id="ctr-approve", options=[{"label": "同意", "value": "yes"},
                                                                     {"label": "不同意", "value": "no"}],
                                          value="yes", inline=True), "ctr-approve"),
        form_field("意见内容 / 理由", _text("ctr-opinion", area=True), "ctr-opinion"),
        dbc.Button("签署", id="ctr-sign", color="primary"), html.Div(id="ctr-sign-result", className="mt-2")]),
        className="mb-4")
    clear = dbc.Card(dbc.CardBody([
        html.H5(f"传输完毕：设备数据清理确认（{credit_article('transfer_device')}）"),
        form_field("清理情况（设备、时间、清理人）", _text("ctr-clear-note"), "ctr-clear-note"),
        dbc.Button("确认已清理", id="ctr-clear", color="secondary"), html.Div(id="ctr-clear-result", className="mt-2")]),
        className="mb-4")
    return html.Div([html.H3("林业信用数据传输"), html.P(intro, className="text-muted"),
                     dcc.Store(id="ctr-refresh", data=0),
                     guarded("ctr-apply-section", html.Div([form, clear])),
                     table_block("ctr", TR_COLUMNS, "数据传输申请"),
                     guarded("ctr-sign-section", sign)])
