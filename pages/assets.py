"""资产管理: the asset register of the user's jurisdiction with the selected card's detail, files
and history; entering and correcting cards, disposal/lease/pledge with a meeting resolution,
revaluation, and the monthly depreciation run."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.locale import date_picker
from components.attachments import upload_field
from components.form import form_field
from components.grid import data_grid
from components.readonly import guarded
from domain.assets import ACTIONS, CATEGORY_LABELS
from domain.permissions import Action

dash.register_page(__name__, group="三资业务", path="/assets", name="资产管理", order=11, title="资产管理",
                   permission=Action.BUSINESS_VIEW)

MONEY = {"function": "d3.format(',.2f')(params.value / 100)"}
COLUMNS = [
    {"field": "code", "headerName": "资产编号"}, {"field": "name", "headerName": "名称"},
    {"field": "category", "headerName": "类别"}, {"field": "operating_label", "headerName": "经营性"},
    {"field": "original_value_fen", "headerName": "原值（元）", "type": "rightAligned", "valueFormatter": MONEY},
    {"field": "accumulated_fen", "headerName": "累计折旧（元）", "type": "rightAligned", "valueFormatter": MONEY},
    {"field": "net_value_fen", "headerName": "净值（元）", "type": "rightAligned", "valueFormatter": MONEY},
    {"field": "location", "headerName": "存放地点"}, {"field": "custodian", "headerName": "保管人"},
    {"field": "status_label", "headerName": "状态"}, {"field": "region_code", "headerName": "区划代码"},
]


def _card_tab():
    return html.Div(className="pt-2", children=[
        html.P("选择左侧资产后可更正其卡片；填写后点“新增”则建立新卡片。", className="text-muted small"),
        form_field("集体经济组织", dcc.Dropdown(id="assets-card-org", placeholder="选择组织"), "assets-card-org"),
        html.Div(className="row g-2", children=[
            html.Div(form_field("资产编号", dbc.Input(id="assets-card-code", maxLength=40), "assets-card-code"),
                     className="col-5"),
            html.Div(form_field("名称", dbc.Input(id="assets-card-name", maxLength=200), "assets-card-name"),
                     className="col-7")]),
        html.Div(className="row g-2", children=[
            html.Div(form_field("类别", dcc.Dropdown(id="assets-card-category", value="equipment", clearable=False,
                                                options=[{"label": v, "value": k} for k, v in CATEGORY_LABELS.items()]),
                            "assets-card-category"), className="col-6"),
            html.Div(form_field("用途", dbc.RadioItems(id="assets-card-operating", value=False, inline=True,
                                                 options=[{"label": "经营性", "value": True},
                                                          {"label": "非经营性", "value": False}]),
                            "assets-card-operating"), className="col-6")]),
        html.Div(className="row g-2", children=[
            html.Div(form_field("原值（元）", dbc.Input(id="assets-card-value", inputMode="decimal",
                                                 placeholder="如 12,000.00"), "assets-card-value"), className="col-6"),
            html.Div(form_field("取得日期", date_picker("assets-card-acquired"), "assets-card-acquired"),
                     className="col-6")]),
        html.Div(className="row g-2", children=[
            html.Div(form_field("使用年限（月）", dbc.Input(id="assets-card-life", value="240", inputMode="numeric"),
                            "assets-card-life"), className="col-6"),
            html.Div(form_field("残值率（%）", dbc.Input(id="assets-card-residual", value="5", inputMode="decimal"),
                            "assets-card-residual"), className="col-6")]),
        html.Div(className="row g-2", children=[
            html.Div(form_field("存放地点", dbc.Input(id="assets-card-location", maxLength=200), "assets-card-location"),
                     className="col-7"),
            html.Div(form_field("保管人", dbc.Input(id="assets-card-custodian", maxLength=50), "assets-card-custodian"),
                     className="col-5")]),
        upload_field("assets-files", "附件（发票、照片）"),
        html.Div(className="d-flex gap-2", children=[
            dbc.Button("新增资产卡片", id="assets-card-new", color="primary"),
            dbc.Button("更正所选卡片", id="assets-card-fix", color="secondary", outline=True)]),
        html.Div(id="assets-card-result", className="mt-2"),
    ])


def _act_tab():
    return html.Div(className="pt-2", children=[
        html.P("须引用成员（代表）会议通过的、表决该事项的决议（四议两公开）。", className="text-muted small"),
        html.Div(id="assets-selected", className="mb-2 fw-semibold"),
        dbc.Label("事项", html_for="assets-action"),
        dcc.Dropdown(id="assets-action", value="dispose", clearable=False,
                     options=[{"label": v[2], "value": k} for k, v in ACTIONS.items()]),
        html.Div(id="assets-action-error", className="invalid-feedback d-block"),
        dbc.Label("引用决议", html_for="assets-resolution", className="mt-2"),
        dcc.Dropdown(id="assets-resolution", placeholder="选择会议决议"),
        html.Div(id="assets-resolution-error", className="invalid-feedback d-block"),
        dbc.Label("日期", html_for="assets-date", className="mt-2"), date_picker("assets-date"),
        html.Div(id="assets-date-error", className="invalid-feedback d-block"),
        dbc.Button("办理", id="assets-submit", color="primary", className="mt-3"),
        html.Div(id="assets-result", className="mt-2"),
    ])


def _reval_tab():
    return html.Div(className="pt-2", children=[
        html.P("重估价值即重估后的净值。减值、或增值达到本组织决策限额的，须引用表决该资产重估的决议（决策类型“其他”）。",
               className="text-muted small"),
        form_field("重估价值（元）", dbc.Input(id="assets-reval-value", inputMode="decimal"), "assets-reval-value"),
        form_field("重估原因", dbc.Textarea(id="assets-reval-reason", maxLength=500, rows=2), "assets-reval-reason"),
        form_field("引用决议", dcc.Dropdown(id="assets-reval-resolution", placeholder="选择会议决议（需要时）"),
               "assets-reval-resolution"),
        form_field("重估日期", date_picker("assets-reval-date"), "assets-reval-date"),
        dbc.Button("重估", id="assets-reval-submit", color="primary"),
        html.Div(id="assets-reval-result", className="mt-2"),
    ])


def _dep_tab():
    return html.Div(className="pt-2", children=[
        html.P("按月、按组织计提：从取得的次月起按直线法计提，提足（原值−残值）为止；土地、对外投资、闲置的非房屋资产不提，"
               "处置当月照提、次月停提。生成一张凭证：借 401 生产（劳务）成本 / 513 管理费用，贷 152 累计折旧。",
               className="text-muted small"),
        form_field("集体经济组织", dcc.Dropdown(id="assets-dep-org", placeholder="选择组织"), "assets-dep-org"),
        form_field("计提月份", dbc.Input(id="assets-dep-period", placeholder="yyyy-mm", maxLength=7), "assets-dep-period"),
        dbc.Button("计提折旧", id="assets-dep-submit", color="primary"),
        html.Div(id="assets-dep-result", className="mt-2"),
    ])


def layout(**_):
    return html.Div([
        dcc.Store(id="assets-refresh", data=0),
        html.Div(className="panel", children=[
            html.H2("资产台账（选择一项资产查看卡片或办理）"),
            data_grid("assets-grid", COLUMNS, selectable=True, height="420px"),
        ]),
        html.Div(className="row g-3 mt-0", children=[
            html.Div(className="col-xl-7", children=html.Div(className="panel", children=[
                html.H2("资产卡片"), html.Div(id="assets-detail", className="small"),
            ])),
            html.Div(className="col-xl-5", children=html.Div(className="panel", children=[
                dbc.Tabs(id="assets-tabs", active_tab="act", children=[  # the register's everyday act first
                    # each form only for the roles that may act (the load callback shows it, or says why not)
                    dbc.Tab(guarded("assets-act-form", _act_tab()), label="处置·出租·抵押", tab_id="act"),
                    dbc.Tab(guarded("assets-card-form", _card_tab()), label="新增/更正", tab_id="card"),
                    dbc.Tab(guarded("assets-reval-form", _reval_tab()), label="重估", tab_id="reval"),
                    dbc.Tab(guarded("assets-dep-form", _dep_tab()), label="计提折旧", tab_id="dep"),
                ]),
            ])),
        ]),
    ])
