"""预警处置: the warnings of the user's jurisdiction and their lifecycle — acknowledge, handle
with notes and attachments, verify by the level above, close or reopen — with the rule, the
article it enforces, the evidence records and the whole handling trail. `#warning=<id>` in the
URL opens one warning (the heatmap page links here)."""
from domain.permissions import Action
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.attachments import upload_field
from components.dialogs import WARNING_CLOSE as CLOSE_DIALOG
from components.form import form_field
from components.grid import data_grid
from domain.supervision.lifecycle import STEP_BUTTONS

dash.register_page(__name__, group="监督预警", path="/warnings", name="预警处置", order=20, title="监督预警处置",
                   permission=Action.WARNING_WORK)

#: a deadline counted over a year whose holiday schedule is not published yet (domain.calendar)
PROVISIONAL = {"function": "params.value && params.data && params.data.due_provisional"
                           " ? params.value + '（暂定）' : params.value"}
COLUMNS = [
    {"field": "id", "headerName": "编号", "maxWidth": 90, "filter": "agNumberColumnFilter"},
    {"field": "severity_label", "headerName": "级别", "maxWidth": 80,
     "cellClassRules": {"sev-high": "params.data.severity == 3", "sev-mid": "params.data.severity == 2"}},
    {"field": "rule_name", "headerName": "规则", "minWidth": 150, "tooltipField": "rule_name"},
    {"field": "region_name", "headerName": "村（社区）", "minWidth": 100},
    {"field": "title", "headerName": "预警内容", "minWidth": 220, "tooltipField": "title"},
    {"field": "status_label", "headerName": "状态", "maxWidth": 110},
    {"field": "assigned_name", "headerName": "责任单位"}, {"field": "due_on", "headerName": "办理期限", "maxWidth": 150,
                                                          "tooltipField": "due_note", "valueFormatter": PROVISIONAL},
    {"field": "overdue_label", "headerName": "逾期", "maxWidth": 80, "cellClassRules": {"sev-high": "params.value"}},
]
#: the step buttons: one per lifecycle step, each labelled with what it does; the detail shows those
#: this user may take now (none of them is the next step of another: a second click never closes)
STEP_COLORS = {"acknowledge": "primary", "handle": "primary", "verify": "success", "reopen": "warning",
               "close": "danger"}
STATUS_FILTER = [{"label": "未关闭", "value": "open"}, {"label": "已关闭", "value": "closed"},
                 {"label": "全部", "value": "all"}]


def layout(**_):
    return html.Div([
        dcc.Store(id="warn-refresh", data=0),
        dcc.Store(id="warn-selected"),
        dcc.Download(id="warn-download"),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-7", children=html.Div(className="panel", children=[
                html.Div(className="d-flex justify-content-between align-items-center flex-wrap gap-2", children=[
                    html.H2("辖区预警（选择一条查看证据并办理）"),
                    html.Div(className="d-flex gap-2 align-items-center", children=[
                        dcc.Dropdown(id="warn-status", options=STATUS_FILTER, value="open", clearable=False,
                                     style={"width": "120px"}),
                        dcc.Dropdown(id="warn-rule", placeholder="全部规则", style={"width": "240px"}),
                        dbc.Button("导出Excel", id="warn-export", size="sm", color="secondary", outline=True),
                    ]),
                ]),
                html.Div(id="warn-count", className="small text-muted mb-1"),
                data_grid("warn-grid", COLUMNS, selectable=True, height="640px"),
            ])),
            html.Div(className="col-xl-5", children=html.Div(className="panel", children=[
                html.H2("预警详情"),
                html.Div(id="warn-detail", children=html.P("请在左侧选择一条预警。", className="text-muted")),
                html.Hr(),
                html.H2("办理"),
                html.Div(id="warn-actions-note", className="small text-muted mb-2"),
                html.Div(id="warn-form", hidden=True, children=[
                    form_field("办理说明", dbc.Textarea(id="warn-note", rows=3, maxLength=2000,
                                                    placeholder="核查经过、整改措施、处理结果……（办理、退回须至少10个字）"),
                               "warn-note"),
                    upload_field("warn-files", "附件（整改材料、凭证照片等）"),
                ]),
                html.Div(className="d-flex flex-wrap gap-2 mt-1", children=[
                    html.Div(id=f"warn-step-{a}-tools", hidden=True, children=dbc.Button(
                        label, id=f"warn-step-{a}", color=STEP_COLORS[a], outline=a == "reopen"))
                    for a, label in STEP_BUTTONS.items()]),
                html.Div(id="warn-action-error", className="invalid-feedback d-block"),
                html.Div(id="warn-result", className="mt-2"),
                *CLOSE_DIALOG.draw(),
            ])),
        ]),
    ])
