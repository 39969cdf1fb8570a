"""阳光公开 (Art. J19): the village prepares its financial disclosures from the books, the members'
financial oversight group reviews them, the township approves or returns them, then they are
published and never change (a correction is a new, linked disclosure); members' questions are
answered here."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.citation import cited
from components.dialogs import DISCLOSURE_DECISION as DECISION
from components.form import form_field
from components.grid import data_grid
from components.readonly import guarded
from domain.citations import Cite
from domain.disclosure import CATEGORIES, KINDS, STATES
from domain.permissions import Action

dash.register_page(__name__, group="三资业务", path="/disclosure", name="阳光公开", order=16, title="阳光公开（财务公开）",
                   permission=Action.DISCLOSURE_VIEW)

COLUMNS = [
    {"field": "id", "headerName": "编号", "maxWidth": 90},
    {"field": "org", "headerName": "集体经济组织", "minWidth": 200},
    {"field": "kind_label", "headerName": "类型", "maxWidth": 150},
    {"field": "period_text", "headerName": "期间", "minWidth": 130, "cellDataType": "text"},
    {"field": "title", "headerName": "标题", "minWidth": 220},
    {"field": "state_label", "headerName": "状态", "minWidth": 150},
    {"field": "due_on", "headerName": "应公开日期", "maxWidth": 140},
    {"field": "published_on", "headerName": "公开日期", "maxWidth": 140},
    {"field": "open_questions", "headerName": "待答复提问", "maxWidth": 120, "type": "rightAligned"},
]
QUESTION_COLUMNS = [
    {"field": "id", "headerName": "编号", "maxWidth": 90}, {"field": "disclosure_id", "headerName": "公开编号", "maxWidth": 110},
    {"field": "asker", "headerName": "提问成员", "maxWidth": 130}, {"field": "question", "headerName": "问题", "minWidth": 240,
                                                              "tooltipField": "question"},
    {"field": "asked_at", "headerName": "提问时间", "minWidth": 150}, {"field": "state", "headerName": "状态", "maxWidth": 100},
    {"field": "answer", "headerName": "答复", "minWidth": 200, "tooltipField": "answer"},
]
STATE_OPTIONS = [{"label": "全部", "value": "all"}] + [{"label": v, "value": k} for k, v in STATES.items()]


def _f(label, component, fid):
    return form_field(label, component, fid, label_class="small mb-1")


def layout(**_):
    return html.Div([
        dcc.Store(id="disc-refresh", data=0), dcc.Store(id="disc-target"), dcc.Store(id="disc-q-target"),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-8", children=[
                html.Div(className="panel", children=[
                    html.Div(className="d-flex flex-wrap justify-content-between align-items-center gap-2", children=[
                        html.H2("财务公开", className="mb-0"),
                        dcc.Dropdown(id="disc-state", options=STATE_OPTIONS, value="all", clearable=False,
                                     style={"minWidth": "200px"}),
                    ]),
                    html.P(cited("财务数据应公开尽公开，成员可查询本组织财务公开数据", Cite.DISCLOSURE)
                           + "。至少每季度公开一次，业务量大的按月公开，重大事项即时公开；"
                           "公开前须经民主理财小组审核、乡镇审核同意；公开后不能修改，错误通过更正公开纠正。",
                           className="text-muted small"),
                    data_grid("disc-grid", COLUMNS, selectable=True, height="380px"),
                ]),
                html.Div(className="panel mt-3", children=[
                    html.H2("公开内容与审核"),
                    html.Div(id="disc-detail", children=html.P("请在上表中选择一份财务公开。", className="text-muted")),
                    html.Div(id="disc-step-result", className="mt-2"),
                    html.Div(className="d-flex flex-wrap gap-2 mt-2", children=[
                        dbc.Button("保存修改并按账簿重新生成", id="disc-edit", color="primary", size="sm", disabled=True),
                        dbc.Button("乡镇审核同意…", id="disc-approve", color="success", size="sm", disabled=True),
                        dbc.Button("乡镇退回…", id="disc-return", color="warning", size="sm", disabled=True),
                        dbc.Button("公开", id="disc-publish", color="success", size="sm", disabled=True),
                        dbc.Button("发起更正", id="disc-correct", color="secondary", size="sm", disabled=True),
                    ]),
                    html.Div(id="disc-edit-form", hidden=True, className="mt-3", children=[
                        _f("标题", dbc.Input(id="disc-edit-title", maxLength=100, size="sm"), "disc-edit-title"),
                        _f("说明（可选）", dbc.Textarea(id="disc-edit-notes", maxLength=2000, rows=3), "disc-edit-notes"),
                    ]),
                    guarded("disc-review-form", className="mt-3", children=[
                        html.H3("民主理财小组审核", className="h6"),
                        _f("参加审核的小组成员", dbc.Input(id="disc-reviewers", maxLength=200, size="sm",
                                                    placeholder="如：王某某（组长）、李某某、赵某某"), "disc-reviewers"),
                        _f("审核意见（退回时必填）", dbc.Textarea(id="disc-review-opinion", maxLength=500, rows=2),
                           "disc-review-opinion"),
                        html.Div(className="d-flex gap-2", children=[
                            dbc.Button("审核通过", id="disc-review-ok", color="success", size="sm", disabled=True),
                            dbc.Button("退回编制人", id="disc-review-back", color="warning", size="sm", disabled=True)]),
                    ]),
                    *DECISION.draw(),
                ]),
            ]),
            html.Div(className="col-xl-4", children=[
                html.Div(className="panel", children=[
                    html.H2("编制财务公开"),
                    html.P("内容按所选期间的已记账凭证自动生成（收入、支出分科目，资金余额，债权债务，大额支出，收益分配），"
                           "编制人只填写说明。", className="text-muted small"),
                    guarded("disc-prepare-form", [
                        _f("集体经济组织", dcc.Dropdown(id="disc-org", placeholder="选择集体经济组织"), "disc-org"),
                        html.Div(id="disc-frequency", className="small text-muted mb-2"),
                        _f("公开类型", dbc.RadioItems(id="disc-kind", value="quarter", inline=True,
                                                   options=[{"label": v, "value": k} for k, v in KINDS.items()]),
                           "disc-kind"),
                        _f("期间（季度 2026Q3 / 月份 202609 / 重大事项日期 2026-09-15）",
                           dbc.Input(id="disc-period", maxLength=10, size="sm"), "disc-period"),
                        _f("公开内容类别（重大事项）", dcc.Dropdown(id="disc-category", options=list(CATEGORIES)),
                           "disc-category"),
                        _f("标题（可不填，按期间生成）", dbc.Input(id="disc-title", maxLength=100, size="sm"), "disc-title"),
                        _f("说明（可选）", dbc.Textarea(id="disc-notes", maxLength=2000, rows=3), "disc-notes"),
                        dbc.Button("生成草稿", id="disc-prepare", color="primary", className="mt-1"),
                        html.Div(id="disc-prepare-result", className="mt-2"),
                    ]),
                ]),
                html.Div(className="panel mt-3", children=[
                    html.H2("成员提问"),
                    data_grid("disc-q-grid", QUESTION_COLUMNS, selectable=True, height="260px"),
                    guarded("disc-answer-form", className="mt-2", children=[
                        _f("答复", dbc.Textarea(id="disc-answer", maxLength=1000, rows=3), "disc-answer"),
                        dbc.Button("提交答复", id="disc-answer-submit", color="primary", size="sm"),
                        html.Div(id="disc-answer-result", className="mt-2"),
                    ]),
                ]),
            ]),
        ]),
    ])
