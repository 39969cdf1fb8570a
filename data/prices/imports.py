"""Imports of the price samples: forest-rights sales and forest-management cost observations from
CSV or Excel, through the collective economy's import pieces — the file reader (data.imports.files:
CSV in UTF-8 or GBK, .xlsx/.xls through calamine, every cell as text), the header mapping and the
cell parsers (domain.imports.kinds / cells, the two templates in domain.prices.imports), the
import record (`data_imports`) and its security-log entry (data.imports.service).

`preview` reads and checks (nothing written): every bad row and column in Chinese, the first rows,
the counts, whether the same file was imported already. `commit` is all or nothing in one
transaction: the checks again, every row written with `import_id`, the `DataImport` record and the
audit entry; a bad row writes nothing but the attempt's record (rejected); a row outside the
importer's jurisdiction refuses the whole file (in the security log); the same file (SHA-256) a
second time is refused.

Regions: a sale's region is a county, township or village code of the province's tree (the
parcel's village where known); a cost observation's is any code at or below a county, stored as
its county (the cost index reads counties).
"""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import insert, select

from data.db import reading, transaction
from data.imports import service
from data.imports.check import PREVIEW_ROWS, Checked, parse_file
from data.imports.files import FileProblem
from data.imports.service import Rejected, duplicate_message
from data.imports.write import chunks, record_columns
from data.models import CostObservation, DataImport, PriceSale, Region
from domain.imports.kinds import RowError, template_rows
from domain.permissions import Action, Refused, ensure, scope_of
from domain.prices.imports import PRICE_KINDS
from domain.regions import COUNTY, level_of, truncate

__all__ = ["PRICE_KINDS", "Rejected", "commit", "preview", "template"]


def template(kind: str) -> tuple[list[str], list[str]]:
    """The kind's template: its header row and one example row."""
    return template_rows(PRICE_KINDS[kind])


def _kind(kind: str):
    if kind not in PRICE_KINDS:
        raise ValueError(f"未知的导入内容：{kind}")
    return PRICE_KINDS[kind]


def _parsed(kind: str, filename: str, content: bytes, today: dt.date) -> Checked:
    """The file read and typed by the collective economy's reader and header mapping (no database)."""
    k = _kind(kind)
    try:
        return parse_file(k, filename, content, today)
    except FileProblem as exc:
        c = Checked(k, filename, hashlib.sha256(content).hexdigest(), len(content))
        c.errors = [RowError(1, "", str(exc))]
        return c


def _known(s, codes: set[int]) -> set[int]:
    found: set[int] = set()
    ordered = sorted(codes)
    for i in range(0, len(ordered), 500):
        found |= {int(c) for c in s.scalars(select(Region.code).where(Region.code.in_(ordered[i:i + 500])))}
    return found


def _check(s, actor, c: Checked, today: dt.date) -> Checked:
    """The typed rows against the region tree and the importer's jurisdiction."""
    if not c.rows:
        return c
    scope = scope_of(actor)
    regions = {r["region_code"] for r in c.rows}
    c.out_of_scope = {r for r in regions if not scope.contains(r)}
    known = _known(s, regions - c.out_of_scope)
    good = []
    for r in c.rows:
        code = r["region_code"]
        if code in c.out_of_scope:
            c.errors.append(RowError(r["_row"], "地区代码", f"地区 {code} 不在您的管辖范围内"))
        elif code not in known:
            c.errors.append(RowError(r["_row"], "地区代码", f"地区 {code} 不在本省行政区划中"))
        elif level_of(code) < COUNTY:
            c.errors.append(RowError(r["_row"], "地区代码", "应为县级或县级以下（乡镇、村）的区划代码"))
        elif r.get("deal_on", r.get("observed_on")) > today:
            header = "成交日期" if c.kind.key == "price_sales" else "观测日期"
            c.errors.append(RowError(r["_row"], header, f"{header}不能晚于今天"))
        else:
            good.append(r)
    c.rows = good
    return c


def preview(url: str, actor, kind: str, filename: str, content: bytes, today: dt.date) -> dict:
    """What committing the file would do: the counts, every error (row and column), the first rows."""
    ensure(actor, Action.PRICE_DATA_IMPORT)
    c = _parsed(kind, filename, content, today)
    with reading(url) as s:
        c = _check(s, actor, c, today)
        earlier = service.earlier_import(s, c.kind.key, c.sha256) if c.sha256 else None
        out = service.import_summary(c)
        out["duplicate"] = duplicate_message(s, earlier) if earlier else ""
        out["preview"] = out["preview"][:PREVIEW_ROWS]
        return out


def _write(s, actor, c: Checked, import_id: int) -> int:
    base = {**record_columns(actor, c), "import_id": import_id, "source": "import"}
    if c.kind.key == "price_sales":
        model = PriceSale
        rows = [{**base, "region_code": r["region_code"], "deal_on": r["deal_on"], "kind": r["kind"] or "transfer",
                 "area_mu": r["area_mu"], "price_fen": r["price_fen"], "forest_type": r["forest_type"],
                 "species": r["species"], "age_class": r["age_class"], "volume_m3_per_mu": r["volume_m3_per_mu"],
                 "site_class": r["site_class"], "term_years": r["term_years"], "right_type": r["right_type"]}
                for r in c.rows]
    else:
        model = CostObservation
        rows = [{**base, "region_code": truncate(r["region_code"], COUNTY), "observed_on": r["observed_on"],
                 "item": r["item"], "unit_cost_fen": r["unit_cost_fen"]} for r in c.rows]
    for part in chunks(rows, None, len(rows)):
        s.execute(insert(model), part)
    return len(rows)


def commit(url: str, key: str, actor, kind: str, filename: str, content: bytes, today: dt.date) -> dict:
    """Import the whole file or nothing. Returns {"import_id", "rows", "message"}; raises `Rejected`
    (errors by row and column, or the same file again: nothing written but the attempt's record) or
    `Refused` (a row outside the jurisdiction: in the security log)."""
    ensure(actor, Action.PRICE_DATA_IMPORT)
    c = _parsed(kind, filename, content, today)
    refusal = None
    with transaction(url, actor) as s:
        c = _check(s, actor, c, today)
        earlier = service.earlier_import(s, c.kind.key, c.sha256)
        if earlier is not None:
            refusal = (duplicate_message(s, earlier), False)
        elif c.out_of_scope:
            codes = "、".join(str(x) for x in sorted(c.out_of_scope)[:5])
            refusal = (f"文件中有不在您管辖范围内的地区（{codes}），整份未导入", True)
        elif not c.errors:
            message = f"已导入{c.kind.label} {c.count} 行"
            rec = DataImport(kind=c.kind.key, filename=filename[:200], sha256=c.sha256, size=c.size, rows=c.count,
                             result="committed", message=message, region_code=actor.scope.root,
                             imported_by_id=actor.user_id, collected_by_id=actor.user_id,
                             responsible_by=actor.username, detail=None)
            s.add(rec)
            s.flush()
            written = _write(s, actor, c, rec.id)
            rec.detail = {"written": written}
            service.log_import(s, key, actor, "data_import", f"导入{c.kind.label}：{filename}，{message}", "success",
                         import_id=rec.id, sha256=c.sha256, kind=c.kind.key, rows=c.count)
            return {"import_id": rec.id, "rows": c.count, "written": written, "message": message}
    if refusal is not None:
        text, security = refusal
        if security:
            service.record_attempt(url, key, actor, c, "refused", text, "permission_denied", "denied")
            raise Refused(text, Action.PRICE_DATA_IMPORT)
        service.record_attempt(url, key, actor, c, "refused", text)
        raise Rejected({**service.import_summary(c, text), "duplicate": text})
    n = len(c.errors)
    service.record_attempt(url, key, actor, c, "rejected", f"有 {n} 处错误，整份未导入")
    raise Rejected(service.import_summary(c, f"有 {n} 处错误，整份未导入"))
