"""What a form or an import row says about a forest right by parcel unit (Art. X29) or an
encumbrance on one (a mortgage; a restriction note, Art. X47(3), which never changes the right's
ownership data), and the checks that turn it into stored values or name every wrong field in
Chinese: the unit code checked part by part (domain.identifiers.unit_code_problem), its county
the parcel's county, the area positive, the location a point or a closed simplified polygon of at
most 200 points inside a sane box of the province."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from domain.contracts import parse_area
from domain.credit import codes
from domain.credit.drafts import Draft, region_value
from domain.funds.parsing import parse_amount
from domain.identifiers import normalise_unit_code, unit_code_problem
from domain.text import put_text

#: a sane box (lon, lat) per province for a point or polygon; elsewhere mainland China's
BOXES = {36: (113.5, 118.5, 24.4, 30.1), 22: (121.6, 131.3, 40.8, 46.3)}
CHINA_BOX = (73.5, 135.1, 18.1, 53.6)
MAX_POLYGON_POINTS = 200


class ForestRightDraft(Draft):
    unit_code: str = ""
    certificate_no: str = ""
    right_type: str = ""
    region_code: int | str | None = None  # the parcel's village or county
    area: str = ""
    forest_type: str = ""
    species: str = ""
    age_class: str = ""
    stand_age: int | str | None = None
    stock: str = ""
    lon: str = ""
    lat: str = ""
    polygon: str = ""  # [[lon, lat], …] closed, at most 200 points
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    resource_id: int | None = None


def _decimal(text) -> Decimal | None:
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _inside(box, lon: float, lat: float) -> bool:
    return box[0] <= lon <= box[1] and box[2] <= lat <= box[3]


def _location(errors: dict, d: ForestRightDraft, box) -> tuple[float | None, float | None, list | None]:
    lon, lat, polygon = None, None, None
    if (d.lon or "").strip() or (d.lat or "").strip():
        x, y = _decimal(d.lon), _decimal(d.lat)
        if x is None or y is None:
            errors["lon"] = "经纬度应为数字（例如 115.86, 28.68）"
        elif not _inside(box, float(x), float(y)):
            errors["lon"] = "位置不在本省范围内，请核对经纬度"
        else:
            lon, lat = float(x), float(y)
    if (d.polygon or "").strip():
        try:
            pts = json.loads(d.polygon)
            ok = isinstance(pts, list) and all(isinstance(p, list) and len(p) == 2 and
                                               all(isinstance(c, int | float) for c in p) for p in pts)
        except ValueError:
            ok = False
        if not ok:
            errors["polygon"] = "范围应为 [[经度, 纬度], …] 的点列"
        elif not 4 <= len(pts) <= MAX_POLYGON_POINTS:
            errors["polygon"] = f"范围应为4至{MAX_POLYGON_POINTS}个点（首尾相同）"
        elif pts[0] != pts[-1]:
            errors["polygon"] = "范围应闭合：最后一个点应与第一个点相同"
        elif not all(_inside(box, float(x), float(y)) for x, y in pts):
            errors["polygon"] = "范围有点不在本省范围内，请核对经纬度"
        else:
            polygon = [[float(x), float(y)] for x, y in pts]
            if lon is None:  # the point shown on maps: the vertices' mean
                lon = sum(p[0] for p in polygon[:-1]) / (len(polygon) - 1)
                lat = sum(p[1] for p in polygon[:-1]) / (len(polygon) - 1)
    return lon, lat, polygon


def right_problems(d: ForestRightDraft) -> tuple[dict, dict[str, str]]:
    """A forest right by parcel unit (Art. X29): the unit code's county is the parcel's county."""
    errors: dict[str, str] = {}
    code = normalise_unit_code(d.unit_code or "")
    if (why := unit_code_problem(code)) is not None:
        errors["unit_code"] = why
    region = region_value(errors, d.region_code)
    if region is not None and "unit_code" not in errors and code[:6] != str(region)[:6]:
        errors["unit_code"] = f"不动产单元代码的县级行政区划代码{code[:6]}与宗地所在县{str(region)[:6]}不一致"
    v: dict = {"unit_code": code, "region_code": region}
    v["certificate_no"] = put_text(errors, "certificate_no", d.certificate_no, "林权证（不动产权证）号", 60,
                                   required=False) or None
    for field, table, what in (("right_type", codes.RIGHT_TYPES, "权利类型"), ("forest_type", codes.FOREST_TYPES, "林种"),
                               ("age_class", codes.AGE_CLASSES, "龄组")):
        if getattr(d, field) not in table:
            errors[field] = f"请选择{what}"
        v[field] = getattr(d, field)
    if d.species not in codes.SPECIES:
        errors["species"] = "请选择优势树种"
    v["species"] = d.species
    area, why = parse_area(d.area)
    if why:
        errors["area"] = why
    elif area <= 0:
        errors["area"] = "面积应大于0"
    elif area != area.quantize(Decimal("0.01")):
        errors["area"] = "面积最多两位小数"
    v["area_mu"] = area
    v["stand_age"] = None
    if d.stand_age not in (None, ""):
        try:
            v["stand_age"] = int(str(d.stand_age).strip())
            if not 0 <= v["stand_age"] <= 500:
                raise ValueError
        except ValueError:
            errors["stand_age"] = "林龄应为0至500的整数（年）"
    v["stock_m3"] = None
    if (d.stock or "").strip():
        stock = _decimal(d.stock)
        if stock is None or stock < 0 or stock != stock.quantize(Decimal("0.01")):
            errors["stock"] = "蓄积量应为不小于0、最多两位小数的数（立方米）"
        else:
            v["stock_m3"] = stock
    box = BOXES.get(region // 10**10, CHINA_BOX) if region else CHINA_BOX
    v["lon"], v["lat"], v["polygon"] = _location(errors, d, box)
    if d.valid_from and d.valid_until and d.valid_until < d.valid_from:
        errors["valid_until"] = "终止日期不能早于起始日期"
    v["valid_from"], v["valid_until"], v["resource_id"] = d.valid_from, d.valid_until, d.resource_id
    return v, errors


class EncumbranceDraft(Draft):
    kind: str = ""  # mortgage | restriction
    holder: str = ""  # the mortgagee
    amount: str = ""
    registered_on: dt.date | None = None
    until: dt.date | None = None
    note: str = ""
    loan_record_id: int | None = None


def encumbrance_problems(d: EncumbranceDraft, today: dt.date) -> tuple[dict, dict[str, str]]:
    """A mortgage (mortgagee, amount, period) or a restriction note (its text, Art. X47(3))."""
    errors: dict[str, str] = {}
    v: dict = {"kind": d.kind, "amount_fen": None, "holder": None, "loan_record_id": d.loan_record_id}
    if d.kind not in codes.ENCUMBRANCES:
        errors["kind"] = "请选择抵押或权利限制备注"
    if d.registered_on is None:
        errors["registered_on"] = "请填写登记日期"
    elif d.registered_on > today:
        errors["registered_on"] = "登记日期不能晚于今天"
    v["registered_on"], v["until"] = d.registered_on, d.until
    if d.until and d.registered_on and d.until < d.registered_on:
        errors["until"] = "到期日期不能早于登记日期"
    if d.kind == "mortgage":
        v["holder"] = put_text(errors, "holder", d.holder, "抵押权人", 100)
        fen, why = parse_amount(d.amount)
        if why:
            errors["amount"] = why
        v["amount_fen"] = fen
        if d.until is None:
            errors["until"] = "请填写抵押期限（到期日期）"
    v["note"] = put_text(errors, "note", d.note, "备注内容", 2000, required=d.kind == "restriction") or None
    return v, errors
