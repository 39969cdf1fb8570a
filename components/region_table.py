"""The cockpit's table of a region's children: name (click to drill) and the headline money
figures in 万元 (— for a child without books). The columns are the same at every level, so a
drill-down only sends rows."""
from __future__ import annotations

MONEY = {"function": "params.value == null ? '—' : d3.format(',.2f')(params.value)"}
CHILD_COLUMNS = [("total_assets", "资产总额（万元）"), ("funds", "货币资金（万元）"),
                 ("income_operating", "本年经营收入（万元）"), ("net_profit", "本年收益（万元）"),
                 ("liabilities", "负债（万元）")]


def children_columns() -> list[dict]:
    cols = [{"field": "name", "headerName": "名称（点击下钻）", "pinned": "left", "minWidth": 160,
             "cellClass": "drill-cell"}]
    cols += [{"field": key, "headerName": label, "type": "rightAligned", "valueFormatter": MONEY,
              "filter": "agNumberColumnFilter"} for key, label in CHILD_COLUMNS]
    cols.append({"field": "villages", "headerName": "村数", "type": "rightAligned", "filter": "agNumberColumnFilter",
                 "maxWidth": 110})
    return cols
