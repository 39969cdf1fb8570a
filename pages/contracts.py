"""合同管理: the contracts of the user's jurisdiction — parties, subject, amount, term, payment
schedule, receipts against it, renewal and termination, the scan and the change history; and
到期与逾期: contracts ending within 90 days and instalments overdue, with Excel export."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.locale import date_picker
from components.attachments import upload_field
from components.form import form_field
from components.grid import data_grid
from domain.contracts import ID_TYPES, KINDS, SCHEDULE_LABELS
from domain.permissions import Action

dash.register_page(__name__, group="三资业务", path="/contracts", name="合同管理", order=13, title="合同管理",
                   permission=Action.BUSINESS_VIEW)

MONEY = {"function": "params.value == null ? '' : d3.format(',.2f')(params.value / 100)"}


def _money(field, header):
    return {"field": field, "headerName": header, "type": "rightAligned", "valueFormatter": MONEY,
            "filter": "agNumberColumnFilter"}


COLUMNS = [
    {"field": "number", "headerName": "合同编号", "minWidth": 170}, {"field": "title", "headerName": "名称", "minWidth": 200},
    {"field": "kind_label", "headerName": "类型", "minWidth": 90}, {"field": "counterparty", "headerName": "对方",
                                                                   "minWidth": 130},
    {**_money("amount_fen", "合同金额（元）"), "minWidth": 140}, {**_money("received_fen", "已收（元）"), "minWidth": 130},
    {"field": "start_on", "headerName": "起始", "minWidth": 120}, {"field": "end_on", "headerName": "终止", "minWidth": 120},
    {"field": "term", "headerName": "期限", "minWidth": 100}, {"field": "status_label", "headerName": "状态", "minWidth": 100},
    {"field": "org", "headerName": "集体经济组织", "minWidth": 200},
]
INSTALMENT_COLUMNS = [
    {"field": "seq", "headerName": "期次", "maxWidth": 80}, {"field": "due_on", "headerName": "应收日期"},
    _money("amount_fen", "应收（元）"), _money("received_fen", "已收（元）"), _money("outstanding_fen", "尚欠（元）"),
]
EXPIRING_COLUMNS = [
    {"field": "number", "headerName": "合同编号"}, {"field": "title", "headerName": "名称"},
    {"field": "counterparty", "headerName": "对方"}, _money("amount_fen", "合同金额（元）"),
    {"field": "end_on", "headerName": "终止日期"},
    {"field": "days_left", "headerName": "剩余天数", "type": "rightAligned", "filter": "agNumberColumnFilter",
     "maxWidth": 120},
    {"field": "note", "headerName": "提示"}, {"field": "org", "headerName": "集体经济组织"},
]
OVERDUE_COLUMNS = [
    {"field": "number", "headerName": "合同编号"}, {"field": "counterparty", "headerName": "对方"},
    {"field": "seq", "headerName": "期次", "minWidth": 80}, {"field": "due_on", "headerName": "应收日期"},
    _money("amount_fen", "应收（元）"), _money("received_fen", "已收（元）"), _money("outstanding_fen", "尚欠（元）"),
    {"field": "days_overdue", "headerName": "逾期天数", "type": "rightAligned", "filter": "agNumberColumnFilter",
     "sort": "desc", "minWidth": 110},
    {"field": "status_label", "headerName": "合同状态", "maxWidth": 110}, {"field": "org", "headerName": "集体经济组织"},
]


def _frequency(fid):
    return dcc.Dropdown(id=fid, value="yearly", clearable=False,
                        options=[{"label": v, "value": k} for k, v in SCHEDULE_LABELS.items()])


def _contract_form():
    return html.Div([
        html.P("出租、发包集体资源或资产须引用成员（代表）会议表决通过的决议（四议两公开）。", className="text-muted small mb-2"),
        form_field("标的（资源或资产）", dcc.Dropdown(id="ct-subject", placeholder="选择未发包的资源或在用、闲置的资产"),
                   "ct-subject"),
        html.Div(className="row g-2", children=[
            form_field("类型", dcc.Dropdown(id="ct-kind", value="contracting", clearable=False,
                                  options=[{"label": v, "value": k} for k, v in KINDS.items()]), "ct-kind", width="col-6"),
            form_field("收款方式", _frequency("ct-frequency"), "ct-frequency", width="col-6"),
        ]),
        form_field("合同名称（可不填）", dbc.Input(id="ct-title", maxLength=200), "ct-title"),
        form_field("承租（承包）方", dbc.Input(id="ct-counterparty", maxLength=100), "ct-counterparty"),
        html.Div(className="row g-2", children=[
            form_field("证件类型", dcc.Dropdown(id="ct-id-type", value="resident", clearable=False,
                                            options=[{"label": v, "value": k} for k, v in ID_TYPES.items()]),
                       "ct-id-type", width="col-5"),
            form_field("证件号码", dbc.Input(id="ct-id", maxLength=40), "ct-id", width="col-7"),
        ]),
        form_field("合同总金额（元）", dbc.Input(id="ct-amount", inputMode="decimal", placeholder="整个合同期，例如 50,000.00"),
           "ct-amount"),
        html.Div(className="row g-2", children=[
            form_field("签订日期", date_picker("ct-signed"), "ct-signed", width="col-4"),
            form_field("起始日期", date_picker("ct-start"), "ct-start", width="col-4"),
            form_field("终止日期", date_picker("ct-end"), "ct-end", width="col-4"),
        ]),
        form_field("引用决议", dcc.Dropdown(id="ct-resolution", placeholder="选择表决出租/发包的决议"), "ct-resolution"),
        upload_field("ct-scan", "合同扫描件"),
        html.Div([dbc.Button("签订合同", id="ct-create", color="primary", className="me-2"),
                  dbc.Button("载入所选合同", id="ct-load", color="light", className="me-2"),
                  dbc.Button("保存修改", id="ct-save", color="secondary")]),
        html.Div(id="ct-result", className="mt-2"),
    ])


def _receipt_form():
    return html.Div([
        form_field("收款期次", dcc.Dropdown(id="ct-rc-instalment", placeholder="先在左侧选择合同"), "ct-rc-instalment"),
        form_field("收款金额（元）", dbc.Input(id="ct-rc-amount", inputMode="decimal"), "ct-rc-amount"),
        form_field("收款日期", date_picker("ct-rc-date"), "ct-rc-date"),
        dbc.Button("登记收款", id="ct-rc-submit", color="primary"),
        html.Div(id="ct-rc-result", className="mt-2"),
    ])


def _renewal_form():
    return html.Div([
        html.P("续签合同自原合同终止日的次日起，承租（承包）方不变；原合同标记为已续签。", className="text-muted small mb-2"),
        form_field("续签终止日期", date_picker("ct-rn-end"), "ct-rn-end"),
        form_field("续签合同总金额（元）", dbc.Input(id="ct-rn-amount", inputMode="decimal"), "ct-rn-amount"),
        html.Div(className="row g-2", children=[
            form_field("收款方式", _frequency("ct-rn-frequency"), "ct-rn-frequency", width="col-6"),
            form_field("签订日期", date_picker("ct-rn-signed"), "ct-rn-signed", width="col-6"),
        ]),
        form_field("引用决议", dcc.Dropdown(id="ct-rn-resolution", placeholder="选择表决续签的决议"), "ct-rn-resolution"),
        dbc.Button("续签", id="ct-rn-submit", color="primary"),
        html.Div(id="ct-rn-result", className="mt-2"),
    ])


def _termination_form():
    return html.Div([
        html.P("终止后，终止日以后的各期不再收取；此前未收的款项仍列为逾期欠款。", className="text-muted small mb-2"),
        form_field("终止日期", date_picker("ct-tm-date"), "ct-tm-date"),
        form_field("终止原因", dbc.Textarea(id="ct-tm-reason", maxLength=500, rows=3), "ct-tm-reason"),
        dbc.Button("终止合同", id="ct-tm-submit", color="danger"),
        html.Div(id="ct-tm-result", className="mt-2"),
    ])


def _files_form():
    return html.Div([
        upload_field("ct-file", "补充上传合同扫描件"),
        dbc.Button("上传", id="ct-file-submit", color="primary"),
        html.Div(id="ct-file-result", className="mt-2"),
    ])


def _register_tab():
    return html.Div(className="row g-3 mt-1", children=[
        html.Div(className="col-xl-8", children=[
            html.Div(className="panel", children=[
                html.Div(className="d-flex justify-content-between align-items-center", children=[
                    html.H2("合同台账（选择一份合同后办理）"),
                    dbc.Button("刷新", id="ct-reload", color="light", size="sm"),
                ]),
                data_grid("ct-grid", COLUMNS, selectable=True, height="430px"),
            ]),
            html.Div(className="panel", children=[
                html.H2(id="ct-detail-title", children="合同详情"),
                html.Div(className="row g-3", children=[
                    html.Div(className="col-lg-7", children=[
                        html.H3("收款计划"),
                        data_grid("ct-inst-grid", INSTALMENT_COLUMNS, height="360px"),
                    ]),
                    html.Div(className="col-lg-5", children=[
                        html.H3("收款记录"), html.Div(id="ct-receipts", className="small mb-2"),
                        html.H3("附件"), html.Div(id="ct-files", className="small mb-2"),
                        html.Div(id="ct-termination", className="small"),
                    ]),
                ]),
                html.H3("修改记录", className="mt-2"), html.Div(id="ct-history"),
            ]),
        ]),
        html.Div(className="col-xl-4", children=html.Div(className="panel", id="ct-forms-panel", hidden=True, children=[
            html.Div(id="ct-selected", className="mb-2 fw-semibold"),
            dbc.Tabs(id="ct-form-tabs", active_tab="new", children=[
                dbc.Tab(_contract_form(), label="新签/修改", tab_id="new", className="pt-2"),
                dbc.Tab(_receipt_form(), label="收款", tab_id="receipt", className="pt-2"),
                dbc.Tab(_renewal_form(), label="续签", tab_id="renew", className="pt-2"),
                dbc.Tab(_termination_form(), label="终止", tab_id="terminate", className="pt-2"),
                dbc.Tab(_files_form(), label="附件", tab_id="files", className="pt-2"),
            ]),
        ])),
    ])


def _due_tab():
    return html.Div(className="mt-2", children=[
        html.Div(className="d-flex align-items-end gap-3 mb-2", children=[
            html.Div([dbc.Label("截至日期", html_for="ct-due-asof", className="small mb-0"),
                      date_picker("ct-due-asof")]),
            html.Div(id="ct-due-note", className="muted-note pb-1"),
        ]),
        html.Div(className="panel", children=[
            html.Div(className="d-flex justify-content-between align-items-center", children=[
                html.H2("90天内到期的合同（含已过期仍在履行的）"),
                dbc.Button("导出Excel", id="ct-expiring-export", color="secondary", outline=True, size="sm"),
            ]),
            data_grid("ct-expiring-grid", EXPIRING_COLUMNS, height="330px"),
        ]),
        html.Div(className="panel", children=[
            html.Div(className="d-flex justify-content-between align-items-center", children=[
                html.H2("逾期未收款项"),
                dbc.Button("导出Excel", id="ct-overdue-export", color="secondary", outline=True, size="sm"),
            ]),
            data_grid("ct-overdue-grid", OVERDUE_COLUMNS, height="400px"),
        ]),
        dcc.Download(id="ct-download"),
    ])


def layout(**_):
    return html.Div([
        dcc.Store(id="ct-refresh", data=0),
        dcc.Store(id="ct-selected-store"),
        dbc.Tabs(id="ct-tabs", active_tab="register", children=[
            dbc.Tab(_register_tab(), label="合同台账", tab_id="register"),
            dbc.Tab(_due_tab(), label="到期与逾期", tab_id="due"),
        ]),
    ])
