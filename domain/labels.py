"""What a person reads for a stored code: one Chinese label table per code domain, gathered here
from the domain modules that own them (a table defined elsewhere is referenced, never copied), and
the one time format people see (China time to the minute).

Grids, exports (`components.export.send_table`: a column's kind names its domain) and log views
ask `label(domain, value)`; `tests/test_labels.py` fails on a stored or logged code without a label.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from domain import assets, contracts, meetings, trading
from domain.admin.audit import EVENT_TYPES
from domain.clock import CST
from domain.funds import books, chart
from domain.funds import requests as fund_requests
from domain.basedata.rules import STATUS as BASE_CHANGE_STATUS
from domain.permissions import ROLES
from domain.regions import LEVEL_NAMES
from domain.scope import PERM_LABELS
from domain.supervision import lifecycle, rating
from domain.supervision.rules.base import AREA_LABELS, SEVERITY_LABELS

#: security-log results
AUDIT_RESULTS = {"success": "成功", "denied": "拒绝", "failure": "失败", "failed": "失败", "chain_broken": "校验失败",
                 "locked": "已锁定", "rate_limited": "已限流", "ended": "已结束", "submitted": "已提交",
                 "filed": "已实施并备案", "returned": "已退回", "revoked": "已撤销",
                 "approved": "已批准", "rejected": "已驳回",
                 "sent": "已发送", "blocked": "已拦截", "committed": "已导入"}
#: who acted when no person did
ACTORS = {"system": "系统（自动）", "anonymous": "未登录用户"}
#: event types written by the platform's own jobs and downloads, beside `EVENT_TYPES`' people's events
AUDIT_EVENTS = {**EVENT_TYPES, "download": "附件下载", "warning_run": "预警规则运行", "escalation": "预警逐级上报",
                "basedata": "基础数据", "data_import": "数据导入",
                "data_sharing": "数据共享申请", "data_api_key": "接口密钥管理", "data_api_misuse": "数据接口越权调用",
                "national_sync": "国家平台同步", "backup": "数据备份", "restore": "恢复演练"}
AUDIT_EVENTS.update({"credit_inspection_plan": "执法检查计划", "credit_push": "双公示推送"})  # issue 15 lane E
#: decisions awaiting or taken (account requests, sharing approvals, level-1 base data changes)
DECISION_STATUS = {"pending": "待审批", "submitted": "待审批", "approved": "已批准", "rejected": "已驳回"}
SHARING_STATUS = {**DECISION_STATUS, "submitted": "待省级审批"}
ACCOUNT_REQUEST_KINDS = {"create": "新建账号", "change": "变更账号"}
#: record history (who changed which field)
HISTORY_ACTIONS = {"insert": "录入", "update": "修改", "delete": "删除"}
VOUCHER_STATUS = {"posted": "已记账", "reversed": "已冲销"}
WARNING_RUN_KINDS = {"full": "全量运行", "incremental": "增量运行"}
WARNING_RUN_STATUS = {"running": "运行中", "done": "已完成", "failed": "失败"}
BANK_ACCOUNT_KINDS = {k: name for k, (name, _code) in books.ACCOUNT_KINDS.items()}
ROLE_LABELS = {key: r.label for key, r in ROLES.items()}
ACCOUNTS = {code: a.label for code, a in chart.CHART.items()}
YES_NO = {True: "是", False: "否"}

#: domain name -> {code: Chinese label}
DOMAINS: dict[str, Mapping] = {
    "asset_status": assets.STATUS_LABELS, "asset_category": assets.CATEGORY_LABELS, "asset_event": assets.EVENT_LABELS,
    "contract_kind": contracts.KIND_LABELS, "contract_status": contracts.STATUS_LABELS,
    "contract_schedule": contracts.SCHEDULE_LABELS, "id_type": fund_requests.ID_TYPES,
    "trade_kind": trading.KIND_LABELS, "listing_status": trading.STATUS_LABELS,
    "subject_type": meetings.SUBJECT_LABELS, "meeting_status": meetings.STATUS_LABELS,
    "decision_type": meetings.DECISION_TYPES, "meeting_file": meetings.FILE_KINDS,
    "warning_status": lifecycle.STATUS_LABELS, "warning_action": lifecycle.ACTION_LABELS,
    "severity": SEVERITY_LABELS, "rule_area": AREA_LABELS, "rating": rating.RATING_LABELS,
    "warning_run_kind": WARNING_RUN_KINDS, "warning_run_status": WARNING_RUN_STATUS,
    "request_status": fund_requests.STATUS_LABELS, "request_kind": fund_requests.KIND_LABELS,
    "voucher_source": books.SOURCE_LABELS, "voucher_status": VOUCHER_STATUS, "close_status": books.CLOSE_STATUS_LABELS,
    "bank_account_kind": BANK_ACCOUNT_KINDS, "account": ACCOUNTS, "account_category": chart.CATEGORY_LABELS,
    "audit_event": AUDIT_EVENTS, "audit_result": AUDIT_RESULTS, "actor": ACTORS,
    "account_request_status": DECISION_STATUS, "account_request_kind": ACCOUNT_REQUEST_KINDS,
    "sharing_status": SHARING_STATUS, "base_change_status": BASE_CHANGE_STATUS,
    "history_action": HISTORY_ACTIONS, "region_level": LEVEL_NAMES, "role": ROLE_LABELS,
    "permission": PERM_LABELS, "yes_no": YES_NO,
}


def label(domain: str, value) -> str:
    """The Chinese label of `value` in `domain`; '—' for no value; the value itself for a code the
    table does not know (never raises: a new code shows up in the test, not as a 500)."""
    if value is None or value == "":
        return "—"
    table = DOMAINS[domain]
    if value in table:
        return table[value]
    try:  # a code read back as text ("2" for a level, "102" for an account)
        return table.get(int(value), str(value)) if not isinstance(value, bool) else str(value)
    except (TypeError, ValueError):
        return str(value)


def label_expr(domain: str, column: str) -> pl.Expr:
    """`label` over a frame's column (codes the table does not know stay as they are, as text)."""
    table = {text: v for k, v in DOMAINS[domain].items() for text in {str(k), str(k).lower()}}
    col = pl.col(column).cast(pl.String)
    return col.replace_strict(table, default=col, return_dtype=pl.String).fill_null("—")


def time_text(at: dt.datetime | str | None) -> str:
    """An instant as people read it: China time to the minute, '2026-11-12 00:32' ('—' for none; a
    naive datetime is taken as UTC, as the database keeps it)."""
    if at is None or at == "":
        return "—"
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(CST).strftime("%Y-%m-%d %H:%M")


def for_people(frame: pl.DataFrame, columns) -> pl.DataFrame:
    """The frame as a grid shows it: each (column, header, kind) of a code domain as its label, each
    "time" column as `time_text`, dates as YYYY-MM-DD; money and other kinds left to the grid."""
    exprs = []
    for column, _header, kind in columns:
        if column not in frame.columns:
            continue
        if kind in DOMAINS:
            exprs.append(label_expr(kind, column).alias(column))
        elif kind == "time":
            exprs.append(pl.col(column).map_elements(time_text, return_dtype=pl.String, skip_nulls=False).alias(column))
        elif frame.schema[column].is_temporal():
            exprs.append(pl.col(column).cast(pl.String).alias(column))
    return frame.with_columns(exprs) if exprs else frame


def code_values() -> set[str]:
    """Every textual code of every domain (what a person must never see raw)."""
    return {str(v) for table in DOMAINS.values() for v in table if isinstance(v, str) and not v.isdigit()}
