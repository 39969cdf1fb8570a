"""Every row of an import file checked against its template and against the books: the region's
organisation exists and lies in the importer's jurisdiction, a base-data region is not locked
(Art. J14), a ledger's month is not closed and its voucher numbers are free, an asset code, a
contract number or a member's ID is not there already. The same check serves the preview
(read-only) and the commit (inside its transaction, so what is written is what was checked)."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select, tuple_

from data.basedata.lock import locked_by
from data.imports.files import rows as file_rows
from data.models import Asset, CollectiveOrg, Contract, Member, PeriodClose, Region, Voucher
from domain.imports.kinds import KINDS, MAX_ROWS, Kind, RowError, is_header, map_header, parse_row
from domain.imports.ledger import VoucherGroup, group_vouchers
from domain.money import period_label
from domain.permissions import scope_of

PREVIEW_ROWS = 20


@dataclass
class Checked:
    kind: Kind
    filename: str
    sha256: str
    size: int
    rows: list[dict] = field(default_factory=list)  # typed rows without errors
    count: int = 0  # data rows in the file
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)  # the first rows as read, by header
    vouchers: list[VoucherGroup] = field(default_factory=list)
    unmapped: set[int] = field(default_factory=set)
    orgs: dict[int, int] = field(default_factory=dict)  # region -> org id
    out_of_scope: set[int] = field(default_factory=set)
    locked: dict[int, int] = field(default_factory=dict)  # region -> the locked region covering it


def parse_file(kind_key: str | Kind, filename: str, content: bytes, today: dt.date) -> Checked:
    """The file read and each row typed; no database yet (`kind_key`: a key of KINDS, or another
    area's own `Kind`, as the price samples' imports pass theirs)."""
    kind = kind_key if isinstance(kind_key, Kind) else KINDS[kind_key]
    c = Checked(kind, filename, hashlib.sha256(content).hexdigest(), len(content))
    header, data = file_rows(filename, content, is_header(kind))
    at, c.errors = map_header(kind, header)
    if c.errors:
        return c
    headers = [col.header for col in kind.columns]
    for n, cells in data:
        c.count += 1
        if c.count > MAX_ROWS:
            c.errors.append(RowError(n, "", f"超过 {MAX_ROWS} 行，请分批导入"))
            break
        if len(c.preview) < PREVIEW_ROWS:
            c.preview.append({"行号": n, **{h: ("" if (i := at.get(col.key)) is None or i >= len(cells) or cells[i] is None
                                                 else str(cells[i])) for h, col in zip(headers, kind.columns)}})
        values, errs = parse_row(kind, n, cells, at, today)
        if errs:
            c.errors.extend(errs)
        else:
            c.rows.append(values)
    if c.count == 0 and not c.errors:
        c.errors.append(RowError(2, "", "文件中没有数据行"))
    return c


def _orgs(s, regions: set[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    codes = sorted(regions)
    for i in range(0, len(codes), 500):
        for region, org_id in s.execute(select(CollectiveOrg.region_code, CollectiveOrg.id)
                                        .where(CollectiveOrg.region_code.in_(codes[i:i + 500]))
                                        .order_by(CollectiveOrg.id)):
            out.setdefault(int(region), int(org_id))
    return out


def _existing(s, model, key_col, org_ids) -> set:
    found = set()
    ids = sorted(org_ids)
    for i in range(0, len(ids), 500):
        found |= {(int(o), k) for o, k in s.execute(select(model.org_id, key_col).where(model.org_id.in_(ids[i:i + 500])))}
    return found


def check_books(s, actor, c: Checked) -> Checked:
    """The rows of `c` checked against the books, as `actor` sees them."""
    if not c.rows:
        return c
    scope = scope_of(actor)
    regions = {r["region_code"] for r in c.rows}
    c.out_of_scope = {r for r in regions if not scope.contains(r)}
    inside = regions - c.out_of_scope
    c.orgs = _orgs(s, inside)
    if c.kind.base_data:
        for r in inside:
            code = locked_by(s, r)
            if code is not None:
                c.locked[r] = code
    names = dict(s.execute(select(Region.code, Region.name).where(Region.code.in_(set(c.locked.values())))).all())
    good: list[dict] = []
    for r in c.rows:
        code = r["region_code"]
        if code in c.out_of_scope:
            c.errors.append(RowError(r["_row"], "地区代码", f"地区 {code} 不在您的管辖范围内"))
        elif code not in c.orgs:
            c.errors.append(RowError(r["_row"], "地区代码", f"地区 {code} 没有集体经济组织"))
        elif code in c.locked:
            c.errors.append(RowError(r["_row"], "地区代码",
                                     f"{names.get(c.locked[code], c.locked[code])}已结束试运行期，基础数据已锁定"))
        else:
            good.append(r)
    c.rows = good
    getattr(_BY_KIND, c.kind.key.removesuffix("2004"))(s, c)
    return c


class _BY_KIND:
    @staticmethod
    def ledger(s, c: Checked) -> None:
        c.vouchers, errors, c.unmapped = group_vouchers(c.rows, c.kind.chart)
        c.errors.extend(errors)
        keys = {(c.orgs[g.region_code], g.period) for g in c.vouchers}
        if not keys:
            return
        closed, taken = set(), set()
        keys = sorted(keys)
        for i in range(0, len(keys), 400):
            part = keys[i:i + 400]
            closed |= {tuple(r) for r in s.execute(select(PeriodClose.org_id, PeriodClose.period).where(
                tuple_(PeriodClose.org_id, PeriodClose.period).in_(part), PeriodClose.status == "closed"))}
            taken |= {tuple(r) for r in s.execute(select(Voucher.org_id, Voucher.period, Voucher.number).where(
                tuple_(Voucher.org_id, Voucher.period).in_(part)))}
        for g in c.vouchers:
            org = c.orgs[g.region_code]
            if (org, g.period) in closed:
                c.errors.append(RowError(g.first_row, "日期", f"{period_label(g.period)}已结账，不能导入该月凭证"))
            if (org, g.period, g.number) in taken:
                c.errors.append(RowError(g.first_row, "凭证号", f"{g.label}凭证已存在"))

    @staticmethod
    def basedata(s, c: Checked) -> None:
        seen: dict[int, int] = {}
        for r in c.rows:
            if r["region_code"] in seen:
                c.errors.append(RowError(r["_row"], "地区代码", f"与第 {seen[r['region_code']]} 行重复"))
            seen.setdefault(r["region_code"], r["_row"])

    @staticmethod
    def _unique(s, c: Checked, model, col, key: str, header: str, what: str) -> None:
        existing = _existing(s, model, col, {c.orgs[r["region_code"]] for r in c.rows})
        seen: dict = {}
        for r in c.rows:
            k = (c.orgs[r["region_code"]], r[key])
            if k in existing:
                c.errors.append(RowError(r["_row"], header, f"{what} {r[key]} 已存在"))
            elif k in seen:
                c.errors.append(RowError(r["_row"], header, f"与第 {seen[k]} 行重复"))
            seen.setdefault(k, r["_row"])

    @staticmethod
    def assets(s, c: Checked) -> None:
        _BY_KIND._unique(s, c, Asset, Asset.code, "code", "资产编号", "资产编号")
        for r in c.rows:
            if (r["accumulated_depreciation_fen"] or 0) > r["original_value_fen"]:
                c.errors.append(RowError(r["_row"], "累计折旧", "累计折旧不能大于原值"))

    @staticmethod
    def resources(s, c: Checked) -> None:
        return None

    @staticmethod
    def contracts(s, c: Checked) -> None:
        _BY_KIND._unique(s, c, Contract, Contract.number, "number", "合同编号", "合同编号")
        for r in c.rows:
            if r["end_on"] < r["start_on"]:
                c.errors.append(RowError(r["_row"], "结束日期", "结束日期早于开始日期"))

    @staticmethod
    def members(s, c: Checked) -> None:
        _BY_KIND._unique(s, c, Member, Member.id_number, "id_number", "身份证号", "身份证号")


def group_by_region(rows: list[dict]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["region_code"]].append(r)
    return out
