"""基础数据: a village's level-1 base data, its level-2 figures from the books, the member roll,
the change (or, after the lock, correction) form and its chain of changes (Art. J11–J14)."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.basedata import FORM
from components.citation import cited
from components.grid import data_grid
from components.readonly import guarded
from domain.basedata.rules import FIELDS
from domain.citations import Cite
from domain.permissions import Action

dash.register_page(__name__, group="数据管理", path="/basedata", name="基础数据", order=30, permission=Action.BASEDATA_VIEW,
                   title="基础数据")

FIELD_KEYS = tuple(f.key for f in FIELDS)
ROLL = [{"field": "name", "headerName": "姓名"}, {"field": "id_number", "headerName": "身份证号"},
        {"field": "shares", "headerName": "股份（股）", "type": "numericColumn", "maxWidth": 120},
        {"field": "official", "headerName": "职务"}]


def layout(**_):
    return html.Div([
        dcc.Store(id="bd-init", data=0), dcc.Store(id="bd-refresh", data=0), dcc.Store(id="bd-profile"),
        html.Div(className="panel", children=[
            html.Div(className="d-flex flex-wrap align-items-center gap-3", children=[
                html.H2("基础数据", className="mb-0"),
                html.Div(dcc.Dropdown(id="bd-org", placeholder="选择村集体经济组织", clearable=False),
                         style={"minWidth": "320px"}),
                html.Span(id="bd-lock-state"),
            ]),
            html.P(cited("一级基础数据由村级发起变更（附凭据或理由）、乡镇审核同意后实施，系统自动备案",
                         Cite.BASE_DATA_UPDATE) + "；" + cited("试运行结束后基础数据锁定，更正须经乡镇申请、县级同意，"
                                                              "并报市、省备案", Cite.BASE_DATA_LOCK) + "。",
                   className="text-muted small mb-0 mt-2"),
            html.Div(id="bd-lock-note", className="mt-2"),
        ]),
        html.Div(className="row g-3 mt-0", children=[
            html.Div(className="col-xl-4", children=html.Div(className="panel", children=[
                html.H2("一级基础数据"), html.Div(id="bd-values-box"),
                html.Div(id="bd-members-total", className="small text-muted mt-2"),
            ])),
            html.Div(className="col-xl-4", children=html.Div(className="panel", children=[
                html.H2("二级基础数据（由账簿自动生成，只读）"),
                html.P(cited("货币资金、债权债务、资产总额由平台根据账簿自动更新，不需人工录入", Cite.BASE_DATA) + "。",
                       className="text-muted small"),
                html.Div(id="bd-level2"),
            ])),
            html.Div(className="col-xl-4", children=html.Div(className="panel", children=[
                html.H2("成员名册（股份）"), data_grid("bd-roll", ROLL, height="320px"),
            ])),
        ]),
        html.Div(className="row g-3 mt-0", children=[
            html.Div(className="col-xl-6", children=html.Div(className="panel", children=[
                html.H2(id="bd-form-title", children="发起变更"),
                guarded("bd-form-section", [
                    html.P("只填写需要变更的项目，留空表示不变；面积单位为亩，最多两位小数。", className="muted-note"),
                    html.Div(FORM.draw(*FIELD_KEYS, "member_id", "shares", "reason"), className="row g-2"),
                    html.Div(id="bd-evidence-box", hidden=True, children=FORM.draw("evidence")),
                    FORM.field("document"),
                    dbc.Button("提交", id="bd-submit", color="primary"),
                    FORM.form_error(),
                    html.Div(id="bd-submit-result", className="mt-2"),
                ]),
            ])),
            html.Div(className="col-xl-6", children=html.Div(className="panel", children=[
                html.H2("变更与更正记录（备案）"), html.Div(id="bd-chain"),
            ])),
        ]),
    ])
