"""The catalogue of what the data API can serve (Art. J23 "最小可用"): each dataset with its
fields, which of them are a natural person's data (masked unless an approval grants them, by
domain.privacy), and the date a period applies to. An application picks datasets and fields from
here; a key serves exactly what its approval lists."""
from __future__ import annotations

from dataclasses import dataclass

from domain.privacy import Purpose, id_shown, name_shown


@dataclass(frozen=True)
class FieldDef:
    label: str
    type: str = "string"  # string | integer | date (as JSON: a yyyy-mm-dd string) | decimal (as a string)
    #: a natural person's data: "name" (a person's name) or "id" (an ID number; `id_type` names the
    #: row's field saying which kind); None: not personal
    personal: str | None = None
    id_type: str | None = None


@dataclass(frozen=True)
class Dataset:
    label: str
    fields: dict[str, FieldDef]
    #: the field a period (data from/to) restricts; None: a current snapshot, no period applies
    date_field: str | None = None
    #: the date field's form: "date" (yyyy-mm-dd) or "month" (yyyymm)
    date_kind: str = "date"
    #: personal fields masked whatever the approval says (open data: published to society, Art. X38)
    always_masked: bool = False


_REGION = FieldDef("区划代码", "integer")
DATASETS: dict[str, Dataset] = {
    "organisations": Dataset("集体经济组织名录", {
        "region_code": _REGION, "name": FieldDef("组织名称"), "uscc": FieldDef("统一社会信用代码"),
        "org_type": FieldDef("组织类型"), "established_on": FieldDef("成立日期", "date")}),
    "village_base": Dataset("村级基础数据", {
        "region_code": _REGION, "org_name": FieldDef("组织名称"), "population": FieldDef("人口", "integer"),
        "households": FieldDef("户数", "integer"), "labour_force": FieldDef("劳动力", "integer"),
        "village_groups": FieldDef("村民小组数", "integer"), "farmland_mu": FieldDef("耕地面积（亩）", "decimal")}),
    "assets": Dataset("资产概况", {
        "region_code": _REGION, "code": FieldDef("资产编号"), "name": FieldDef("资产名称"),
        "category": FieldDef("类别"), "status": FieldDef("状态"),
        "original_value_fen": FieldDef("原值（分）", "integer"), "net_value_fen": FieldDef("净值（分）", "integer"),
        "acquired_on": FieldDef("取得日期", "date"), "custodian": FieldDef("保管人", personal="name")},
        date_field="acquired_on"),
    "resources": Dataset("资源概况", {
        "region_code": _REGION, "name": FieldDef("资源名称"), "type": FieldDef("资源类型"),
        "area_mu": FieldDef("面积（亩）", "decimal"), "contracted": FieldDef("是否发包", "integer"),
        "contractor": FieldDef("承包方", personal="name"), "contracted_until": FieldDef("承包到期日", "date")}),
    "contracts": Dataset("合同概况", {
        "region_code": _REGION, "number": FieldDef("合同编号"), "title": FieldDef("合同名称"),
        "kind": FieldDef("合同类型"), "counterparty": FieldDef("相对方", personal="name", id_type="counterparty_id_type"),
        "counterparty_id": FieldDef("相对方证件号码", personal="id", id_type="counterparty_id_type"),
        "amount_fen": FieldDef("合同金额（分）", "integer"), "signed_on": FieldDef("签订日期", "date"),
        "end_on": FieldDef("到期日", "date"), "status": FieldDef("状态")}, date_field="signed_on"),
    "funds_monthly": Dataset("资金月度收支", {
        "region_code": _REGION, "period": FieldDef("月份（yyyymm）", "integer"),
        "receipts_fen": FieldDef("货币资金收入（分）", "integer"), "payments_fen": FieldDef("货币资金支出（分）", "integer")},
        date_field="period", date_kind="month"),
    "warnings": Dataset("监督预警", {
        "region_code": _REGION, "rule_id": FieldDef("规则"), "severity": FieldDef("等级", "integer"),
        "status": FieldDef("状态"), "title": FieldDef("预警内容"), "raised_on": FieldDef("预警日期", "date")},
        date_field="raised_on"),
}


def _credit_fields() -> dict[str, FieldDef]:
    """A forestry credit record as the API serves it (codes of domain.credit.codes)."""
    return {"region_code": _REGION, "kind": FieldDef("记录类别"), "subtype": FieldDef("记录细类"),
            "title": FieldDef("记录名称"), "occurred_on": FieldDef("决定（发生）日期", "date"),
            "publicity_until": FieldDef("公示截止日期", "date"), "document_no": FieldDef("文书号"),
            "produced_by": FieldDef("数据产生部门"), "subject_kind": FieldDef("主体类别"),
            "subject_name": FieldDef("主体名称", personal="name", id_type="id_type"),
            "identifier": FieldDef("主体证件号码（统一社会信用代码）", personal="id", id_type="id_type")}


# forestry credit (Jiangxi Art. X38, X40): unconditional-open records for any key granted them
# (natural persons always masked), unconditional-shared records for public bodies' keys
DATASETS["credit_open_records"] = Dataset("林业信用无条件开放数据", _credit_fields(), date_field="occurred_on",
                                          always_masked=True)
DATASETS["credit_shared_records"] = Dataset("林业信用无条件共享数据（公共管理和服务机构）", _credit_fields(),
                                            date_field="occurred_on")


def personal_fields(dataset: str) -> tuple[str, ...]:
    return tuple(k for k, f in DATASETS[dataset].fields.items() if f.personal)


def scope_problems(scope: dict) -> str | None:
    """Why a requested scope ({dataset: [field, ...]}) is not a valid pick from the catalogue."""
    if not isinstance(scope, dict) or not scope:
        return "请至少选择一个数据集"
    for name, fields in scope.items():
        ds = DATASETS.get(name)
        if ds is None:
            return f"未知的数据集：{name}"
        if not isinstance(fields, list | tuple) or not fields:
            return f"请为“{ds.label}”选择所需字段"
        unknown = [f for f in fields if f not in ds.fields]
        if unknown:
            return f"“{ds.label}”没有字段：{'、'.join(map(str, unknown))}"
    return None


def scope_text(scope: dict) -> str:
    """'集体经济组织名录（组织名称、成立日期）；…' for a page or the security log."""
    parts = []
    for name, fields in (scope or {}).items():
        ds = DATASETS.get(name)
        if ds is not None:
            parts.append(f"{ds.label}（{'、'.join(ds.fields[f].label for f in fields if f in ds.fields)}）")
    return "；".join(parts)


def asks_personal(scope: dict) -> bool:
    return any(DATASETS[n].fields[f].personal for n, fs in (scope or {}).items() if n in DATASETS
               for f in fs if f in DATASETS[n].fields)


def shaped(dataset: str, row: dict, fields: list[str], personal_granted: bool) -> dict:
    """One row as the API serves it: only `fields`, a person's name and ID masked (domain.privacy,
    the statistics purpose: every personal field masked) unless the approval grants them."""
    ds = DATASETS[dataset]
    out = {}
    for f in fields:
        value, fd = row.get(f), ds.fields[f]
        if fd.personal and (not personal_granted or ds.always_masked) and isinstance(value, str):
            kind = row.get(fd.id_type) if fd.id_type else None
            value = (name_shown(value, kind, Purpose.STATISTICS) if fd.personal == "name"
                     else id_shown(value, kind, Purpose.STATISTICS))
        out[f] = value
    return out
