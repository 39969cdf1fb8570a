"""同步与备份: the national sync (Art. J26) and the database's backups with restore drills
(Art. J37, X20–X21), for the provincial platform administrator."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.citation import cited
from components.grid import data_grid
from components.readonly import guarded
from domain.citations import Cite
from domain.permissions import Action

dash.register_page(__name__, group="平台管理", path="/ops", name="同步与备份", order=84, permission=Action.OPS_VIEW,
                   title="国家平台同步与数据备份")

REPORT_COLUMNS = [
    {"field": "region_code", "headerName": "区划代码", "maxWidth": 150}, {"field": "township", "headerName": "乡镇"},
    {"field": "village", "headerName": "村"}, {"field": "label", "headerName": "未通过的检查", "minWidth": 220},
    {"field": "difference", "headerName": "差额（元）", "type": "rightAligned"},
    {"field": "message", "headerName": "说明", "minWidth": 320, "tooltipField": "message"},
]
SYNC_COLUMNS = [
    {"field": "id", "headerName": "编号", "maxWidth": 90}, {"field": "at_text", "headerName": "时间"},
    {"field": "year", "headerName": "年度", "maxWidth": 90}, {"field": "scope", "headerName": "范围"},
    {"field": "status_label", "headerName": "状态"}, {"field": "villages_passed", "headerName": "导出村数", "maxWidth": 110},
    {"field": "villages_failed", "headerName": "未通过村数", "maxWidth": 120},
    {"field": "files_text", "headerName": "文件（行数）", "minWidth": 220, "tooltipField": "files_text"},
    {"field": "package_sha256", "headerName": "数据包 SHA-256", "tooltipField": "package_sha256"},
    {"field": "by_name", "headerName": "操作人"},
]
BACKUP_COLUMNS = [
    {"field": "id", "headerName": "编号", "maxWidth": 90}, {"field": "at_text", "headerName": "时间"},
    {"field": "kind_label", "headerName": "类型", "maxWidth": 120}, {"field": "status_label", "headerName": "状态"},
    {"field": "size_text", "headerName": "大小", "maxWidth": 120},
    {"field": "sha256", "headerName": "SHA-256", "tooltipField": "sha256"},
    {"field": "rows", "headerName": "总行数", "maxWidth": 110}, {"field": "chain_head", "headerName": "安全日志链头"},
    {"field": "check_result", "headerName": "校验结果", "minWidth": 260, "tooltipField": "check_result"},
    {"field": "by_name", "headerName": "操作人", "maxWidth": 130},
]
DRILL_COLUMNS = [
    {"field": "id", "headerName": "编号", "maxWidth": 90}, {"field": "at_text", "headerName": "时间"},
    {"field": "backup_id", "headerName": "所用备份", "maxWidth": 110},
    {"field": "pre_backup_id", "headerName": "恢复前备份", "maxWidth": 120},
    {"field": "result_label", "headerName": "结果"},
    {"field": "checks_text", "headerName": "校验项", "minWidth": 300, "tooltipField": "checks_text"},
    {"field": "message", "headerName": "说明", "minWidth": 260, "tooltipField": "message"},
    {"field": "by_name", "headerName": "操作人", "maxWidth": 130},
]


def _sync_panel():
    return html.Div(className="panel", children=[
        html.H2("向全国农村集体资产监督管理平台同步"),
        html.P(cited("按全国平台的对接标准报送年度集体资产数据", Cite.NATIONAL_PLATFORM)
               + "：基本情况、资产负债表（账面值与清查核实值）、收益分配、资源性资产、货币资金、债权债务、"
                 "经营性与非经营性资产。先校验：资产 = 负债 + 所有者权益，本年收益 = 经营收益 + 补助收入 + 其他收入 − 其他支出；"
                 "未通过校验的村列在下表并从数据包中排除，不会被悄悄报送。", className="text-muted small"),
        html.Div("离线报送：本平台不连接外网。“发送”即把数据包（JSON Lines、每表一个 JSON Schema、含 SHA-256 的清单）"
                 "写入服务器数据目录下的发件箱（outbox），由省级管理员按规定报送全国平台。",
                 className="alert alert-info py-2 small", id="ops-offline-note"),
        html.Div(className="row g-2 align-items-end", children=[
            html.Div([dbc.Label("年度", html_for="ops-year"), dcc.Dropdown(id="ops-year", placeholder="选择年度",
                                                                          clearable=False),
                      html.Div(id="ops-year-error", className="invalid-feedback d-block")], className="col-md-3"),
            html.Div(dbc.Button("校验", id="ops-validate", color="secondary", outline=True), className="col-auto"),
            html.Div(guarded("ops-sync-tools", [
                dbc.Button("导出并写入发件箱", id="ops-export", color="primary", className="me-2"),
                dbc.Button("下载所选数据包", id="ops-download-btn", color="secondary", outline=True)]),
                className="col-auto"),
        ]),
        dcc.Loading(html.Div(id="ops-validate-result", className="mt-2"), type="dot"),
        data_grid("ops-report-grid", REPORT_COLUMNS, height="280px", row_id="params.data.key"),
        html.Div(id="ops-sync-result", className="mt-2"),
        dcc.Store(id="ops-sync-job"), dcc.Interval(id="ops-sync-poll", interval=1000, disabled=True),
        html.H3("同步记录", className="mt-3 h6"),
        data_grid("ops-sync-grid", SYNC_COLUMNS, selectable=True, height="260px"),
        dcc.Download(id="ops-download"),
    ])


def _backup_panel():
    return html.Div(className="panel", children=[
        html.H2("数据备份"),
        html.P(cited("建立数据备份与恢复机制，定期测试校验", Cite.BACKUP)
               + "。每个备份附校验清单（SHA-256、大小、各表行数、安全日志链头）；备份文件保存在服务器数据目录"
                 "（网站目录之外），任何网址都不提供下载。", className="text-muted small"),
        html.Div(id="ops-schedule-note", className="small mb-2"),
        html.Div(className="d-flex gap-2", children=[
            guarded("ops-backup-tools", [dbc.Button("立即备份", id="ops-backup-now", color="primary")]),
            guarded("ops-restore-tools", [dbc.Button("恢复演练…", id="ops-restore", color="warning")]),
        ]),
        html.Div(id="ops-backup-result", className="mt-2"),
        # the queued backup (data/jobs) is polled once a second until it ends
        dcc.Store(id="ops-backup-job"), dcc.Interval(id="ops-backup-poll", interval=1000, disabled=True),
        data_grid("ops-backup-grid", BACKUP_COLUMNS, selectable=True, height="320px"),
        dcc.Store(id="ops-restore-pending"),
        dbc.Modal(id="ops-restore-modal", is_open=False, backdrop="static", centered=True, children=[
            dbc.ModalHeader(dbc.ModalTitle("确认从备份恢复"), close_button=False),
            dbc.ModalBody([html.Div(id="ops-restore-summary", className="mb-2"),
                           html.P("恢复将用备份替换当前数据库：先自动备份当前数据，恢复后校验行数、校验和与安全日志链，"
                                  "校验不通过则自动回滚。安全日志、同步与备份记录不随恢复回退。", className="small text-muted")]),
            dbc.ModalFooter([dbc.Button("取消", id="ops-restore-cancel", color="secondary", outline=True),
                             dbc.Button("确认恢复", id="ops-restore-confirm", color="danger")]),
        ]),
    ])


def layout(**_):
    return html.Div([
        dcc.Store(id="ops-refresh", data=0),
        _sync_panel(),
        _backup_panel(),
        html.Div(className="panel", children=[
            html.H2("恢复演练记录"),
            data_grid("ops-drill-grid", DRILL_COLUMNS, height="280px"),
        ]),
    ])
