"""林业信用共享数据 (Art. X40): unconditional-shared records for public bodies."""
import dash
from dash import dcc, html

from components.credit_uses import RECORD_COLUMNS, export_bar
from components.grid import data_grid
from domain.credit.codes import RECORD_KINDS
from domain.permissions import Action
from domain.citations import credit_article

dash.register_page(__name__, group="林业信用", landing=10, path="/credit/shared", name="信用共享数据", order=135,
                   permission=Action.CREDIT_SHARED_READ, title="林业信用无条件共享数据")

KIND_OPTIONS = [{"label": "全部类别", "value": ""}] + [{"label": label, "value": k} for k, (_, label) in RECORD_KINDS.items()]


def layout(**_):
    return html.Div(className="panel", children=[
        html.H2("林业信用无条件共享数据"),
        html.P(f"{credit_article('sharing', True)}：其他公共管理和服务机构可批量下载共享属性为“无条件共享”且仍有效的记录，"
               "仅供本单位履行职责使用，未经数据管理单位同意不得提供给第三方。证件号码脱敏；有条件共享的数据请另行申请。",
               className="text-muted small"),
        html.Div(className="d-flex gap-3 align-items-end flex-wrap mb-2", children=[
            html.Div([html.Label("记录类别", htmlFor="credit-shared-kind", className="form-label mb-0"),
                      dcc.Dropdown(id="credit-shared-kind", options=KIND_OPTIONS, value="", clearable=False,
                                   style={"minWidth": "260px"})]),
            export_bar("credit-shared"),
        ]),
        html.Div(id="credit-shared-summary", className="small mb-2"),
        dcc.Loading(data_grid("credit-shared-grid", RECORD_COLUMNS, height="560px"), type="dot"),
    ])
