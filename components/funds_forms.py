"""The forms of 资金管理, each declared once: the page draws them, the callbacks read them and
route every refusal's messages under their fields (components/form.py). A field's `name` is the
key the domain validator or the data layer names it with (domain/funds/, data/funds/)."""
from __future__ import annotations

from components.decision import DecisionDialog
from components.form import Field, Form, Rows
from domain.funds.books import ACCOUNT_KINDS
from domain.funds.requests import ID_TYPES, KIND_LABELS, PAYMENT_ACCOUNTS, RECEIPT_ACCOUNTS
from domain.funds.vouchers import MAX_LINES, MIN_LINES

_ACCOUNTS = tuple([(k, f"{k} {v}（付款）") for k, v in PAYMENT_ACCOUNTS.items()]
                  + [(k, f"{k} {v}（收款）") for k, v in RECEIPT_ACCOUNTS.items()])

#: 收付款申请 (the village cashier): domain.funds.requests.draft_problems, data.funds.requests.submit
REQUEST = Form("funds-request", (
    Field("kind", "funds-kind", "类型", "radio", options=tuple(KIND_LABELS.items()), value="payment"),
    Field("bank_account_id", "funds-bank", "收付账户", "select", placeholder="选择账户"),
    Field("amount", "funds-amount", "金额（元）", "decimal", placeholder="例如 1,234.50"),
    Field("account", "funds-account", "科目", "select", options=_ACCOUNTS),
    Field("resolution_id", "funds-resolution", "会议决议", "select", placeholder="引用本组织已通过的会议决议",
          help="付款达到本组织决策限额、借款，须引用成员（代表）会议通过的决议（四议两公开）"),
    Field("purpose", "funds-purpose", "用途", max_length=200),
    Field("counterparty_name", "funds-counterparty", "对方单位或个人", max_length=100),
    Field("counterparty_id_type", "funds-id-type", "证件类型", "select", options=tuple(ID_TYPES.items()),
          value="resident", clearable=False),
    Field("counterparty_id", "funds-id", "证件号码", max_length=40),
    Field("request_date", "funds-date", "日期", "date"),
    Field("attachments", "funds-files", "附件（发票、合同等）", "upload"),
))

#: 审批与记账 of the selected request: data.funds.requests.decide, data.funds.requests.post
POSTING = Form("funds-action", (
    Field("posting_date", "funds-post-date", "记账日期", "date"),
))

#: 同意 / 驳回 / 撤回 of the selected request, confirmed with its opinion: data.funds.requests.decide, .withdraw
DECISION = DecisionDialog("funds-decide")

#: 记账凭证 (the township accountant): domain.funds.vouchers.voucher_problems, data.funds.vouchers.post_voucher
VOUCHER = Form("funds-voucher", (
    Field("date", "funds-v-date", "凭证日期", "date", width="col-md-4"),
    Field("summary", "funds-v-summary", "摘要", max_length=200, width="col-md-8"),
    Field("lines", "funds-v-lines", "", "display"),  # the totals; the count and balance messages under them
), rows=Rows(prefix="line-", container="funds-v-rows", error_type="voucher-line-error", minimum=MIN_LINES,
             maximum=MAX_LINES, columns=(
                 Field("account", "voucher-line-account", "会计科目", "select", placeholder="科目"),
                 Field("debit", "voucher-line-debit", "借方金额（元）", "decimal", placeholder="借方"),
                 Field("credit", "voucher-line-credit", "贷方金额（元）", "decimal", placeholder="贷方"))))
LINE_WIDTHS = {"account": "col-6", "debit": "col", "credit": "col"}

#: 结账: data.funds.closing.close_period
CLOSE = Form("funds-close", (
    Field("period", "funds-close-period", "结账月份", "month"),
))

#: 反结账 of the month selected in the table: data.funds.closing.reopen_period
REOPEN = Form("funds-reopen", (
    Field("period", "funds-reopen-period", "反结账月份", "display"),
    Field("reason", "funds-reopen-reason", "反结账原因", "textarea", max_length=300),
))

#: 登记账户: domain.funds.books.account_problems, data.funds.books.open_account
ACCOUNT = Form("funds-open", (
    Field("kind", "funds-open-kind", "类别", "radio", options=tuple((k, v[0]) for k, v in ACCOUNT_KINDS.items()),
          value="bank", width="col-md-3"),
    Field("name", "funds-open-name", "账户名称", max_length=100, placeholder="例如 专项资金户", width="col-md-3"),
    Field("bank_name", "funds-open-bank", "开户行", max_length=100, width="col-md-3"),
    Field("account_no", "funds-open-no", "账号", "numeric", max_length=40, width="col-md-3"),
))

#: 导入银行对账单: data.funds.statements.import_statement
STATEMENT = Form("funds-rec", (
    Field("bank_account", "funds-rec-bank", "银行账户", "select", placeholder="选择银行存款账户"),
    Field("statement", "funds-statement", "对账单文件（CSV）", "upload"),
))

FORMS = (REQUEST, POSTING, VOUCHER, CLOSE, REOPEN, ACCOUNT, STATEMENT)
