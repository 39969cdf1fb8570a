"""The push of public credit data to 信用中国 in the 双公示 layout (Art. X28), as data.

Which records go where: an administrative penalty (a dishonest record of subtype `admin_penalty`)
→ 行政处罚 (CF); a basic registration record that is a licence (kind `basic`, subtype `licence`)
→ 行政许可 (XK). Only records whose open class is 无条件开放 (Art. X11), still in effect (status
active), decided within the period, are pushed; nothing else leaves.

Natural persons (双公示 practice, 《关于进一步规范行政许可和行政处罚等信用信息公示工作的通知》):
the name is published as the decision names it, the ID number never in full — the push carries
it masked (first 6 and last 4 characters, domain.identifiers.mask_resident_id), and the credit
code fields stay empty. Organisations carry their unified social credit code and legal
representative. Fines are held in integer fen and pushed in 万元 exactly (Decimal, fen / 1,000,000:
2,000 yuan = 200,000 fen = 0.2).

Each row is validated before it is pushed (required fields, yyyy-mm-dd dates, the credit codes by
domain.identifiers, a non-negative fine); a failing row is rejected with its reasons in Chinese
and the rest of the package still goes (the validation report lists every rejection).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from domain.identifiers import mask_resident_id, uscc_problem


@dataclass(frozen=True)
class PushField:
    code: str
    label: str
    required: bool = False
    kind: str = "text"  # text | date | uscc | wan (万元, Decimal)


def _f(code, label, required=False, kind="text"):
    return PushField(code, label, required, kind)


XK_FIELDS: tuple[PushField, ...] = (
    _f("XK_XDR_MC", "行政相对人名称", True), _f("XK_XDR_LB", "行政相对人类别", True),
    _f("XK_XDR_SHXYM", "统一社会信用代码", kind="uscc"), _f("XK_FRDB", "法定代表人"),
    _f("XK_XDR_ZJLX", "证件类型"), _f("XK_XDR_ZJHM", "证件号码"),
    _f("XK_XKWS", "行政许可决定文书名称", True), _f("XK_WSH", "行政许可决定文书号", True),
    _f("XK_XKLB", "许可类别", True), _f("XK_NR", "许可内容", True), _f("XK_JDRQ", "许可决定日期", True, "date"),
    _f("XK_YXQZ", "有效期自", True, "date"), _f("XK_YXQZI", "有效期至", True, "date"),
    _f("XK_XKJG", "许可机关", True), _f("XK_XKJGDM", "许可机关统一社会信用代码", True, "uscc"),
)
CF_FIELDS: tuple[PushField, ...] = (
    _f("CF_XDR_MC", "行政相对人名称", True), _f("CF_XDR_LB", "行政相对人类别", True),
    _f("CF_XDR_SHXYM", "统一社会信用代码", kind="uscc"), _f("CF_FRDB", "法定代表人"),
    _f("CF_XDR_ZJLX", "证件类型"), _f("CF_XDR_ZJHM", "证件号码"),
    _f("CF_WSH", "行政处罚决定书文号", True), _f("CF_WFXW", "违法行为类型", True), _f("CF_YJ", "处罚依据", True),
    _f("CF_CFLB", "处罚类别", True), _f("CF_NR", "处罚内容", True), _f("CF_NR_FK", "罚款金额（万元）", kind="wan"),
    _f("CF_JDRQ", "处罚决定日期", True, "date"), _f("CF_YXQ", "处罚有效期", True, "date"),
    _f("CF_GSJZQ", "公示截止期", True, "date"), _f("CF_CFJG", "处罚机关", True),
    _f("CF_CFJGDM", "处罚机关统一社会信用代码", True, "uscc"), _f("CF_SJLY", "数据来源单位", True),
)
TABLES = {"XK": ("行政许可", XK_FIELDS), "CF": ("行政处罚", CF_FIELDS)}
#: 行政相对人类别 of 双公示 by subject kind
SUBJECT_CLASSES = {"natural": "自然人", "legal": "法人及非法人组织", "organisation": "法人及非法人组织",
                   "individual_business": "个体工商户"}
LICENCE_SUBTYPE = "licence"
PENALTY_SUBTYPE = "admin_penalty"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WAN = Decimal(1_000_000)  # fen in one 万元


def table_of(record: Mapping) -> str | None:
    """'CF', 'XK' or None (not pushed): by kind and subtype; only unconditional-open, active records."""
    if record.get("open_class") != "unconditional" or record.get("status", "active") != "active":
        return None
    if record.get("kind") == "dishonest" and record.get("subtype") == PENALTY_SUBTYPE:
        return "CF"
    if record.get("kind") == "basic" and record.get("subtype") == LICENCE_SUBTYPE:
        return "XK"
    return None


def fen_to_wan(fen: int | None) -> Decimal | None:
    """Integer fen → exact 万元: 200000 (2,000 yuan) → Decimal('0.2')."""
    if fen is None:
        return None
    return (Decimal(int(fen)) / WAN).normalize() if fen else Decimal(0)


def _date(v) -> str:
    return v.isoformat() if isinstance(v, dt.date) else ("" if v is None else str(v))


def _subject(prefix: str, r: Mapping) -> dict:
    natural = r.get("subject_kind") == "natural" or r.get("id_type") != "uscc"
    return {f"{prefix}_XDR_MC": r.get("subject_name") or "", f"{prefix}_XDR_LB": SUBJECT_CLASSES.get(r.get("subject_kind"), ""),
            f"{prefix}_XDR_SHXYM": "" if natural else (r.get("identifier") or ""),
            f"{prefix}_FRDB": "" if natural else (r.get("legal_rep") or ""),
            f"{prefix}_XDR_ZJLX": "身份证" if natural and r.get("id_type") == "resident" else ("其他" if natural else ""),
            f"{prefix}_XDR_ZJHM": mask_resident_id(r.get("identifier")) if natural else ""}


def build_row(table: str, r: Mapping) -> dict:
    """One record (with its subject's fields: subject_name, subject_kind, id_type, identifier,
    legal_rep) in the table's field layout, every value text (a fine a Decimal)."""
    d = r.get("detail") or {}
    if table == "CF":
        out = _subject("CF", r)
        out.update({"CF_WSH": r.get("document_no") or "", "CF_WFXW": r.get("title") or "",
                    "CF_YJ": d.get("legal_basis") or "",
                    "CF_CFLB": d.get("penalty_type") or ("罚款" if r.get("amount_fen") else ""),
                    "CF_NR": r.get("content") or "", "CF_NR_FK": fen_to_wan(r.get("amount_fen")),
                    "CF_JDRQ": _date(r.get("occurred_on")), "CF_YXQ": _date(d.get("valid_until") or r.get("publicity_until")),
                    "CF_GSJZQ": _date(r.get("publicity_until")), "CF_CFJG": r.get("produced_by") or "",
                    "CF_CFJGDM": d.get("authority_code") or "", "CF_SJLY": r.get("produced_by") or ""})
        return out
    out = _subject("XK", r)
    out.update({"XK_XKWS": r.get("title") or "", "XK_WSH": r.get("document_no") or "",
                "XK_XKLB": d.get("licence_type") or "普通", "XK_NR": r.get("content") or "",
                "XK_JDRQ": _date(r.get("occurred_on")), "XK_YXQZ": _date(d.get("valid_from") or r.get("occurred_on")),
                "XK_YXQZI": _date(d.get("valid_until") or "2099-12-31"), "XK_XKJG": r.get("produced_by") or "",
                "XK_XKJGDM": d.get("authority_code") or ""})
    return out


def row_problems(table: str, row: Mapping) -> list[str]:
    """Why a row may not be pushed (empty: it may), in Chinese, one reason per field."""
    out = []
    for f in TABLES[table][1]:
        v = row.get(f.code)
        if v is None or v == "":
            if f.required:
                out.append(f"{f.label}（{f.code}）不能为空")
            continue
        if f.kind == "date":
            try:
                ok = bool(DATE_RE.match(str(v))) and dt.date.fromisoformat(str(v)) is not None
            except ValueError:
                ok = False
            if not ok:
                out.append(f"{f.label}（{f.code}）应为yyyy-mm-dd格式的日期")
        elif f.kind == "uscc" and (problem := uscc_problem(str(v))):
            out.append(f"{f.label}（{f.code}）无效：{problem}")
        elif f.kind == "wan" and Decimal(v) < 0:
            out.append(f"{f.label}（{f.code}）不能为负数")
    natural = row.get(f"{table}_XDR_LB") == "自然人"
    if not natural and not row.get(f"{table}_XDR_SHXYM"):
        out.append(f"法人及非法人组织、个体工商户须填写统一社会信用代码（{table}_XDR_SHXYM）")
    if table == "CF" and row.get("CF_JDRQ") and row.get("CF_GSJZQ") and str(row["CF_GSJZQ"]) < str(row["CF_JDRQ"]):
        out.append("公示截止期（CF_GSJZQ）不能早于处罚决定日期")
    return out


def validate(records) -> dict:
    """{"rows": {"XK": [...], "CF": [...]}, "rejected": [{table, record_id, reasons}], "counts"}:
    every pushable record built and checked."""
    rows: dict[str, list[dict]] = {"XK": [], "CF": []}
    rejected = []
    for r in records:
        table = table_of(r)
        if table is None:
            continue
        row = build_row(table, r)
        problems = row_problems(table, row)
        if problems:
            rejected.append({"table": table, "record_id": int(r["id"]), "title": r.get("title") or "", "reasons": problems})
        else:
            rows[table].append(row)
    counts = {t: {"pushed": len(rows[t]), "rejected": sum(x["table"] == t for x in rejected)} for t in TABLES}
    return {"rows": rows, "rejected": rejected, "counts": counts}
