"""The batch import of credit data on an authoritative document (Art. X18): one template per kind
(资金到户 subsidies paid to households, the lists of leading enterprises / model forest farms /
cooperatives, forest-rights registrations, other records), each row read into a subject draft
and a record or forest-right draft and checked by the same rules as a form
(domain.credit.drafts), every problem a `RowError` naming its row and column.

Without the document — its file (PDF, OFD or an image), title, number, issuing authority and
date — nothing enters (`document_problems`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePath

from domain.credit import codes
from domain.credit.drafts import RecordDraft, SubjectDraft, record_problems, subject_problems
from domain.credit.forest import ForestRightDraft, right_problems
from domain.imports import cells
from domain.imports.kinds import Column, Kind, RowError

MAX_ROWS = 20_000
DOCUMENT_TYPES = (".pdf", ".ofd", ".jpg", ".jpeg", ".png")


def _text(n: int, required: bool = True):
    def parse(v, _today):
        if cells.blank(v):
            return (None, "不能为空") if required else (None, None)
        return cells.words(v, n)
    return parse


def _raw(v, _today):  # checked by the draft's rules (identifier, amount, area, unit code)
    return ("" if cells.blank(v) else str(v).strip()), None


def _choice(labels):
    return lambda v, _t: cells.choice(v, labels)


def _opt_choice(labels):
    return lambda v, _t: (None, None) if cells.blank(v) else cells.choice(v, labels)


_date = lambda v, _t: cells.date(v)
_region = lambda v, _t: cells.region(v)
_ALL_SUBTYPES = {**codes.GOOD_TYPES, **codes.DISHONEST_TYPES, **codes.LIST_TYPES}
_KIND_LABELS = {k: label for k, (_c, label) in codes.RECORD_KINDS.items()}

_SUBJECT = (
    Column("region_code", "地区代码", _region, aliases=("所在地区代码", "区划代码"), example="360124100201"),
    Column("subject_kind", "主体类型", _choice(codes.SUBJECT_KINDS), example="自然人"),
    Column("identifier", "证件号码", _raw, aliases=("身份证号码", "统一社会信用代码"), example="360124197506010012"),
    Column("name", "名称", _text(200), aliases=("姓名", "主体名称"), example="张林生"),
    Column("legal_rep", "法定代表人", _text(50, False), required=False, aliases=("负责人",), example=""),
)
_PRODUCED = Column("produced_by", "产生部门", _text(100), aliases=("数据产生部门",), example="进贤县林业局")
_DOCNO = Column("document_no", "文书号", _text(100, False), required=False, example="")

KINDS: dict[str, Kind] = {k.key: k for k in [
    Kind("subsidy", "资金到户（补贴发放）", "条记录", _SUBJECT + (
        Column("title", "项目名称", _text(200), aliases=("补贴项目",), example="2026年生态公益林补偿"),
        Column("occurred_on", "发放日期", _date, example="2026-06-30"),
        Column("amount", "金额（元）", _raw, aliases=("金额",), example="1280.50"),
        _PRODUCED, _DOCNO)),
    Kind("list", "龙头企业、示范林场、示范合作社名单", "条记录", _SUBJECT + (
        Column("subtype", "名单类型", _choice(codes.LIST_TYPES), example="省级林业龙头企业"),
        Column("title", "名单名称", _text(200), example="2026年度省级林业龙头企业名单"),
        Column("occurred_on", "认定日期", _date, example="2026-05-20"),
        _PRODUCED, _DOCNO)),
    Kind("forest_right", "林权登记", "宗林权", _SUBJECT + (
        Column("unit_code", "不动产单元代码", _raw, example="360124001002JE00001L00000001"),
        Column("certificate_no", "不动产权证号", _text(60, False), required=False, example=""),
        Column("right_type", "权利类型", _choice(codes.RIGHT_TYPES), example="林地承包经营权"),
        Column("area", "面积（亩）", _raw, aliases=("面积",), example="35.5"),
        Column("forest_type", "林种", _choice(codes.FOREST_TYPES), example="用材林"),
        Column("species", "优势树种", _text(20), example="杉木"),
        Column("age_class", "龄组", _choice(codes.AGE_CLASSES), example="中龄林"),
        Column("stand_age", "林龄", _raw, required=False, example="14"),
        Column("stock", "蓄积量（立方米）", _raw, required=False, aliases=("蓄积量",), example="210.4"),
        Column("lon", "经度", _raw, required=False, example="116.25"),
        Column("lat", "纬度", _raw, required=False, example="28.37"))),
    Kind("other", "其他信用记录", "条记录", _SUBJECT + (
        Column("kind", "记录类别", _choice(_KIND_LABELS), example="优良信息"),
        Column("subtype", "具体类型", _opt_choice(_ALL_SUBTYPES), required=False, example="表彰奖励"),
        Column("title", "记录名称", _text(200), aliases=("事由",), example="全省森林防火先进个人"),
        Column("occurred_on", "发生日期", _date, aliases=("决定日期",), example="2026-03-12"),
        Column("amount", "金额（元）", _raw, required=False, example=""),
        Column("severity", "严重程度", _opt_choice(codes.SEVERITIES), required=False, example=""),
        Column("publicity_months", "公示期（月）", _raw, required=False, example=""),
        _PRODUCED, _DOCNO)),
]}

#: a draft's field -> the column it came from (for errors found by the drafts' rules)
_FIELD_COLUMN = {"kind": "记录类别", "subtype": "具体类型", "title": "项目名称", "occurred_on": "发生日期",
                 "amount": "金额（元）", "severity": "严重程度", "publicity_months": "公示期（月）", "area": "面积（亩）",
                 "stock": "蓄积量（立方米）", "lon": "经度", "lat": "纬度", "polygon": "经度"}


def _header(kind: Kind, field: str) -> str:
    for c in kind.columns:
        if c.key == field:
            return c.header
    if field == "region_code":
        return "地区代码"
    wanted = _FIELD_COLUMN.get(field, "")
    return next((c.header for c in kind.columns if c.header == wanted), "")


@dataclass
class RowDrafts:
    row: int
    subject: SubjectDraft
    subject_values: dict
    record: dict | None  # checked record values (record kinds)
    right: dict | None  # checked forest-right values (forest_right)


def check_row(kind: Kind, values: dict, today: dt.date) -> tuple[RowDrafts | None, list[RowError]]:
    """One row typed by its columns (domain.imports.kinds.parse_row) -> its drafts checked, or its errors."""
    row = values["_row"]
    errors: list[RowError] = []
    sd = SubjectDraft(kind=values.get("subject_kind") or "", identifier=values.get("identifier") or "",
                      name=values.get("name") or "", legal_rep=values.get("legal_rep") or "",
                      region_code=values.get("region_code"))
    sv, serr = subject_problems(sd, today)
    serr.pop("legal_rep", None)  # an existing organisation's representative is on its record already
    errors += [RowError(row, {"identifier": "证件号码", "name": "名称", "kind": "主体类型"}.get(f, "地区代码"), m)
               for f, m in serr.items()]
    record = right = None
    if kind.key == "forest_right":
        fd = ForestRightDraft(**{k: values.get(k) or "" for k in ("unit_code", "certificate_no", "right_type", "area",
                                                                   "forest_type", "species", "age_class", "stock",
                                                                   "lon", "lat")},
                              stand_age=values.get("stand_age") or None, region_code=values.get("region_code"))
        right, rerr = right_problems(fd)
        rerr.pop("region_code", None)  # named once, by the subject's check
        errors += [RowError(row, _header(kind, f), m) for f, m in rerr.items()]
    else:
        rd = RecordDraft(kind=values.get("kind") or kind.key, subtype=values.get("subtype"),
                         title=values.get("title") or "", occurred_on=values.get("occurred_on"),
                         amount=values.get("amount") or "", severity=values.get("severity"),
                         publicity_months=values.get("publicity_months") or None,
                         produced_by=values.get("produced_by") or "", document_no=values.get("document_no") or "",
                         source="import")
        record, rerr = record_problems(rd, today, sd.kind in codes.NATURAL_KINDS)
        errors += [RowError(row, _header(kind, f), m) for f, m in rerr.items()]
    if errors:
        return None, errors
    return RowDrafts(row, sd, sv, record, right), []


@dataclass
class DocumentDraft:
    title: str = ""
    number: str = ""
    issued_by: str = ""
    issued_on: dt.date | None = None
    filename: str = ""
    content: bytes = b""


def document_problems(d: DocumentDraft | None, today: dt.date) -> dict[str, str]:
    """Why the authoritative document does not carry a batch (each missing part), or {}."""
    if d is None or not d.content:
        return {"document": "缺少依据文件：依有效文件批量导入的数据须上传有权机关的依据文件（PDF、OFD 或图片）"}
    errors = {}
    if PurePath(d.filename or "").suffix.lower() not in DOCUMENT_TYPES:
        errors["document"] = "依据文件应为 PDF、OFD 或图片（JPG、PNG）"
    for field, what, n in (("title", "文件名称", 200), ("number", "文号", 100), ("issued_by", "发文机关", 100)):
        text = (getattr(d, field) or "").strip()
        if not text:
            errors[field] = f"请填写依据文件的{what}"
        elif len(text) > n:
            errors[field] = f"依据文件的{what}不超过{n}字"
    if d.issued_on is None:
        errors["issued_on"] = "请填写依据文件的发文日期"
    elif d.issued_on > today:
        errors["issued_on"] = "发文日期不能晚于今天"
    return errors
