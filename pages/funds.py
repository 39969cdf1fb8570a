"""资金管理: payment and receipt requests (the cashier enters them with their files, the secretary
and the supervisory chair approve, the township accountant posts them as vouchers); manual
vouchers on the village chart; cash and bank accounts with balances and the level-2 base data
derived from the books; bank statement import with reconciliation; month close."""

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.citation import cited
from components.funds_forms import ACCOUNT, CLOSE, DECISION, LINE_WIDTHS, POSTING, REOPEN, REQUEST, STATEMENT, VOUCHER
from components.form import submission_token
from components.grid import data_grid
from components.readonly import guarded
from domain import clock
from domain.citations import Cite
from domain.funds.statements import STATEMENT_FORMAT_HELP
from domain.permissions import Action

dash.register_page(__name__, group="三资业务", path="/funds", name="资金管理", order=10, title="资金管理",
                   permission=Action.BUSINESS_VIEW)

MONEY = {"function": "d3.format(',.2f')(params.value / 100)"}
COLUMNS = [
    {"field": "id", "headerName": "单号", "maxWidth": 90}, {"field": "date", "headerName": "日期"},
    {"field": "org", "headerName": "集体经济组织"}, {"field": "kind", "headerName": "类型", "maxWidth": 90},
    {"field": "amount_fen", "headerName": "金额（元）", "type": "rightAligned", "valueFormatter": MONEY},
    {"field": "purpose", "headerName": "用途"}, {"field": "counterparty", "headerName": "对方"},
    {"field": "status_label", "headerName": "状态"},
    {"field": "opinion", "headerName": "审批意见", "tooltipField": "opinion"},
]
VOUCHER_COLUMNS = [
    {"field": "date", "headerName": "日期", "minWidth": 128, "maxWidth": 140},
    {"field": "number", "headerName": "凭证号", "minWidth": 178},
    {"field": "summary", "headerName": "摘要", "minWidth": 170, "tooltipField": "summary"},
    {"field": "source", "headerName": "来源", "minWidth": 108, "maxWidth": 120},
    {"field": "amount_fen", "headerName": "金额（元）", "type": "rightAligned", "valueFormatter": MONEY, "minWidth": 124},
    {"field": "lines", "headerName": "分录", "tooltipField": "lines", "minWidth": 380},
]
ACCOUNT_COLUMNS = [
    {"field": "kind", "headerName": "类别", "maxWidth": 110}, {"field": "name", "headerName": "账户名称"},
    {"field": "bank_name", "headerName": "开户行"}, {"field": "account_no", "headerName": "账号"},
    {"field": "ledger", "headerName": "总账科目"},
    {"field": "balance_fen", "headerName": "账面余额（元）", "type": "rightAligned", "valueFormatter": MONEY},
]
CLOSE_COLUMNS = [
    {"field": "period_label", "headerName": "月份"}, {"field": "status_label", "headerName": "状态"},
    {"field": "closed_at", "headerName": "结账时间"}, {"field": "note", "headerName": "反结账记录", "minWidth": 240},
]
STATEMENT_COLUMNS = [
    {"field": "date", "headerName": "日期", "maxWidth": 120},
    {"field": "amount_fen", "headerName": "金额（元）", "type": "rightAligned", "valueFormatter": MONEY},
    {"field": "description", "headerName": "摘要"},
]
BOOK_COLUMNS = [
    {"field": "date", "headerName": "日期", "maxWidth": 120}, {"field": "voucher", "headerName": "凭证号"},
    {"field": "amount_fen", "headerName": "金额（元，收正付负）", "type": "rightAligned", "valueFormatter": MONEY},
    {"field": "summary", "headerName": "摘要"},
]
MATCHED_COLUMNS = [
    {"field": "date", "headerName": "银行日期", "minWidth": 112},
    {"field": "amount_fen", "headerName": "金额（元）", "type": "rightAligned", "valueFormatter": MONEY, "minWidth": 110},
    {"field": "description", "headerName": "摘要", "minWidth": 110},
    {"field": "book_date", "headerName": "记账日期", "minWidth": 112},
    {"field": "book_voucher", "headerName": "凭证号", "minWidth": 150},
]


def _requests_tab(today: str):
    form = html.Div(className="panel", id="funds-form-panel", hidden=True, children=[
        dcc.Store(id="funds-submit-token", data=submission_token()),
        html.H2("录入收付款申请（村报账员）"),
        *REQUEST.draw(),
        dbc.Button("提交申请", id="funds-submit", color="primary"),
        REQUEST.form_error(),
        html.Div(id="funds-submit-result", className="mt-2"),
    ])
    post_date = POSTING["posting_date"]
    return html.Div(className="row g-3 mt-1", children=[
        html.Div(className="col-xl-8", children=[
            html.Div(className="panel", children=[
                html.Div(className="d-flex flex-wrap justify-content-between align-items-center gap-2", children=[
                    html.H2("收付款申请", className="mb-0"),
                    html.Div(className="d-flex align-items-center gap-2", children=[
                        # `hidden` on a wrapper: Bootstrap's .d-flex would override it on the same element
                        html.Div(id="funds-decide-tools", hidden=True, children=html.Div(className="d-flex gap-2", children=[
                            dbc.Button("同意…", id="funds-approve", color="success", size="sm"),
                            dbc.Button("驳回…", id="funds-reject", color="warning", size="sm")])),
                        html.Div(id="funds-withdraw-tools", hidden=True, children=dbc.Button(
                            "撤回…", id="funds-withdraw", color="secondary", outline=True, size="sm")),
                        html.Div(id="funds-post-tools", hidden=True, children=html.Div(
                            className="d-flex align-items-center gap-2", children=[
                                dbc.Label(post_date.label, html_for=post_date.id, className="mb-0 small ms-2"),
                                POSTING.input("posting_date", value=today, size="sm", style={"width": "150px"}),
                                dbc.Button("记账", id="funds-post", color="primary", size="sm")])),
                    ]),
                ]),
                html.Div(className="text-end", children=[POSTING.error_line("posting_date"), POSTING.form_error()]),
                data_grid("funds-grid", COLUMNS, selectable=True, height="460px"),
                html.Div(id="funds-action-result", className="mt-2"),
                *DECISION.draw(),
            ]),
            html.Div(className="panel", children=[html.H2("所选申请的附件与办理记录"),
                                                   html.Div(id="funds-detail", children=html.Span(
                                                       "在上表中选择一条申请。", className="text-muted"))]),
        ]),
        html.Div(form, className="col-xl-4"),
    ])


def _vouchers_tab(today: str):
    rows = VOUCHER.rows
    form = html.Div(className="panel", id="funds-voucher-form", hidden=True, children=[
        html.H2("录入记账凭证（乡镇代理会计）"),
        html.Div(VOUCHER.draw("date", "summary", date={"value": today}), className="row g-2"),
        rows.header(LINE_WIDTHS),
        html.Div(id=rows.container, children=[rows.row(i, LINE_WIDTHS) for i in range(1, rows.minimum + 1)]),
        html.Div(className="d-flex gap-2 my-1", children=[
            dbc.Button("添加分录行", id="funds-v-add", color="secondary", outline=True, size="sm"),
            dbc.Button("删除末行", id="funds-v-remove", color="secondary", outline=True, size="sm", disabled=True),
            html.Span(f"{rows.minimum}–{rows.maximum} 行", className="small text-muted align-self-center")]),
        VOUCHER.field("lines", className="small mb-1"),
        dbc.Button("记账", id="funds-v-submit", color="primary", className="mt-2"),
        VOUCHER.form_error(),
        html.Div(id="funds-v-result", className="mt-2"),
    ])
    return html.Div(className="row g-3 mt-1", children=[
        dcc.Store(id="funds-v-options", data=[]),
        html.Div(form, className="col-xl-5"),
        html.Div(className="col-xl-7", children=html.Div(className="panel", children=[
            html.H2("本组织凭证（最近 300 张）"), data_grid("funds-vouchers-grid", VOUCHER_COLUMNS, height="620px")])),
    ])


def _accounts_tab():
    return html.Div(className="row g-3 mt-1", children=[
        html.Div(className="col-xl-7", children=[html.Div(className="panel", children=[
            html.H2("银行与现金账户（余额取自账簿）"), data_grid("funds-accounts-grid", ACCOUNT_COLUMNS, height="260px"),
            html.P("余额 = 该账户的库存现金（101）或银行存款（102）分录借方合计减贷方合计，不可手工录入。",
                   className="muted-note mt-2 mb-0"),
        ]), html.Div(className="panel", id="funds-open-form", hidden=True, children=[
            html.H2("登记账户（乡镇代理会计）"),
            html.Div(ACCOUNT.draw(), className="row g-2"),
            html.P("新账户余额为零，此后只由记账凭证产生。", className="muted-note"),
            dbc.Button("登记", id="funds-open-submit", color="primary"),
            ACCOUNT.form_error(),
            html.Div(id="funds-open-result", className="mt-2"),
        ])]),
        html.Div(className="col-xl-5", children=html.Div(className="panel", children=[
            html.H2("二级基础数据"), html.Div(id="funds-level2"),
            html.P(cited("由账簿自动生成", Cite.BASE_DATA)
                   + "，不可手工录入：存款 = 101 + 102；债权 = 112 应收款 + 113 内部往来；"
                   "债务 = 201、211–241 负债类科目；资产总额 = 资产类科目合计（扣除累计折旧、摊销）。",
                   className="muted-note mt-2 mb-0"),
        ])),
    ])


def _reconcile_tab():
    return html.Div(className="mt-1", children=[
        html.Div(className="panel", children=[
            html.H2("导入银行对账单"),
            guarded("funds-rec-form", html.Div(className="row g-3", children=[
                html.Div(className="col-lg-4", children=[
                    STATEMENT.field("bank_account"),
                    dbc.Button("导入并对账", id="funds-rec-submit", color="primary", className="me-2", disabled=True),
                    dbc.Button("重新匹配", id="funds-rec-rematch", color="secondary", outline=True, disabled=True),
                ]),
                html.Div(className="col-lg-8", children=[
                    STATEMENT.field("statement"),
                    html.P(STATEMENT_FORMAT_HELP + "。任何一行有错则整份不导入；同一文件不能重复导入。",
                           className="muted-note mb-0"),
                ]),
            ])),
            STATEMENT.form_error(),
            html.Div(id="funds-rec-result", className="mt-2"),
        ]),
        html.Div(className="panel", children=[
            html.Div(className="d-flex flex-wrap align-items-center gap-2 mb-2", children=[
                html.H2("银行存款余额调节表", className="mb-0 me-3"),
                html.Div(dcc.Dropdown(id="funds-rec-import", placeholder="选择已导入的对账单", clearable=False),
                         style={"minWidth": "380px"}),
            ]),
            html.Div(id="funds-rec-table"),
            html.Div(className="row g-3 mt-1", children=[
                html.Div(className="col-xl-4", children=[html.H3("已对上"),
                                                          data_grid("funds-rec-matched", MATCHED_COLUMNS, height="300px")]),
                html.Div(className="col-xl-4", children=[html.H3("银行已记、账簿未记"),
                                                          data_grid("funds-rec-open-stmt", STATEMENT_COLUMNS,
                                                                    height="300px")]),
                html.Div(className="col-xl-4", children=[html.H3("账簿已记、银行未记"),
                                                          data_grid("funds-rec-open-book", BOOK_COLUMNS, height="300px")]),
            ]),
        ]),
    ])


def _close_tab(month: str):
    return html.Div(className="row g-3 mt-1", children=[
        html.Div(className="col-xl-4", children=[
            html.Div(className="panel", id="funds-close-form", hidden=True, children=[
                html.H2("月末结账（乡镇代理会计）"),
                CLOSE.field("period", value=month),
                html.P("结账后该月不能再记账（含收付款申请记账和手工凭证）；该月尚有已审批未记账的申请时不能结账。",
                       className="muted-note"),
                dbc.Button("结账", id="funds-close-submit", color="primary"),
                CLOSE.form_error(),
                html.Div(id="funds-close-result", className="mt-2"),
            ]),
            html.Div(className="panel", id="funds-reopen-form", hidden=True, children=[
                html.H2("反结账（乡镇主要领导审批）"),
                html.P("在右表选择一个已结账月份，填写原因。反结账记入安全日志。", className="muted-note"),
                *REOPEN.draw(period={"children": "（未选择）"}),
                dbc.Button("反结账", id="funds-reopen-submit", color="warning"),
                REOPEN.form_error(),
                html.Div(id="funds-reopen-result", className="mt-2"),
            ]),
        ]),
        html.Div(className="col-xl-8", children=html.Div(className="panel", children=[
            html.H2("结账记录"), data_grid("funds-close-grid", CLOSE_COLUMNS, selectable=True, height="360px")])),
    ])


def layout(**_):
    today = clock.today()
    return html.Div([
        dcc.Store(id="funds-init", data=0),
        dcc.Store(id="funds-refresh", data=0),
        dcc.Store(id="funds-books-refresh", data=0),
        dcc.Store(id="funds-rec-refresh", data=0),
        html.Div(className="panel d-flex flex-wrap align-items-center gap-3 py-2", children=[
            dbc.Label("集体经济组织", html_for="funds-org", className="mb-0 fw-semibold"),
            html.Div(dcc.Dropdown(id="funds-org", placeholder="选择集体经济组织", clearable=False),
                     style={"minWidth": "320px"}),
            html.Span("记账凭证、账户余额、银行对账和结账按所选组织显示。", className="muted-note"),
        ]),
        dbc.Tabs(id="funds-tabs", active_tab="requests", children=[
            dbc.Tab(_requests_tab(today.isoformat()), label="收付款申请", tab_id="requests"),
            dbc.Tab(_vouchers_tab(today.isoformat()), label="记账凭证", tab_id="vouchers"),
            dbc.Tab(_accounts_tab(), label="账户与二级基础数据", tab_id="accounts"),
            dbc.Tab(_reconcile_tab(), label="银行对账", tab_id="reconcile"),
            dbc.Tab(_close_tab(today.strftime("%Y-%m")), label="结账", tab_id="close"),
        ]),
    ])
