"""数据共享申请: an external unit's or a city's / county's application for platform data, its risk
assessment, the signed confidentiality commitment and the province's decision, which issues the
API key shown once (Art. J23–J24; Art. X39–X40: answered within ten working days)."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.citation import cited
from components.dialogs import DATA_REQUEST_DECISION as DECISION
from components.form import form_field
from components.grid import data_grid
from components.locale import date_picker
from components.readonly import guarded
from domain.citations import Cite
from domain.permissions import Action
from domain.sharing.applications import COMMITMENT, RATE_DEFAULT, RATE_MAX, RISK_LEVELS
from domain.sharing.catalogue import DATASETS

dash.register_page(__name__, group="数据管理", path="/admin/data-requests", name="数据共享申请", order=84,
                   permission=Action.ADMIN_VIEW, title="数据共享申请")

COLUMNS = [
    {"field": "id", "headerName": "申请号", "maxWidth": 90}, {"field": "unit", "headerName": "申请单位", "minWidth": 160},
    {"field": "scope", "headerName": "数据集及字段", "minWidth": 220, "flex": 2, "tooltipField": "scope"},
    {"field": "regions", "headerName": "区域", "tooltipField": "regions"},
    {"field": "deadline", "headerName": "答复期限", "minWidth": 170, "tooltipField": "deadline"},
    {"field": "risk", "headerName": "风险", "maxWidth": 80}, {"field": "commitment", "headerName": "保密责任书", "maxWidth": 110},
    {"field": "state", "headerName": "状态"}, {"field": "opinion", "headerName": "审批意见", "tooltipField": "opinion"},
]
#: every field of the catalogue as one choice: "dataset.field"
FIELD_OPTIONS = [{"label": f"{ds.label} · {f.label}" + ("（个人信息）" if f.personal else ""), "value": f"{name}.{key}"}
                 for name, ds in DATASETS.items() for key, f in ds.fields.items()]


def _application_form():
    return guarded("dreq-form", [
        form_field("申请单位", dbc.Input(id="dreq-unit", maxLength=100, placeholder="如：某银行省分行（市县申请时为本单位）"),
                   "dreq-unit"),
        form_field("联系人及联系方式", dbc.Input(id="dreq-contact", maxLength=100), "dreq-contact"),
        form_field("数据用途", dbc.Textarea(id="dreq-purpose", maxLength=500, rows=2), "dreq-purpose"),
        form_field("所需数据集及字段（最小必要）", dcc.Dropdown(id="dreq-fields", options=FIELD_OPTIONS, multi=True,
                                                          placeholder="选择数据集字段"), "dreq-fields"),
        form_field("区域", dcc.Dropdown(id="dreq-regions", multi=True, placeholder="选择省、市或县"), "dreq-regions"),
        html.Div(className="row g-2", children=[
            form_field("数据起始日期", date_picker("dreq-from"), "dreq-from", width="col-6"),
            form_field("数据截止日期", date_picker("dreq-to"), "dreq-to", width="col-6")]),
        form_field("使用有效期至", date_picker("dreq-until"), "dreq-until"),
        dbc.Checkbox(id="dreq-personal", label="申请个人信息明文（未获批时接口返回脱敏数据）", value=False, className="mb-2"),
        form_field("允许调用的IP地址或网段", dbc.Textarea(id="dreq-ips", maxLength=500, rows=2,
                                                    placeholder="如：10.12.0.0/16, 192.168.1.20"), "dreq-ips"),
        form_field(f"每分钟调用上限（1–{RATE_MAX}）", dbc.Input(id="dreq-rate", type="number", min=1, max=RATE_MAX, step=1,
                                                          value=RATE_DEFAULT), "dreq-rate"),
        dbc.Button("登记申请", id="dreq-submit", color="primary", className="mt-2"),
        html.Div(id="dreq-submit-result", className="mt-2"),
    ])


def _review_tools():
    return html.Div(className="row g-3 mt-1", children=[
        html.Div(className="col-md-6", children=guarded("dreq-commit-tools", [
            html.H3(f"上传{COMMITMENT}", className="h6"),
            dcc.Upload(id="dreq-commitment", multiple=False, max_size=10 * 1024 * 1024, className="upload-box",
                       children=html.Div(["拖放签署的PDF到此处，或 ", html.A("选择文件")]),
                       style={"borderWidth": "1px", "borderStyle": "dashed", "borderRadius": "6px", "padding": "8px",
                              "textAlign": "center", "cursor": "pointer"}),
            html.Div(id="dreq-commitment-error", className="invalid-feedback d-block"),
            dbc.Button("上传到所选申请", id="dreq-commit", color="secondary", size="sm", className="mt-2"),
        ])),
        html.Div(className="col-md-6", children=guarded("dreq-assess-tools", [
            html.H3("风险评估", className="h6"),
            form_field("风险等级", dcc.Dropdown(id="dreq-risk-level", options=[{"label": v, "value": k}
                                                                         for k, v in RISK_LEVELS.items()]),
                       "dreq-risk-level"),
            form_field("评估意见", dbc.Textarea(id="dreq-risk-notes", maxLength=1000, rows=2), "dreq-risk-notes"),
            dbc.Button("保存评估", id="dreq-assess", color="secondary", size="sm"),
        ])),
    ])


def layout(**_):
    return html.Div([
        dcc.Store(id="dreq-refresh", data=0),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-8", children=html.Div(className="panel", children=[
                html.Div(className="d-flex justify-content-between align-items-center", children=[
                    html.H2("数据共享（接口）申请"),
                    guarded("dreq-decide-tools", [
                        dbc.Button("批准…", id="dreq-approve", color="success", size="sm", className="me-2"),
                        dbc.Button("驳回…", id="dreq-reject", color="warning", size="sm")]),
                ]),
                html.P(cited("数据需求单位遵循目的正当、程序合规、最小可用原则提出申请，经风险评估并签署保密责任书后由省级审批",
                             Cite.DATA_REQUEST) + "；" + cited("申请应在受理之日起十个工作日内答复", Cite.DATA_ANSWER) + "。",
                       className="text-muted small"),
                data_grid("dreq-grid", COLUMNS, selectable=True, height="340px"),
                html.Div(id="dreq-detail", className="small mt-2"),
                html.Div(id="dreq-result", className="mt-2"),
                _review_tools(),
                *DECISION.draw(),
                dbc.Modal(id="dreq-key-modal", is_open=False, backdrop="static", centered=True, children=[
                    dbc.ModalHeader(dbc.ModalTitle("接口密钥（仅显示这一次）"), close_button=False),
                    dbc.ModalBody([html.P("请立即复制并通过安全渠道交给申请单位。平台只保存密钥的摘要，关闭后无法再次查看。",
                                          className="text-danger small"),
                                   html.Code(id="dreq-key", className="d-block p-2 bg-light text-break user-select-all")]),
                    dbc.ModalFooter(dbc.Button("我已妥善保存", id="dreq-key-close", color="primary")),
                ]),
            ])),
            html.Div(className="col-xl-4", children=html.Div(className="panel", children=[
                html.H2("登记数据共享申请"),
                html.P(cited("未经省级同意，任何单位和个人不得将平台数据提供给第三方", Cite.JURISDICTION)
                       + "。省级管理员代外部单位登记，市、县管理员为本单位申请。", className="text-muted small"),
                _application_form(),
            ])),
        ]),
    ])
