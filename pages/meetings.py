"""会议管理: the democratic-decision meetings of the user's jurisdiction (成员大会, 成员代表会议,
两委联席会议, 党员大会…) with attendance checked against the quorum, their resolutions (outcome by
the rule, not typed), minutes and sign-in sheets, each record's history, and the second person
who confirms a meeting before its resolutions may be cited."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.locale import date_picker
from components.attachments import upload_field
from components.form import form_field
from components.grid import data_grid
from domain.meetings import DECISION_TYPES, FILE_KINDS, MAX_RESOLUTIONS, MEETING_KINDS
from domain.permissions import Action

dash.register_page(__name__, group="三资业务", path="/meetings", name="会议管理", order=15, title="会议管理",
                   permission=Action.BUSINESS_VIEW)

MONEY = {"function": "params.value == null ? '' : d3.format(',.2f')(params.value / 100)"}
COLUMNS = [
    {"field": "held_on", "headerName": "会议日期", "minWidth": 125, "maxWidth": 150},
    {"field": "org", "headerName": "集体经济组织", "minWidth": 200},
    {"field": "kind", "headerName": "会议类型", "minWidth": 130, "maxWidth": 170},
    {"field": "title", "headerName": "会议名称", "minWidth": 220},
    {"field": "attendance", "headerName": "实到/应到（出席率）", "minWidth": 170, "maxWidth": 200},
    {"field": "quorum", "headerName": "法定人数", "minWidth": 110, "maxWidth": 130},
    {"field": "outcomes", "headerName": "决议通过/共", "minWidth": 130, "maxWidth": 150},
    {"field": "status_label", "headerName": "状态", "minWidth": 95, "maxWidth": 110},
    {"field": "recorded_by", "headerName": "登记人", "minWidth": 120, "maxWidth": 160},
    {"field": "confirmed_by", "headerName": "确认人", "minWidth": 120, "maxWidth": 160},
    {"field": "region_code", "headerName": "区划代码", "minWidth": 140, "maxWidth": 160},
]
RESOLUTION_COLUMNS = [
    {"field": "number", "headerName": "决议编号", "minWidth": 180},
    {"field": "subject", "headerName": "决议事项", "minWidth": 130},
    {"field": "decision", "headerName": "决策类型", "minWidth": 95, "maxWidth": 120},
    {"field": "votes", "headerName": "赞成/反对/弃权", "minWidth": 130, "maxWidth": 150},
    {"field": "amount_limit_fen", "headerName": "金额上限（元）", "type": "rightAligned", "valueFormatter": MONEY,
     "minWidth": 130},
    {"field": "outcome", "headerName": "表决结果", "minWidth": 90, "maxWidth": 110},
    {"field": "cited", "headerName": "被引用", "type": "rightAligned", "minWidth": 80, "maxWidth": 95},
]
KIND_OPTIONS = [{"label": k, "value": k} for k in MEETING_KINDS]
TYPE_OPTIONS = [{"label": v, "value": k} for k, v in DECISION_TYPES.items()]


def _field(label, component, fid, className="mb-2"):
    return form_field(label, component, fid, className, label_class="small mb-1")


def _count(fid, placeholder=None):
    return dbc.Input(id=fid, type="number", min=0, step=1, placeholder=placeholder, size="sm")


def _meeting_fields(prefix: str):
    """Kind, title, date, attendance and agenda: the same fields for recording and for correcting."""
    return [
        html.Div(className="row g-2", children=[
            html.Div(_field("会议类型", dcc.Dropdown(id=f"{prefix}-kind", options=KIND_OPTIONS, value="成员代表会议",
                                                  clearable=False), f"{prefix}-kind"), className="col-md-6"),
            html.Div(_field("会议日期", date_picker(f"{prefix}-date"), f"{prefix}-date"),
                     className="col-md-6"),
        ]),
        _field("会议名称", dbc.Input(id=f"{prefix}-title", maxLength=200, size="sm",
                                  placeholder="例如 2026年第二次成员代表会议"), f"{prefix}-title"),
        html.Div(className="row g-2", children=[
            html.Div(_field("应到人数", _count(f"{prefix}-expected"), f"{prefix}-expected"), className="col-6"),
            html.Div(_field("实到人数", _count(f"{prefix}-attended"), f"{prefix}-attended"), className="col-6"),
        ]),
        html.Div(id=f"{prefix}-rule", className="muted-note mb-2"),
        _field("会议议程", dbc.Textarea(id=f"{prefix}-agenda", maxLength=2000, rows=2, size="sm"), f"{prefix}-agenda"),
    ]


def _resolution_row(i: int):
    p = f"meetings-r{i}"
    return html.Div(id=p, hidden=i > 1, className="border rounded p-2 mb-2 bg-light", children=[
        html.Div(f"决议 {i}", className="small fw-semibold mb-1"),
        html.Div(className="row g-2", children=[
            html.Div(_field("决议编号", dbc.Input(id=f"{p}-number", maxLength=40, size="sm"), f"{p}-number", "mb-1"),
                     className="col-md-4"),
            html.Div(_field("决议事项", dbc.Input(id=f"{p}-subject", maxLength=200, size="sm"), f"{p}-subject", "mb-1"),
                     className="col-md-8"),
        ]),
        html.Div(className="row g-2", children=[
            html.Div(_field("决策类型", dcc.Dropdown(id=f"{p}-type", options=TYPE_OPTIONS, placeholder="选择"),
                            f"{p}-type", "mb-1"), className="col-md-4"),
            html.Div(className="col-md-5 mb-1", children=[
                dbc.Label("赞成 / 反对 / 弃权（票）", className="small mb-1"),
                html.Div(className="d-flex gap-1", children=[
                    _count(f"{p}-for", "赞成"), _count(f"{p}-against", "反对"), _count(f"{p}-abstain", "弃权")]),
                html.Div(id=f"{p}-votes-error", className="invalid-feedback d-block"),
            ]),
            html.Div(_field("金额上限（元，选填）", dbc.Input(id=f"{p}-limit", inputMode="decimal", size="sm"), f"{p}-limit",
                            "mb-1"), className="col-md-3"),
        ]),
    ])


def layout(**_):
    form = html.Div(className="panel", id="meetings-form-panel", hidden=True, children=[
        html.H2("登记会议及决议"),
        _field("集体经济组织", dcc.Dropdown(id="meetings-org", placeholder="选择本辖区的集体经济组织"), "meetings-org"),
        *_meeting_fields("meetings"),
        _field("决议项数", dcc.Dropdown(id="meetings-count", clearable=False, value=1,
                                    options=[{"label": f"{n} 项", "value": n} for n in range(1, MAX_RESOLUTIONS + 1)]),
               "meetings-count"),
        *[_resolution_row(i) for i in range(1, MAX_RESOLUTIONS + 1)],
        upload_field("meetings-minutes", "会议纪要（成员大会、成员代表会议、村民（代表）会议必传）"),
        upload_field("meetings-signin", "签到表（同上必传）"),
        upload_field("meetings-files", "其他附件（选填）"),
        dbc.Button("登记", id="meetings-submit", color="primary"),
        html.Div(id="meetings-result", className="mt-2"),
    ])
    detail = html.Div(className="panel", children=[
        html.H2(id="meetings-detail-title", children="决议、附件与修改记录（在上方选择一次会议）"),
        data_grid("meetings-res-grid", RESOLUTION_COLUMNS, height="260px"),
        html.H3("附件", className="mt-3"),
        html.Div(id="meetings-file-list"),
        html.H3("修改记录", className="mt-3"),
        html.Div(id="meetings-history", className="small"),
    ])
    edit = html.Div(className="panel", id="meetings-edit-panel", hidden=True, children=[
        html.H2("更正所选会议"),
        html.P("已确认的会议记录不能更改；决议已被引用的，不能更改会议日期、类型，也不能改变其表决结果。",
               className="muted-note"),
        dcc.Store(id="meetings-edit-target"),
        *_meeting_fields("meetings-edit"),
        dbc.Button("保存更正", id="meetings-edit-submit", color="primary", size="sm"),
        html.Div(id="meetings-edit-result", className="mt-2"),
        html.Hr(),
        _field("附件类型", dcc.Dropdown(id="meetings-more-kind", clearable=False, value="other",
                                    options=[{"label": v, "value": k} for k, v in FILE_KINDS.items()]),
               "meetings-more-kind"),
        upload_field("meetings-more", "补充附件"),
        dbc.Button("上传附件", id="meetings-more-submit", color="secondary", size="sm"),
        html.Div(id="meetings-more-result", className="mt-2"),
    ])
    confirm = html.Div(className="panel", id="meetings-confirm-panel", hidden=True, children=[
        html.H2("确认所选会议记录"),
        html.P("会议记录须由登记人、修改人以外的村集体监事长或乡镇领导、农经工作负责人核对会议纪要和签到表后确认；"
               "确认后其决议方可引用，记录不再更改。", className="muted-note"),
        html.Div(id="meetings-confirm-state", className="small mb-2"),
        _field("确认意见或退回理由（退回时必填）", dbc.Textarea(id="meetings-confirm-note", maxLength=500, rows=2, size="sm"),
               "meetings-confirm-note"),
        html.Div(className="d-flex gap-2", children=[
            dbc.Button("确认", id="meetings-confirm-submit", color="primary", size="sm", disabled=True),
            dbc.Button("退回更正", id="meetings-return-submit", color="secondary", size="sm", disabled=True)]),
        html.Div(id="meetings-confirm-result", className="mt-2"),
    ])
    return html.Div([
        dcc.Store(id="meetings-refresh", data=0),
        html.Div(className="panel", children=[
            html.H2("会议记录（选择一次会议，查看其决议、附件与修改记录）"),
            data_grid("meetings-grid", COLUMNS, selectable=True, height="380px"),
        ]),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-7", children=[detail, confirm, edit]),
            html.Div(className="col-xl-5", children=form),
        ]),
    ])
