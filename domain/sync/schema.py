"""The national sync format (Art. J26): the tables of the yearly collective-assets report, each
with a JSON Schema (draft 2020-12) generated from one declaration here, so that the package, its
documentation and its validation never disagree.

A package is a zip: `manifest.json` (format, version, province, year, tables with row counts and
the SHA-256 of every file, the villages left out and why), `schemas/<table>.schema.json`,
`data/<table>.jsonl` (one JSON object a line, UTF-8, keys sorted) and `validation_report.json`.
Money is integer fen (exact, may be negative); areas are decimal strings in mu with four places;
region codes are the 12-digit NBS codes. A change to any table's fields is a new FORMAT_VERSION
(semantic: a new optional field is a minor version, anything else a major one).
"""
from __future__ import annotations

from dataclasses import dataclass

FORMAT_NAME = "nccap-sync"
FORMAT_VERSION = "1.0.0"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # region | year | count | fen | fen_or_null | area | text
    title: str


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    fields: tuple[Field, ...]
    #: the fields that identify a row
    key: tuple[str, ...] = ("region_code",)

    @property
    def file(self) -> str:
        return f"data/{self.name}.jsonl"

    @property
    def schema_file(self) -> str:
        return f"schemas/{self.name}.schema.json"


def _f(name: str, kind: str, title: str) -> Field:
    return Field(name, kind, title)


_ROW = (_f("region_code", "region", "村级区划代码"), _f("year", "year", "年度"))

TABLES: tuple[Table, ...] = (
    Table("basic_situation", "基本情况", _ROW + (
        _f("village_name", "text", "村名称"), _f("township_code", "region", "乡镇区划代码"),
        _f("county_code", "region", "县级区划代码"), _f("collective_orgs", "count", "集体经济组织数"),
        _f("village_groups", "count", "村民小组数"), _f("households", "count", "户数"),
        _f("population", "count", "人口数"), _f("labour_force", "count", "劳动力数"),
        _f("farmland_mu", "area", "集体耕地面积（亩）"))),
    Table("balance_sheet", "资产负债表（账面值与核实值）", _ROW + (
        _f("cash_fen", "fen", "库存现金"), _f("bank_fen", "fen", "银行存款"), _f("short_investment_fen", "fen", "短期投资"),
        _f("receivables_fen", "fen", "应收款项"), _f("inventory_fen", "fen", "库存物资及生产成本"),
        _f("biological_fen", "fen", "生物资产"), _f("long_investment_fen", "fen", "长期投资"),
        _f("fixed_assets_fen", "fen", "固定资产（净额）"), _f("intangible_fen", "fen", "无形资产（净额）"),
        _f("other_assets_fen", "fen", "其他资产"), _f("total_assets_fen", "fen", "资产总计（账面值）"),
        _f("liabilities_fen", "fen", "负债合计"), _f("equity_fen", "fen", "所有者权益合计（含未结转本年收益）"),
        _f("total_liabilities_equity_fen", "fen", "负债和所有者权益总计"),
        _f("check_book_assets_fen", "fen_or_null", "资产清查账面值"),
        _f("verified_assets_fen", "fen_or_null", "资产清查核实值"))),
    Table("income_distribution", "收益及收益分配", _ROW + (
        _f("income_operating_fen", "fen", "经营收入"), _f("income_investment_fen", "fen", "投资收益"),
        _f("expense_operating_fen", "fen", "经营支出"), _f("expense_tax_fen", "fen", "税金及附加"),
        _f("expense_admin_fen", "fen", "管理费用"), _f("operating_profit_fen", "fen", "经营收益"),
        _f("income_subsidy_fen", "fen", "补助收入"), _f("income_other_fen", "fen", "其他收入"),
        _f("expense_public_fen", "fen", "公益支出"), _f("expense_other_fen", "fen", "其他支出"),
        _f("expense_income_tax_fen", "fen", "所得税费用"), _f("net_profit_fen", "fen", "本年收益"),
        _f("income_band", "text", "经营收入分组"))),
    Table("resources", "资源性资产（按类型）", _ROW + (
        _f("type", "text", "资源类型"), _f("parcels", "count", "宗数"), _f("area_mu", "area", "面积（亩）"),
        _f("contracted_area_mu", "area", "已发包面积（亩）")), key=("region_code", "type")),
    Table("monetary_funds", "货币资金", _ROW + (
        _f("cash_fen", "fen", "库存现金"), _f("bank_fen", "fen", "银行存款"), _f("total_fen", "fen", "货币资金合计"))),
    Table("claims_debts", "债权债务", _ROW + (
        _f("receivables_fen", "fen", "应收款"), _f("internal_fen", "fen", "内部往来"),
        _f("claims_total_fen", "fen", "债权合计"), _f("short_loans_fen", "fen", "短期借款"),
        _f("payables_fen", "fen", "应付款"), _f("wages_fen", "fen", "应付工资"), _f("labour_fen", "fen", "应付劳务费"),
        _f("taxes_fen", "fen", "应交税费"), _f("long_term_fen", "fen", "长期借款及应付款"),
        _f("one_matter_fen", "fen", "一事一议资金"), _f("special_fen", "fen", "专项应付款"),
        _f("debts_total_fen", "fen", "债务合计"))),
    Table("operating_assets", "经营性与非经营性资产", _ROW + (
        _f("operating_count", "count", "经营性资产数"), _f("operating_original_fen", "fen", "经营性资产原值"),
        _f("operating_net_fen", "fen", "经营性资产净值"), _f("non_operating_count", "count", "非经营性资产数"),
        _f("non_operating_original_fen", "fen", "非经营性资产原值"),
        _f("non_operating_net_fen", "fen", "非经营性资产净值"))),
)
TABLE_BY_NAME = {t.name: t for t in TABLES}

_KINDS: dict[str, dict] = {
    "region": {"type": "integer", "minimum": 10**11, "maximum": 10**12 - 1},
    "year": {"type": "integer", "minimum": 2000, "maximum": 2100},
    "count": {"type": "integer", "minimum": 0},
    "fen": {"type": "integer", "description": "金额，单位：分（整数，精确）"},
    "fen_or_null": {"type": ["integer", "null"], "description": "金额，单位：分；未清查为 null"},
    "area": {"type": "string", "pattern": r"^\d+\.\d{4}$", "description": "面积，单位：亩，保留四位小数"},
    "text": {"type": "string", "minLength": 1, "maxLength": 200},
}


def json_schema(table: Table) -> dict:
    """The JSON Schema (draft 2020-12) of one row of `table`: every field required, nothing else allowed."""
    props = {f.name: {**_KINDS[f.kind], "title": f.title} for f in table.fields}
    return {"$schema": DIALECT, "$id": f"urn:{FORMAT_NAME}:{FORMAT_VERSION}:{table.name}",
            "title": table.title, "description": f"{table.title}：每村一行" if table.key == ("region_code",)
            else f"{table.title}：每村每{'、'.join(table.key[1:])}一行",
            "type": "object", "additionalProperties": False,
            "required": [f.name for f in table.fields], "properties": props,
            "x-format": {"name": FORMAT_NAME, "version": FORMAT_VERSION, "key": list(table.key)}}


def all_schemas() -> dict[str, dict]:
    return {t.name: json_schema(t) for t in TABLES}


def manifest_schema() -> dict:
    """The schema of manifest.json itself (checked before a package is written)."""
    file_entry = {"type": "object", "required": ["name", "bytes", "sha256"], "properties": {
        "name": {"type": "string"}, "rows": {"type": "integer", "minimum": 0}, "bytes": {"type": "integer", "minimum": 0},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}}
    return {"$schema": DIALECT, "$id": f"urn:{FORMAT_NAME}:{FORMAT_VERSION}:manifest", "type": "object",
            "required": ["format", "format_version", "province", "year", "scope_region", "generated_at", "tables",
                         "files", "excluded"],
            "properties": {"format": {"const": FORMAT_NAME}, "format_version": {"const": FORMAT_VERSION},
                           "province": {"type": "integer"}, "year": {"type": "integer"},
                           "scope_region": {"type": "integer"}, "generated_at": {"type": "string"},
                           "tables": {"type": "array", "items": file_entry}, "files": {"type": "array", "items": file_entry},
                           "excluded": {"type": "array"}}}
