"""信用修复: the applications (a subject's own, or a county's), the apply form with evidence, the
data unit's decision, and the data unit's 全量重新评价 (a background job with a progress bar)."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.attachments import upload_field
from components.grid import data_grid
from components.readonly import guarded
from domain.credit import repair, scoring
from domain.permissions import Action

dash.register_page(__name__, group="林业信用", path="/credit/repair", name="信用修复", order=96, title="信用修复",
                   permission=(Action.CREDIT_REPAIR_APPLY, Action.CREDIT_REPAIR_DECIDE))

COLUMNS = [
    {"field": "id", "headerName": "编号", "maxWidth": 90},
    {"field": "subject", "headerName": "信用主体"},
    {"field": "title", "headerName": "失信信息", "minWidth": 200, "tooltipField": "title"},
    {"field": "severity", "headerName": "严重程度", "maxWidth": 110},
    {"field": "occurred_on", "headerName": "认定日期", "maxWidth": 130},
    {"field": "publicity_until", "headerName": "公示截止", "maxWidth": 130},
    {"field": "applicant", "headerName": "申请人"},
    {"field": "applied_at", "headerName": "申请时间"},
    {"field": "evidence", "headerName": "证明材料（份）", "maxWidth": 130},
    {"field": "status_label", "headerName": "状态", "maxWidth": 120},
    {"field": "decided_at", "headerName": "决定时间"},
    {"field": "comment", "headerName": "决定意见", "tooltipField": "comment"},
]

RULES = ("失信信息在最短公示期满后方可申请信用修复（一般失信信息最短 3 个月，严重失信信息最短 1 年）；"
         "申请须写明理由并上传已履行义务、纠正失信行为的证明材料，由数据管理单位决定。"
         "批准后该失信信息不再计入信用评价，并即时重新评价信用分。")


def _apply_form():
    return html.Div([
        dbc.Label("失信信息", html_for="cr-record"),
        dcc.Dropdown(id="cr-record", options=[], placeholder="选择要修复的失信信息"),
        html.Div(id="cr-record-error", className="invalid-feedback d-block"),
        dbc.Label("申请理由", html_for="cr-reason", className="mt-2"),
        dbc.Textarea(id="cr-reason", maxLength=repair.REASON_MAX, rows=3, placeholder="已履行的义务、纠正失信行为的情况"),
        html.Div(id="cr-reason-error", className="invalid-feedback d-block"),
        html.Div(className="mt-2", children=upload_field("cr-evidence", "证明材料（必填）")),
        dbc.Button("提交修复申请", id="cr-apply", color="primary"),
        html.Div(id="cr-apply-result", className="mt-2"),
    ])


def _decide_form():
    return html.Div([
        html.Div(id="cr-selected", className="mb-2", children=html.Div("请在上表选择一条待决定的申请。",
                                                                       className="text-muted")),
        html.Div(id="cr-preview"),
        dbc.Label("证明材料", html_for="cr-evidence-file"),
        html.Div(className="d-flex gap-2", children=[
            dcc.Dropdown(id="cr-evidence-file", options=[], placeholder="选择文件", style={"flex": "1"}),
            dbc.Button("下载", id="cr-evidence-download", color="secondary", outline=True, size="sm"),
        ]),
        dcc.Download(id="cr-download"),
        dbc.Label("决定意见", html_for="cr-comment", className="mt-2"),
        dbc.Textarea(id="cr-comment", maxLength=repair.COMMENT_MAX, rows=2, placeholder="不予修复须写明理由"),
        html.Div(id="cr-comment-error", className="invalid-feedback d-block"),
        html.Div(className="mt-2 d-flex gap-2", children=[
            dbc.Button("批准修复", id="cr-approve", color="success"),
            dbc.Button("不予修复", id="cr-reject", color="danger", outline=True),
        ]),
        html.Div(id="cr-decide-result", className="mt-2"),
    ])


def _evaluate_panel():
    bands = "、".join(f"{g} 级 ≥ {lo} 分" for g, lo in scoring.GRADES if lo > scoring.MIN_SCORE)
    return html.Div([
        html.P(f"按信用评价模型（{scoring.MODEL_VERSION}）重新计算全部信用主体的信用分和等级：{bands}，其余为 D 级；"
               f"{scoring.UNRATED_LABEL}的主体不评级。", className="text-muted small"),
        html.Div(className="d-flex gap-2", children=[
            dbc.Button("全量重新评价", id="cr-eval-run", color="primary"),
            dbc.Button("取消", id="cr-eval-cancel", color="secondary", outline=True, disabled=True),
        ]),
        html.Div(id="cr-eval-progress-box", style={"display": "none"}, className="mt-3", children=[
            dbc.Progress(id="cr-eval-progress", value=0, label="", striped=True, animated=True, style={"height": "1.4rem"}),
        ]),
        html.Div(id="cr-eval-result", className="mt-2"),
        # the queued job (data/jobs), polled once a second until it ends
        dcc.Store(id="cr-eval-job"), dcc.Interval(id="cr-eval-poll", interval=1000, disabled=True),
    ])


def layout(**_):
    return html.Div([
        dcc.Store(id="cr-refresh", data=0),
        html.Div(className="panel", children=[
            html.H2("信用修复申请"),
            html.P(RULES, className="text-muted small"),
            data_grid("cr-grid", COLUMNS, height="380px", selectable=True),
        ]),
        html.Div(className="row g-3 mt-1", children=[
            html.Div(className="col-xl-6", children=html.Div(className="panel", children=[
                html.H2("申请信用修复"), guarded("cr-apply-tools", _apply_form())])),
            html.Div(className="col-xl-6", children=html.Div(className="panel", children=[
                html.H2("决定修复申请"), guarded("cr-decide-tools", _decide_form())])),
        ]),
        html.Div(className="panel mt-3", children=[html.H2("信用评价"), guarded("cr-eval-tools", _evaluate_panel())]),
    ])
