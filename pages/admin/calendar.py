"""工作日历: the State Council's yearly holiday schedules the working-day deadlines count in."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.form import form_field
from components.grid import data_grid
from components.locale import date_picker
from components.readonly import guarded
from domain.calendar.entry import MAX_YEAR, MIN_YEAR
from domain.permissions import Action

dash.register_page(__name__, group="平台管理", path="/admin/calendar", name="工作日历", order=84, permission=Action.ADMIN_VIEW,
                   title="工作日历")

COLUMNS = [
    {"field": "year", "headerName": "年份", "maxWidth": 100}, {"field": "source", "headerName": "放假安排来源"},
    {"field": "revision", "headerName": "版本", "maxWidth": 90}, {"field": "holidays", "headerName": "节假日", "maxWidth": 100},
    {"field": "makeup_days", "headerName": "调休上班", "maxWidth": 110}, {"field": "entered_by", "headerName": "录入人"},
    {"field": "entered_at", "headerName": "录入时间"},
]
HOLIDAYS_HELP = "每行一个节假日：名称 起始日期 至 结束日期，例如“春节 2027-02-06 至 2027-02-13”；一天的假期只写一个日期。"
MAKEUP_HELP = "调休上班的周六、周日，用空格、逗号或换行分隔，例如“2027-02-20 2027-10-09”。"


def layout(**_):
    return html.Div([
        dcc.Store(id="cal-refresh", data=0), dcc.Store(id="cal-revision", data=0),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-7", children=html.Div(className="panel", children=[
                html.H2("法定节假日安排"),
                html.P("期限按工作日计（预警办理、数据申请十个工作日内答复）。国务院办公厅每年发布次年放假安排后，"
                       "由省级平台管理员在此录入；尚未发布的年份按周一至周五计算，相关期限标注“暂定”。"
                       "元旦（1月1日）、劳动节（5月1日）、国庆节（10月1日至3日）在任何年份都不计为工作日。",
                       className="text-muted small"),
                data_grid("cal-grid", COLUMNS, selectable=True, height="300px"),
                html.Div(id="cal-detail", className="mt-2"),
                html.H3("期限试算", className="h6 mt-3"),
                html.Div(className="row g-2 align-items-end", children=[
                    html.Div(form_field("起算日期", date_picker("cal-trial-start"), "cal-trial-start", "mb-0"),
                             className="col-sm-5"),
                    html.Div(form_field("工作日数", dbc.Input(id="cal-trial-days", type="number", min=0, max=365, value=10),
                                        "cal-trial-days", "mb-0"), className="col-sm-3"),
                    html.Div(dbc.Button("计算期限", id="cal-trial", color="secondary", size="sm"), className="col-sm-4"),
                ]),
                html.Div(id="cal-trial-result", className="mt-2"),
            ])),
            html.Div(className="col-xl-5", children=html.Div(className="panel", children=[
                html.H2("录入或修订一年的放假安排"),
                guarded("cal-form", [
                    form_field("年份", dbc.Input(id="cal-year", type="number", min=MIN_YEAR, max=MAX_YEAR), "cal-year"),
                    form_field("节假日", dbc.Textarea(id="cal-holidays", maxLength=1200, rows=8), "cal-holidays"),
                    html.Div(HOLIDAYS_HELP, className="form-text mt-0 mb-2"),
                    form_field("调休上班日", dbc.Textarea(id="cal-makeup", maxLength=400, rows=3), "cal-makeup"),
                    html.Div(MAKEUP_HELP, className="form-text mt-0 mb-2"),
                    dbc.Button("保存放假安排", id="cal-save", color="primary", className="mt-2"),
                    html.Div(id="cal-save-result", className="mt-2"),
                ]),
            ])),
        ]),
    ])
