"""林业信用开放数据 (Art. X38): unconditional-open records for download, by kind."""
import dash
from dash import dcc, html

from components.credit_uses import RECORD_COLUMNS, export_bar
from components.grid import data_grid
from domain.credit.codes import RECORD_KINDS
from domain.permissions import Action
from domain.citations import credit_article

dash.register_page(__name__, group="林业信用", path="/credit/open", name="信用开放数据", order=134,
                   permission=Action.CREDIT_OPEN_DOWNLOAD, title="林业信用无条件开放数据")

KIND_OPTIONS = [{"label": "全部类别", "value": ""}] + [{"label": label, "value": k} for k, (_, label) in RECORD_KINDS.items()]


def layout(**_):
    return html.Div(className="panel", children=[
        html.H2("林业信用无条件开放数据"),
        html.P(f"{credit_article('open', True)}：开放属性为“无条件开放”且仍有效的记录（失信信息仅在公示期内）。"
               "自然人的姓名和证件号码一律脱敏；同样的数据也可通过数据接口（数据集 credit_open_records）获取。",
               className="text-muted small"),
        html.Div(className="d-flex gap-3 align-items-end flex-wrap mb-2", children=[
            html.Div([html.Label("记录类别", htmlFor="credit-open-kind", className="form-label mb-0"),
                      dcc.Dropdown(id="credit-open-kind", options=KIND_OPTIONS, value="", clearable=False,
                                   style={"minWidth": "260px"})]),
            export_bar("credit-open"),
        ]),
        html.Div(id="credit-open-summary", className="small mb-2"),
        dcc.Loading(data_grid("credit-open-grid", RECORD_COLUMNS, height="560px"), type="dot"),
    ])
