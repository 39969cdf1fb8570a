"""联合惩戒名单 (Art. X34): the subjects with dishonest records in publicity on a chosen date."""
import dash
from dash import dcc, html

from components.credit_uses import PUNISHMENT_COLUMNS, export_bar
from components.grid import data_grid
from components.locale import date_picker
from domain import clock
from domain.permissions import Action
from domain.citations import credit_article

dash.register_page(__name__, group="林业信用", path="/credit/punishment", name="联合惩戒名单", order=131,
                   permission=Action.CREDIT_PUNISHMENT_VIEW, title="林业信用联合惩戒名单")


def layout(**_):
    return html.Div([
        html.Div(className="panel", children=[
            html.H2("联合惩戒名单"),
            html.P(f"{credit_article('punishment', True)}：失信信息有效、且在所选日期仍处于公示期内（含公示期最后一日）"
                   "的信用主体及其失信记录；公示期满后自动移出名单。合同相对方或收款人在名单上时，监督预警规则"
                   "“合同相对方或收款人在联合惩戒名单上”向所在村推送预警。", className="text-muted small"),
            html.Div(className="d-flex gap-3 align-items-end flex-wrap mb-2", children=[
                html.Div([html.Label("名单日期", htmlFor="credit-pun-date", className="form-label mb-0 d-block"),
                          date_picker("credit-pun-date", date=clock.today().isoformat())]),
                export_bar("credit-pun"),
            ]),
            html.Div(id="credit-pun-summary", className="small mb-2"),
            dcc.Loading(data_grid("credit-pun-grid", PUNISHMENT_COLUMNS, height="560px"), type="dot"),
        ]),
    ])
