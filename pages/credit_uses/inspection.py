"""执法检查计划 (Art. X33): random inspection plans by credit grade, reproducible from their seed."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.credit_uses import export_bar
from components.grid import data_grid
from domain.credit.inspection import BANDS, DEFAULT_RATES, GRADE_LABELS, GRADES
from domain.permissions import Action
from domain.citations import credit_article

dash.register_page(__name__, group="林业信用", landing=10, path="/credit/inspection", name="执法检查计划", order=132,
                   permission=Action.CREDIT_INSPECTION_PLAN, title="按信用等级抽取执法检查对象")

PLAN_COLUMNS = [
    {"field": "id", "headerName": "计划编号", "maxWidth": 100}, {"field": "period", "headerName": "检查期间", "maxWidth": 120},
    {"field": "region_name", "headerName": "区域"},
    {"field": "sizes_text", "headerName": "抽取数/主体数（按等级）", "minWidth": 300, "tooltipField": "sizes_text"},
    {"field": "total", "headerName": "检查对象数", "maxWidth": 110}, {"field": "seed", "headerName": "随机种子", "minWidth": 180},
    {"field": "created_by", "headerName": "编制人", "maxWidth": 130}, {"field": "created_text", "headerName": "编制时间"},
]
ITEM_COLUMNS = [
    {"field": "grade", "headerName": "信用等级", "maxWidth": 110}, {"field": "name", "headerName": "检查对象"},
    {"field": "identifier", "headerName": "证件号码/统一社会信用代码", "minWidth": 190},
    {"field": "region_name", "headerName": "所属区域"}, {"field": "address", "headerName": "地址"},
]


def _rates():
    head = html.Thead(html.Tr([html.Th("信用等级"), html.Th("抽查比例范围"), html.Th("本次抽查比例（%）")]))
    rows = []
    for g in GRADES:
        lo, hi = BANDS[g]
        rows.append(html.Tr([html.Td(GRADE_LABELS[g]), html.Td(f"{lo}% – {hi}%"), html.Td([
            dcc.Input(id=f"credit-insp-rate-{g}", type="text", value=str(DEFAULT_RATES[g]), size="6",
                      className="form-control form-control-sm"),
            html.Div(id=f"credit-insp-rate-{g}-error", className="invalid-feedback d-block")])]))
    return html.Table([head, html.Tbody(rows)], className="table table-sm w-auto", id="credit-insp-rates")


def layout(**_):
    return html.Div([
        dcc.Store(id="credit-insp-refresh", data=0),
        html.Div(className="panel", children=[
            html.H2("编制执法检查计划"),
            html.P(f"{credit_article('inspection', True)}：执法部门依据信用评价情况对检查对象采取不同的检查频率。"
                   "每个等级的抽取数 = ⌈抽查比例 × 本区域该等级主体数⌉；按主体编号排序后用随机种子抽取，种子随计划记录，"
                   "同一种子、同一主体名单可复现同一结果。未评级（新主体，无历史记录）默认按B级比例抽查。",
                   className="text-muted small"),
            html.Div(className="row g-3", children=[
                html.Div(_rates(), className="col-md-6"),
                html.Div(className="col-md-6", children=[
                    dbc.Label("区域", html_for="credit-insp-region"),
                    dcc.Dropdown(id="credit-insp-region", clearable=False),
                    html.Div(id="credit-insp-region-error", className="invalid-feedback d-block"),
                    dbc.Label("检查期间（2026、2026Q4 或 2026-11）", html_for="credit-insp-period", className="mt-2"),
                    dcc.Input(id="credit-insp-period", type="text", className="form-control"),
                    html.Div(id="credit-insp-period-error", className="invalid-feedback d-block"),
                    dbc.Label("随机种子（留空则自动生成并记录）", html_for="credit-insp-seed", className="mt-2"),
                    dcc.Input(id="credit-insp-seed", type="text", className="form-control"),
                    html.Div(id="credit-insp-seed-error", className="invalid-feedback d-block"),
                    dbc.Button("随机抽取并保存计划", id="credit-insp-draw", color="primary", className="mt-3"),
                ]),
            ]),
            html.Div(id="credit-insp-result", className="mt-2"),
        ]),
        html.Div(className="panel", children=[
            html.H2("检查计划"),
            data_grid("credit-insp-plans", PLAN_COLUMNS, selectable=True, height="280px"),
            html.Div(className="d-flex gap-2 align-items-center my-2", children=[
                dbc.Button("按记录的种子复核", id="credit-insp-verify", color="secondary", outline=True, size="sm"),
                export_bar("credit-insp")]),
            html.Div(id="credit-insp-verify-result", className="small mb-2"),
            html.H3("所选计划的检查对象", className="h6"),
            data_grid("credit-insp-items", ITEM_COLUMNS, height="360px"),
        ]),
    ])
