"""The 2004 village chart of accounts (《村集体经济组织会计制度》, 财会〔2004〕12号, 33 accounts) and
its mapping to the 2023 chart (《农村集体经济组织会计制度》, 财会〔2023〕14号, domain.funds.chart).

Historical ledgers may arrive in the 2004 chart. Each 2004 account maps to exactly one 2023
account, or to none when the 2023 chart splits what it held (then the ledger line cannot be placed
without reading the underlying documents, so the import reports it and commits nothing — it never
guesses). The table, with the basis of each row:

=====  ==================  =====  ==================  ===========================================
2004   name (2004)         2023   name (2023)         basis
=====  ==================  =====  ==================  ===========================================
101    现金                101    库存现金            renamed only (shared/DOMAIN.md: "101 现金")
102    银行存款            102    银行存款            same code, name and content (both charts)
111    短期投资            111    短期投资            same code, name and content
112    应收款              112    应收款              same code, name and content
113    内部往来            113    内部往来            same code, name and content
121    库存物资            121    库存物资            same code, name and content
131    牲畜（禽）资产      —      —                   split in 2023 into 消耗性 (131), 生产性 (132)
                                                      and 公益性 (134) 生物资产: ambiguous
132    林木资产            —      —                   split in 2023 the same way (用材林 消耗性,
                                                      经济林 生产性, 防护林 公益性): ambiguous
141    长期投资            141    长期投资            same code, name and content
151    固定资产            151    固定资产            same code, name and content
152    累计折旧            152    累计折旧            same code, name and content
153    固定资产清理        154    固定资产清理        codes swapped (DOMAIN.md: "153/154 swapped")
154    在建工程            153    在建工程            codes swapped (DOMAIN.md)
201    短期借款            201    短期借款            same code, name and content
202    应付款              211    应付款              renumbered (DOMAIN.md: "202 应付款")
211    应付工资            212    应付工资            renumbered (DOMAIN.md: "211 应付工资"); the
                                                      2023 应付劳务费 (213) is new, for non-staff
212    应付福利费          —      —                   no 2023 account (removed): ambiguous
221    长期借款及应付款    221    长期借款及应付款    same code, name and content
231    一事一议资金        231    一事一议资金        same code, name and content
301    资本                301    资本                same code, name and content
311    公积公益金          311    公积公益金          same code, name and content
321    本年收益            321    本年收益            same code, name and content
322    收益分配            322    收益分配            same code, name and content
401    生产（劳务）成本    401    生产（劳务）成本    same code, name and content
501    经营收入            501    经营收入            same code and name (DOMAIN.md)
502    经营支出            511    经营支出            renumbered (DOMAIN.md: "502 经营支出")
511    发包及上交收入      —      —                   no 2023 account: 发包 income and 上交 income
                                                      now fall in different accounts: ambiguous
521    农业税附加返还收入  —      —                   no 2023 account (tax abolished 2006): ambiguous
522    补助收入            503    补助收入            renumbered (DOMAIN.md: "522 补助收入")
531    其他收入            504    其他收入            renumbered (DOMAIN.md: "531 其他收入")
541    管理费用            513    管理费用            renumbered (DOMAIN.md: "541 管理费用")
551    其他支出            515    其他支出            renumbered (DOMAIN.md: "551 其他支出"); the
                                                      2023 公益支出 (514) is a new account, so a
                                                      historical 其他支出 stays 其他支出
561    投资收益            502    投资收益            renumbered (DOMAIN.md: "561 投资收益")
=====  ==================  =====  ==================  ===========================================

The codes of the 2004 chart that DOMAIN.md lists as different come from it; the unchanged ones are
the chart's own table (财会〔2004〕12号 附录 会计科目表). Like the 2023 chart, this is data: a
province may correct a row here without touching the import logic.
"""
from __future__ import annotations

_TABLE = """
101 现金 101
102 银行存款 102
111 短期投资 111
112 应收款 112
113 内部往来 113
121 库存物资 121
131 牲畜（禽）资产 -
132 林木资产 -
141 长期投资 141
151 固定资产 151
152 累计折旧 152
153 固定资产清理 154
154 在建工程 153
201 短期借款 201
202 应付款 211
211 应付工资 212
212 应付福利费 -
221 长期借款及应付款 221
231 一事一议资金 231
301 资本 301
311 公积公益金 311
321 本年收益 321
322 收益分配 322
401 生产（劳务）成本 401
501 经营收入 501
502 经营支出 511
511 发包及上交收入 -
521 农业税附加返还收入 -
522 补助收入 503
531 其他收入 504
541 管理费用 513
551 其他支出 515
561 投资收益 502
"""


def _parse(table: str) -> tuple[dict[int, str], dict[int, int | None]]:
    names, mapping = {}, {}
    for line in table.strip().splitlines():
        code, name, target = line.split()
        names[int(code)] = name
        mapping[int(code)] = None if target == "-" else int(target)
    return names, mapping


#: 2004 code -> name; 2004 code -> 2023 code (None: no unambiguous 2023 account)
NAMES_2004, TO_2023 = _parse(_TABLE)


def map_2004(code: int) -> tuple[int | None, str | None]:
    """A 2004 account code -> (its 2023 code, None), or (None, why in Chinese)."""
    if code not in NAMES_2004:
        return None, f"科目 {code} 不是 2004 年村集体经济组织会计科目"
    target = TO_2023[code]
    if target is None:
        return None, f"科目 {code} {NAMES_2004[code]} 无法对应到 2023 年科目表"
    return target, None
