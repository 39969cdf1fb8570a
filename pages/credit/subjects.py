"""信用主体: the credit subjects of the user's jurisdiction (Art. X5, X19) — search by name or
identifier, filter by kind, region and grade, export; county and provincial forestry bureaus
register new subjects (resident ID or unified social credit code, check digits validated)."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.form import form_field
from components.grid import data_grid
from domain.credit.codes import SUBJECT_KINDS
from domain.identifiers import OTHER_ID_TYPES
from domain.permissions import Action

dash.register_page(__name__, group="林业信用", path="/credit/subjects", name="信用主体", order=201, title="信用主体",
                   permission=Action.CREDIT_SUBJECT_VIEW)

COLUMNS = [
    {"field": "link", "headerName": "名称", "cellRenderer": "markdown", "minWidth": 180},
    {"field": "kind", "headerName": "类型", "maxWidth": 140},
    {"field": "identifier", "headerName": "证件号码", "minWidth": 190},
    {"field": "region_code", "headerName": "所在地区代码", "minWidth": 140},
    {"field": "grade", "headerName": "信用等级", "maxWidth": 110},
    {"field": "score", "headerName": "信用分", "maxWidth": 100, "type": "rightAligned"},
]
GRADES = [{"label": g, "value": g} for g in ("A", "B", "C", "D")] + [{"label": "未评级", "value": "unrated"}]
KINDS = [{"label": v, "value": k} for k, v in SUBJECT_KINDS.items()]


def layout(**_):
    form = html.Div(className="panel", id="cs-form-panel", hidden=True, children=[
        html.H2("登记信用主体"),
        html.P("自然人以居民身份证号码登记（无身份证的以其他有效证件），法人、其他涉林生产组织和个体工商户以统一社会信用代码登记；"
               "一个证件号码只能登记一个信用主体。", className="text-muted small"),
        form_field("主体类型", dcc.Dropdown(id="cs-new-kind", options=KINDS, value="natural", clearable=False), "cs-new-kind"),
        form_field("其他证件类型（无居民身份证的自然人）",
                   dcc.Dropdown(id="cs-new-other-type", options=[{"label": v, "value": k} for k, v in OTHER_ID_TYPES.items()],
                                placeholder="使用居民身份证时不选"), "cs-new-other-type"),
        form_field("证件号码", dbc.Input(id="cs-new-identifier", maxLength=40), "cs-new-identifier"),
        form_field("名称（姓名）", dbc.Input(id="cs-new-name", maxLength=200), "cs-new-name"),
        form_field("法定代表人（负责人）", dbc.Input(id="cs-new-legal-rep", maxLength=50), "cs-new-legal-rep"),
        form_field("联系电话", dbc.Input(id="cs-new-phone", maxLength=20), "cs-new-phone"),
        form_field("地址", dbc.Input(id="cs-new-address", maxLength=200), "cs-new-address"),
        form_field("所在村或县（12位区划代码）", dbc.Input(id="cs-new-region", maxLength=12, inputMode="numeric"),
                   "cs-new-region"),
        dbc.Button("登记", id="cs-new-submit", color="primary"),
        html.Div(id="cs-new-result", className="mt-2"),
    ])
    return html.Div([
        dcc.Store(id="cs-refresh", data=0),
        dcc.Download(id="cs-download"),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-8", children=html.Div(className="panel", children=[
                html.H2("信用主体"),
                html.Div(className="row g-2 mb-2", children=[
                    html.Div(dcc.Dropdown(id="cs-kind", options=KINDS, placeholder="全部类型"), className="col-md-3"),
                    html.Div(dbc.Input(id="cs-region", maxLength=12, placeholder="地区代码（含下级）"), className="col-md-3"),
                    html.Div(dcc.Dropdown(id="cs-grade", options=GRADES, placeholder="全部等级"), className="col-md-2"),
                    html.Div(dbc.Input(id="cs-text", maxLength=40, placeholder="名称或完整证件号码"), className="col-md-4"),
                ]),
                html.Div(className="d-flex gap-2 mb-2", children=[
                    dbc.Button("查询", id="cs-search", color="primary", size="sm"),
                    dbc.Button("导出 Excel", id="cs-export", color="light", size="sm"),
                ]),
                html.Div(id="cs-summary", className="muted-note mb-1"),
                data_grid("cs-grid", COLUMNS, height="560px"),
            ])),
            html.Div(form, className="col-xl-4"),
        ]),
    ])
