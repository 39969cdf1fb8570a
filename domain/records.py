"""The kinds of records behind a cockpit figure (台账明细) and the columns each shows, as data:
the page's kind picker, the grid and the export all read it; `data.records` fetches the rows."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    label: str
    #: (column, header, kind): "fen", "mu", "time", a code domain of `domain.labels.DOMAINS`, or None
    columns: tuple[tuple[str, str, str | None], ...]


KINDS: dict[str, Kind] = {
    "ledger": Kind("会计凭证明细", (
        ("date", "日期", None), ("number", "凭证号", None), ("summary", "摘要", None), ("account_code", "科目", "account"),
        ("debit_fen", "借方（元）", "fen"), ("credit_fen", "贷方（元）", "fen"), ("region_code", "区划代码", None))),
    "assets": Kind("资产台账", (
        ("code", "资产编号", None), ("name", "名称", None), ("category", "类别", "asset_category"),
        ("original_value_fen", "原值（元）", "fen"), ("net_value_fen", "净值（元）", "fen"), ("status", "状态", "asset_status"),
        ("acquired_on", "取得日期", None), ("region_code", "区划代码", None))),
    "resources": Kind("资源台账", (
        ("name", "名称", None), ("type", "类型", None), ("area_mu", "面积（亩）", "mu"), ("contracted", "已发包", "yes_no"),
        ("contractor", "承包方", None), ("contracted_until", "承包到期", None), ("region_code", "区划代码", None))),
    "contracts": Kind("在执行合同", (
        ("number", "合同编号", None), ("title", "名称", None), ("counterparty", "对方", None),
        ("amount_fen", "金额（元）", "fen"), ("start_on", "开始", None), ("end_on", "结束", None),
        ("region_code", "区划代码", None))),
    "overdue": Kind("逾期未收款项", (
        ("number", "合同编号", None), ("counterparty", "对方", None), ("seq", "期次", None), ("due_on", "应收日期", None),
        ("amount_fen", "应收（元）", "fen"), ("received_fen", "已收（元）", "fen"), ("region_code", "区划代码", None))),
    "trades": Kind("产权交易", (
        ("title", "项目", None), ("kind", "方式", "trade_kind"), ("reserve_price_fen", "底价（元）", "fen"),
        ("deal_price_fen", "成交价（元）", "fen"), ("status", "状态", "listing_status"), ("closes_on", "截止", None),
        ("region_code", "区划代码", None))),
    "warnings": Kind("未处理预警", (
        ("title", "预警", None), ("severity", "级别", "severity"), ("status", "状态", "warning_status"),
        ("raised_at", "时间", "time"), ("region_code", "区划代码", None))),
}
