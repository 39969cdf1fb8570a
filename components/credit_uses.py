"""Shared pieces of the credit-use pages (联合惩戒, 执法检查, 双公示推送, 开放与共享数据): the
grids' columns, the export toolbar and the push package's file renderer (the one export writer)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
import polars as pl
from dash import dcc, html

from components.export import csv_text, excel_bytes

PUNISHMENT_COLUMNS = [
    {"field": "name", "headerName": "主体名称", "minWidth": 150}, {"field": "kind", "headerName": "主体类别", "maxWidth": 130},
    {"field": "identifier", "headerName": "证件号码/统一社会信用代码", "minWidth": 190},
    {"field": "grade", "headerName": "信用等级", "maxWidth": 100},
    {"field": "title", "headerName": "失信行为", "minWidth": 200, "tooltipField": "title"},
    {"field": "subtype", "headerName": "失信类型", "maxWidth": 150},
    {"field": "severity", "headerName": "严重程度", "maxWidth": 100},
    {"field": "document_no", "headerName": "决定文书号", "minWidth": 150},
    {"field": "occurred_on", "headerName": "决定日期", "maxWidth": 120},
    {"field": "publicity_until", "headerName": "公示截止", "maxWidth": 120},
    {"field": "days_left", "headerName": "剩余天数", "maxWidth": 100, "filter": "agNumberColumnFilter"},
    {"field": "records", "headerName": "失信记录数", "maxWidth": 110, "filter": "agNumberColumnFilter"},
    {"field": "produced_by", "headerName": "认定部门"}, {"field": "region_name", "headerName": "所属区域"},
]
#: the same as an export's (column, header, kind)
PUNISHMENT_EXPORT = [(c["field"], c["headerName"], None) for c in PUNISHMENT_COLUMNS]

RECORD_COLUMNS = [
    {"field": "kind", "headerName": "记录类别", "maxWidth": 150}, {"field": "subtype", "headerName": "细类", "maxWidth": 140},
    {"field": "title", "headerName": "记录名称", "minWidth": 200, "tooltipField": "title"},
    {"field": "subject_name", "headerName": "主体名称"}, {"field": "subject_kind", "headerName": "主体类别", "maxWidth": 130},
    {"field": "identifier", "headerName": "证件号码/统一社会信用代码", "minWidth": 190},
    {"field": "occurred_on", "headerName": "日期", "maxWidth": 120},
    {"field": "publicity_until", "headerName": "公示截止", "maxWidth": 120},
    {"field": "document_no", "headerName": "文书号"}, {"field": "produced_by", "headerName": "数据产生部门"},
    {"field": "region_name", "headerName": "所属区域"},
]
RECORD_EXPORT = [(c["field"], c["headerName"], None) for c in RECORD_COLUMNS] + [("content", "内容", None)]


def export_bar(prefix: str) -> html.Div:
    """导出Excel / 导出CSV buttons and their download (`{prefix}-xlsx`, `{prefix}-csv`, `{prefix}-download`)."""
    return html.Div(className="d-flex gap-2 align-items-center", children=[
        dbc.Button("导出Excel", id=f"{prefix}-xlsx", color="secondary", outline=True, size="sm"),
        dbc.Button("导出CSV", id=f"{prefix}-csv", color="secondary", outline=True, size="sm"),
        dcc.Download(id=f"{prefix}-download")])


def push_files(code: str, title: str, fields, rows: list[dict]) -> dict[str, bytes]:
    """One 双公示 table as a CSV and an XLSX (headers are the field codes, as 信用中国 reads them;
    every value text, formula-like ones neutralised by components.export)."""
    columns = [(f.code, f.code, None) for f in fields]
    frame = pl.DataFrame(rows, schema={f.code: pl.String for f in fields}) if rows else \
        pl.DataFrame(schema={f.code: pl.String for f in fields})
    return {f"{code}.csv": csv_text(frame, columns).encode("utf-8"),
            f"{code}.xlsx": excel_bytes(frame, columns, f"{title}（{code}）")}
