"""The valuation helper's read (估价助手, Action.PRICE_VALUATE): a parcel's price from its
characteristics with a 90 % prediction interval, by the valuation model of `domain.prices.valuation`
fitted on the sales inside the caller's jurisdiction.

- `ValuationInput`: the parcel as a form or a query string gives it, validated at the boundary
  (bounded: area 0.01–100,000 mu, volume 0–100 m³/mu, site class 1–5, term 1–70 years, codes from
  domain.prices.codes, a 12-digit region code); every error is explained in Chinese under the
  field's name (`errors_of(exc)`; `parse(data)` answers (input or None, errors)). `FIELDS` declares
  the form's fields once (label, unit, bounds, choices) for the page.
- `valuate(url, actor, parcel, *, region=None) -> dict`: ensures PRICE_VALUATE on `region` (default
  the caller's root: the sales the model is fitted on) and on the parcel's own region when given
  (outside the scope: `OutOfScope`, nothing read). Keys: `available` (False when the sample cannot
  carry a model: then the estimate keys are None and `note` says why), per_mu_yuan, total_yuan,
  lower_total_yuan, upper_total_yuan, lower_per_mu_yuan, upper_per_mu_yuan (integer yuan), level
  (0.90), period (the "today" the model prices at), n, r2, warnings (Chinese), region,
  region_name, parcel (the validated input as a dict), as_of (the latest deal date in the sample),
  note.

The fitted model is memoised like the index's (data/prices/index.py): by the rows read (the region's
subtree inside the caller's scope) and the data-change token, with a per-scope answer key on top.
"""
from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from data.prices import frames
from data.prices.cache import Memo
from data.prices.index import FIT_ERRORS, region_name, sample
from domain.identifiers import region_code_problem
from domain.permissions import Action, ensure, may, scope_of
from domain.prices.codes import AGE_CLASSES, FOREST_TYPES, MIN_COUNTIES, RIGHT_TYPES, SPECIES
from domain.prices.periods import AREA_WORDS, area_key, area_unit
from domain.prices.valuation import Parcel, fit_valuation

log = logging.getLogger(__name__)

LEVEL = 0.90
AREA = (Decimal("0.01"), Decimal("100000"))
VOLUME = (0.0, 100.0)
SITE = (1, 5)
TERM = (1, 70)
NO_MODEL = "所选范围内成交样本不足，无法拟合估价模型"

#: the form's fields, declared once: label, unit, bounds, step, required, choices (code -> label)
FIELDS: dict[str, dict] = {
    "area_mu": dict(label="面积", unit="亩", min=float(AREA[0]), max=float(AREA[1]), step=0.01, required=True),
    "forest_type": dict(label="林种", required=True, choices=dict(FOREST_TYPES)),
    "species": dict(label="优势树种", required=False, choices={s: s for s in SPECIES}),
    "age_class": dict(label="龄组", required=False, choices=dict(AGE_CLASSES)),
    "volume_m3_per_mu": dict(label="每亩蓄积量", unit="立方米/亩", min=VOLUME[0], max=VOLUME[1], step=0.01,
                             required=False),
    "site_class": dict(label="立地等级", unit="级（1 最好）", min=SITE[0], max=SITE[1], step=1, required=False),
    "term_years": dict(label="剩余期限", unit="年", min=TERM[0], max=TERM[1], step=1, required=False),
    "right_type": dict(label="权利类型", required=False, choices=dict(RIGHT_TYPES)),
    "region_code": dict(label="所在地（12位区划代码）", required=False),
}


def _bad(message: str):
    return PydanticCustomError("valuation_input", message)


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _number(v, label: str):
    if isinstance(v, bool):
        raise _bad(f"{label}应为数字")
    try:
        return Decimal(str(v).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise _bad(f"{label}应为数字") from None


def _whole(v, label: str, lo: int, hi: int, unit: str) -> int:
    d = _number(v, label)
    if not d.is_finite() or d != d.to_integral_value():
        raise _bad(f"{label}应为整数")
    if not lo <= d <= hi:
        raise _bad(f"{label}应在 {lo} 至 {hi} {unit}之间")
    return int(d)


def _code(v, table, label: str) -> str | None:
    if _blank(v):
        return None
    v = str(v).strip()
    if v in table:
        return v
    if isinstance(table, dict):  # a label typed instead of the code
        for code, name in table.items():
            if name == v:
                return code
    raise _bad(f"{label}不在可选范围内")


class ValuationInput(BaseModel):
    """A parcel to value (the helper's form, a query string, a portrait's forest right)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", frozen=True, populate_by_name=True)

    area_mu: Decimal
    forest_type: str
    species: str | None = None
    age_class: str | None = None
    volume_m3_per_mu: float | None = Field(None, validation_alias=AliasChoices("volume_m3_per_mu", "volume"))
    site_class: int | None = Field(None, validation_alias=AliasChoices("site_class", "site"))
    term_years: int | None = Field(None, validation_alias=AliasChoices("term_years", "term"))
    right_type: str | None = None
    region_code: int | None = Field(None, validation_alias=AliasChoices("region_code", "region"))

    @field_validator("area_mu", mode="before")
    @classmethod
    def _area(cls, v):
        if _blank(v):
            raise _bad("请填写面积（亩）")
        d = _number(v, "面积")
        if not d.is_finite() or not AREA[0] <= d <= AREA[1]:
            raise _bad(f"面积应在 {AREA[0]} 至 {AREA[1]} 亩之间")
        if d != d.quantize(Decimal("0.01")):
            raise _bad("面积最多保留两位小数")
        return d.quantize(Decimal("0.01"))

    @field_validator("forest_type", mode="before")
    @classmethod
    def _forest_type(cls, v):
        if _blank(v):
            raise _bad("请选择林种")
        return _code(v, FOREST_TYPES, "林种")

    @field_validator("species", mode="before")
    @classmethod
    def _species(cls, v):
        return _code(v, SPECIES, "优势树种")

    @field_validator("age_class", mode="before")
    @classmethod
    def _age(cls, v):
        return _code(v, AGE_CLASSES, "龄组")

    @field_validator("right_type", mode="before")
    @classmethod
    def _right(cls, v):
        return _code(v, RIGHT_TYPES, "权利类型")

    @field_validator("volume_m3_per_mu", mode="before")
    @classmethod
    def _volume(cls, v):
        if _blank(v):
            return None
        d = _number(v, "每亩蓄积量")
        if not d.is_finite() or not VOLUME[0] <= d <= VOLUME[1]:
            raise _bad(f"每亩蓄积量应在 {VOLUME[0]:g} 至 {VOLUME[1]:g} 立方米/亩之间")
        return float(d)

    @field_validator("site_class", mode="before")
    @classmethod
    def _site(cls, v):
        return None if _blank(v) else _whole(v, "立地等级", *SITE, "级")

    @field_validator("term_years", mode="before")
    @classmethod
    def _term(cls, v):
        return None if _blank(v) else _whole(v, "剩余期限", *TERM, "年")

    @field_validator("region_code", mode="before")
    @classmethod
    def _region(cls, v):
        if _blank(v):
            return None
        s = str(v).strip()
        why = "区划代码应为12位数字" if isinstance(v, bool) else region_code_problem(s)
        if why:
            raise _bad(why)
        return int(s)


#: the short names a query string may use (``?volume=&term=&site=&region=``) -> the field
ALIASES = {"volume": "volume_m3_per_mu", "site": "site_class", "term": "term_years", "region": "region_code"}


def errors_of(exc: ValidationError) -> dict[str, str]:
    """field (its full name, also when the input used a short alias) -> what is wrong, in Chinese
    (the first problem of each field)."""
    out: dict[str, str] = {}
    for e in exc.errors():
        field = str(e["loc"][0]) if e.get("loc") else "__all__"
        field = ALIASES.get(field, field)
        if e["type"] == "missing":
            msg = f"请填写{FIELDS.get(field, {}).get('label', field)}"
        elif e["type"] == "valuation_input":
            msg = e["msg"]
        else:
            msg = f"{FIELDS.get(field, {}).get('label', field)}格式不正确"
        out.setdefault(field, msg)
    return out


def parse(data: dict) -> tuple[ValuationInput | None, dict[str, str]]:
    """(the validated input, {}) or (None, field -> Chinese error)."""
    try:
        return ValuationInput.model_validate(data), {}
    except ValidationError as exc:
        return None, errors_of(exc)


# ---------------------------------------------------------------- the model

_MODELS = Memo(4)  # per worker, kept small (issue 17: the private memory of each worker)
_ANSWERS = Memo(64)


def _fit(smp, relaxed: bool):
    """(model or None, as_of, sales read, warnings) of a sample (data.prices.index.sample).
    `relaxed`: also when the sample comes from fewer than MIN_COUNTIES counties (see `model`)."""
    if smp.data is None:
        return None, smp.as_of, smp.sales, []
    unit = area_unit(smp.data)
    counties = smp.data.select(area_key(unit).n_unique()).item()
    word = AREA_WORDS[unit]
    try:
        if not relaxed:
            return fit_valuation(smp.data), smp.as_of, smp.sales, []
        return (fit_valuation(smp.data, min_counties=1), smp.as_of, smp.sales,
                [f"估价样本仅来自 {counties} 个{word}（少于 {MIN_COUNTIES} 个{word}），估价仅供参考"])
    except FIT_ERRORS as e:
        log.info("valuation fit refused (%d sales from %d counties, relaxed=%s): %s", smp.sales, counties, relaxed, e)
        return None, smp.as_of, smp.sales, []


def model(url: str, spans: tuple, tok: tuple | None = None, relaxed: bool = False):
    """(the memoised ValuationModel or None, as_of, sales read, warnings) of the sales inside `spans`.

    `relaxed`: the caller may see these very deals (PRICE_SALES_VIEW on the region), so when the
    sample cannot carry a model under the thin-market rule because its sales come from fewer than
    MIN_COUNTIES contributing areas (counties; a county's townships) it is fitted with one sufficing
    (the rule guards publication, not the deals' own officials), and the estimate says so."""
    tok = tok if tok is not None else frames.current(url)
    _MODELS.drop(lambda k: k[0] == url and k[-1] != tok)
    # the sample is read only for a fit (a cached model needs no rows: the samples memo is small)
    got = _MODELS.get((url, spans, False, tok), lambda: _fit(sample(url, spans, None, tok), False))
    if got[0] is None and relaxed:
        smp = sample(url, spans, None, tok)
        if smp.data is not None:
            got = _MODELS.get((url, spans, True, tok), lambda: _fit(smp, True))
    return got


def clear() -> None:
    _MODELS.clear()
    _ANSWERS.clear()


def valuate(url: str, actor, parcel: dict | ValuationInput, *, region: int | None = None) -> dict:
    """The parcel's estimate (see the module docstring). Bad input raises pydantic's ValidationError
    (its messages Chinese: `errors_of`); nothing is read for it."""
    p = parcel if isinstance(parcel, ValuationInput) else ValuationInput.model_validate(parcel)
    region = frames.resolve(actor, Action.PRICE_VALUATE, region)
    if p.region_code is not None:
        ensure(actor, Action.PRICE_VALUATE, {"region_code": p.region_code}, noun=f"区域 {p.region_code}")
    tok = frames.current(url)
    spans = frames.ranges(actor, region)
    relaxed = may(actor, Action.PRICE_SALES_VIEW, {"region_code": region})
    key = (url, scope_of(actor).cache_key(), region, tok)
    _ANSWERS.drop(lambda k: k[0] == url and k[-1] != tok)
    m, as_of, n_read, notes = _ANSWERS.get(key, lambda: model(url, spans, tok, relaxed))
    out = dict(available=False, per_mu_yuan=None, total_yuan=None, lower_total_yuan=None, upper_total_yuan=None,
               lower_per_mu_yuan=None, upper_per_mu_yuan=None, level=LEVEL, period=None, n=n_read, r2=None,
               warnings=[], region=region, region_name=region_name(region), parcel=p.model_dump(), as_of=as_of, note=None)
    if m is None:
        out["note"] = NO_MODEL
        return out
    try:
        est = m.estimate(Parcel(area_mu=p.area_mu, forest_type=p.forest_type, species=p.species, age_class=p.age_class,
                                volume_m3_per_mu=p.volume_m3_per_mu, site_class=p.site_class, term_years=p.term_years,
                                right_type=p.right_type, region_code=p.region_code), level=LEVEL)
    except FIT_ERRORS as e:
        log.info("valuation estimate refused: %s", e)
        out["note"] = f"无法估价：{e}"
        return out
    out.update(available=True, per_mu_yuan=est.per_mu_yuan, total_yuan=est.total_yuan,
               lower_total_yuan=est.lower_total_yuan, upper_total_yuan=est.upper_total_yuan,
               lower_per_mu_yuan=est.lower_per_mu_yuan, upper_per_mu_yuan=est.upper_per_mu_yuan, level=est.level,
               period=est.period, n=est.n, r2=_float(est.r2), warnings=[*notes, *est.warnings])
    return out


def _float(v):
    return None if v is None else float(v)
