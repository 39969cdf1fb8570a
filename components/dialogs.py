"""The confirmation dialogs of 平台管理 and 预警处置 (components/decision.py), declared once: the
pages draw them, the callbacks open them and act on their 确认 (资金管理's is in funds_forms)."""
from __future__ import annotations

from components.decision import DecisionDialog

#: 批准 / 驳回 of the selected account request: data.admin.accounts.decide
ACCOUNT_DECISION = DecisionDialog("acct-decide")
#: 批准 / 驳回 of the selected sharing request: data.admin.sharing.decide_share
SHARE_DECISION = DecisionDialog("share-decide")
#: 办结 (closing a verified warning) asks first: data.supervision.handling.act(..., "close", ...)
WARNING_CLOSE = DecisionDialog("warn-decide", noun="预警")
#: 批准 / 驳回 of the selected data-sharing application: data.sharing.requests.decide
DATA_REQUEST_DECISION = DecisionDialog("dreq-decide")
#: 乡镇审核同意 / 退回 of the selected disclosure: data.disclosure.workflow.decide
DISCLOSURE_DECISION = DecisionDialog("disc-decide", noun="财务公开")
