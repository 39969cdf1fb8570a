"""Every value a callback receives is typed and bounded before the callback runs.

Each (component id, property) a callback reads has one pydantic schema, found in this order:
1. declared by a callbacks module (`declare(id, property, schema)`: a store's model, e.g. the
   selected record `{"id", "version"}`);
2. derived from the component the page draws (`from_layout`, walking every page's layout once
   when the app is built): a `dbc.Input` or `dbc.Textarea` gives a string no longer than its
   `maxLength` (or `TEXT_LIMIT` / `LONG_TEXT_LIMIT` when it has none), a number for
   `type="number"`, a strict `YYYY-MM-DD` for `type="date"`; a `dcc.Upload` bounded base64
   contents and file names; a grid's `selectedRows` a bounded list of rows with integer ids;
   a date picker strict dates; so the page and the schema agree;
3. by property (`BY_PROPERTY`: `n_clicks` an integer 0 … 10^9 or None, …), else any bounded JSON.

Pattern-matching ids are keyed by their `type`; an ALL dependency is a bounded list of values.
`problem(checks, values)` answers the first refusal as (component id, Chinese message) or None.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from dash.dependencies import MATCH, Wildcard
from domain.admin.passwords import MAX_LENGTH as PASSWORD_LIMIT
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt,
                      StrictStr, TypeAdapter, ValidationError, model_validator)

#: a text input without maxLength; a textarea without one (no database text column is longer
#: than a domain validator allows, and no validator allows more than LONG_TEXT_LIMIT)
TEXT_LIMIT = 200
LONG_TEXT_LIMIT = 2000
#: ids, versions, options: integers JavaScript holds exactly
MAX_INT = 2**53
MAX_CLICKS = 10**9
MAX_FILES = 20
#: one upload's base64 text: an attachment is at most 10 MB (data.attachments.MAX_BYTES), 4/3 of it
#: as base64 plus the data-URL header; the request itself is bounded by MAX_CONTENT_LENGTH
MAX_UPLOAD_CHARS = 10 * 1024 * 1024 * 4 // 3 + 1024
MAX_ROWS = 1000
#: bounded JSON (stores, click data, anything not declared)
JSON_DEPTH, JSON_NODES, JSON_TEXT = 8, 20_000, 10_000

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_MONTH = re.compile(r"\d{4}-\d{2}", re.ASCII)


def _iso_date(value: str) -> str:
    if value and not (_DATE.fullmatch(value) and _valid(dt.date.fromisoformat, value)):
        raise ValueError("日期格式应为 YYYY-MM-DD")
    return value


def _iso_date_prefix(value: str) -> str:
    """A date picker's value: YYYY-MM-DD, possibly followed by a time ("…T00:00:00")."""
    _iso_date(value[:10])
    if len(value) > 10 and not _valid(dt.datetime.fromisoformat, value):
        raise ValueError("日期格式应为 YYYY-MM-DD")
    return value


def _iso_month(value: str) -> str:
    if value and not (_MONTH.fullmatch(value) and 1 <= int(value[5:]) <= 12):
        raise ValueError("月份格式应为 YYYY-MM")
    return value


def _valid(parse, value) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


def _bounded_json(value):
    """Any JSON no deeper than JSON_DEPTH, with at most JSON_NODES values, strings of at most
    JSON_TEXT characters, integers JavaScript holds exactly and finite numbers."""
    stack, nodes = [(value, 0)], 0
    while stack:
        v, depth = stack.pop()
        nodes += 1
        if nodes > JSON_NODES or depth > JSON_DEPTH:
            raise ValueError("数据过大")
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, int):
            if abs(v) > MAX_INT:
                raise ValueError("数值超出范围")
        elif isinstance(v, float):
            if not math.isfinite(v):
                raise ValueError("不是有效数字")
        elif isinstance(v, str):
            if len(v) > JSON_TEXT:
                raise ValueError(f"内容不超过{JSON_TEXT}字")
        elif isinstance(v, list):
            stack.extend((x, depth + 1) for x in v)
        elif isinstance(v, dict):
            stack.extend((x, depth + 1) for x in v.values())
            stack.extend((k, depth + 1) for k in v)
        else:
            raise ValueError("类型不正确")
    return value


def text(limit: int):
    return Annotated[StrictStr, Field(max_length=limit)]


Clicks = Annotated[StrictInt, Field(ge=0, le=MAX_CLICKS)] | None
Int = Annotated[StrictInt, Field(ge=-MAX_INT, le=MAX_INT)]
Id = Annotated[StrictInt, Field(ge=1, le=MAX_INT)]
Finite = Annotated[StrictFloat, Field(allow_inf_nan=False, ge=-1e15, le=1e15)]
Json = Annotated[Any, AfterValidator(_bounded_json)]
Date = Annotated[StrictStr, Field(max_length=10), AfterValidator(_iso_date)] | None
PickerDate = Annotated[StrictStr, Field(max_length=32), AfterValidator(_iso_date_prefix)] | None
Month = Annotated[StrictStr, Field(max_length=7), AfterValidator(_iso_month)] | None
Scalar = StrictBool | Int | Finite | text(TEXT_LIMIT) | None
Choice = Scalar | Annotated[list[StrictBool | Int | Finite | text(TEXT_LIMIT)], Field(max_length=500)]
Number = Int | Finite | Literal[""] | None
Url = text(2000) | None
Uploads = text(MAX_UPLOAD_CHARS) | Annotated[list[text(MAX_UPLOAD_CHARS)], Field(max_length=MAX_FILES)] | None
FileNames = text(255) | Annotated[list[text(255)], Field(max_length=MAX_FILES)] | None


class Row(BaseModel):
    """A grid row as the grid selected it: the record's integer id (and version), the rest bounded."""

    model_config = ConfigDict(extra="allow", strict=True)
    id: Id
    version: Annotated[StrictInt, Field(ge=0, le=MAX_INT)] | None = None

    @model_validator(mode="after")
    def _rest(self):
        _bounded_json(self.model_extra)
        return self


class Selected(Row):
    """A store holding the record a form acts on: `{"id", "version", ...}` (or nothing: declare
    `Selected | None`)."""

    version: Annotated[StrictInt, Field(ge=0, le=MAX_INT)]


Rows = Annotated[list[Row], Field(max_length=MAX_ROWS)] | None
#: a chart's clickData / hoverData / selectedData: {"points": [{...}, ...], ...}
Points = dict[text(50), Annotated[list[dict[text(50), Json]], Field(max_length=MAX_ROWS)] | Json] | None
PatternId = dict[text(100), Int | text(100)]

#: by property, for components the layouts do not show (and after the component's own)
BY_PROPERTY: dict[str, object] = {
    "n_clicks": Clicks, "n_intervals": Clicks, "n_submit": Clicks, "n_blur": Clicks,
    "value": Choice, "hash": Url, "pathname": Url, "search": Url, "href": Url,
    "selectedRows": Rows, "active_tab": text(100) | None, "id": PatternId | text(200),
    "contents": Uploads, "filename": FileNames, "last_modified": Int | list[Int] | None,
    "clickData": Points, "hoverData": Points, "selectedData": Points,
    "date": PickerDate, "start_date": PickerDate, "end_date": PickerDate,
}

DECLARED: dict[tuple[str, str], object] = {}


def declare(component_id: str, prop: str, schema) -> None:
    """The schema of `component_id.prop` wherever a callback reads it (a store's model)."""
    DECLARED[(component_id, prop)] = schema


def _component_schemas(c, filled) -> dict[str, object]:
    """The schemas of the properties a callback may read from component `c`, by its kind."""
    kind, props = type(c).__name__, c.to_plotly_json()["props"]
    if kind in ("Input", "Textarea"):
        limit = props.get("maxLength") or (LONG_TEXT_LIMIT if kind == "Textarea" else TEXT_LIMIT)
        value = {"number": Number, "date": Date, "month": Month}.get(props.get("type"), text(limit) | None)
        return {"value": value}
    if kind in ("Dropdown", "RadioItems") and not props.get("multi"):
        return {"value": Scalar if not isinstance(c.id, str) or c.id in filled else _one_of(props)}
    if kind == "DatePickerSingle":  # dash-renderer sends the picked day as YYYY-MM-DD
        return {"date": Date}
    if kind == "Tabs":
        return {"active_tab": text(100) | None}
    if kind == "Store":
        return {"data": Json}
    return {}


def _one_of(props: dict):
    """A single choice: None (nothing chosen: the callback asks for one) or one of the
    component's options when the page fixes them (any scalar when it has none: a callback fills
    them, and checks the choice)."""
    values = [o.get("value") if isinstance(o, dict) else o for o in props.get("options") or ()]
    if not values:
        return Scalar
    texts = {str(v) for v in values}

    def offered(value):  # the option's value, or its text (a code typed as "101" for 101)
        if value is not None and str(value) not in texts:
            raise ValueError("不是可选的选项")
        return value
    return Annotated[Scalar, AfterValidator(offered)]


def from_layout(tree, filled=frozenset()) -> dict[tuple[str, str], object]:
    """{(id, property): schema} of every component with an id in a layout tree; `filled`: the ids
    whose options a callback fills (any choice of theirs is checked by the callback, not here)."""
    out = {}
    for c in [tree, *tree._traverse()] if hasattr(tree, "_traverse") else []:
        cid = getattr(c, "id", None)
        if cid is None:
            continue
        key = cid.get("type") if isinstance(cid, dict) else cid
        for prop, schema in _component_schemas(c, filled).items():
            out[(str(key), prop)] = schema
    return out


def schema_for(known: dict, component_id, prop: str):
    key = str(component_id.get("type")) if isinstance(component_id, dict) else component_id
    return DECLARED.get((key, prop)) or known.get((key, prop)) or BY_PROPERTY.get(prop) or Json


def _wildcard(component_id) -> bool:
    """An ALL (or ALLSMALLER) id: the callback receives one value per matching component."""
    return isinstance(component_id, dict) and any(isinstance(v, Wildcard) and v is not MATCH
                                                  for v in component_id.values())


def checks_for(known: dict, dependencies: Sequence) -> list[tuple[str, TypeAdapter]]:
    """One (component id, adapter) per positional argument of a callback (Inputs, then States)."""
    out = []
    for d in dependencies:
        cid, prop = d.component_id, d.component_property
        schema = schema_for(known, cid, prop)
        if _wildcard(cid):
            schema = Annotated[list[schema], Field(max_length=MAX_ROWS)] | None
        out.append((str(cid.get("type")) if isinstance(cid, dict) else cid, _adapter(schema)))
    return out


_ADAPTERS: dict[object, TypeAdapter] = {}


def _adapter(schema) -> TypeAdapter:
    key = repr(schema)
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(schema)
    return _ADAPTERS[key]


def problem(checks: Sequence[tuple[str, TypeAdapter]], values: Sequence) -> tuple[str, str] | None:
    """(component id, "输入无效：…") of the first value its schema refuses, or None."""
    for (cid, adapter), value in zip(checks, values):
        try:
            adapter.validate_python(value)
        except ValidationError as exc:
            return cid, "输入无效：" + why(exc)
    return None


def why(exc: ValidationError) -> str:
    """The most telling of a refusal's errors, in Chinese (a union reports one per member)."""
    errors = exc.errors(include_url=False)
    for e in errors:
        ctx = e.get("ctx") or {}
        if e["type"] == "string_too_long":
            return f"内容不超过{ctx.get('max_length')}字" if ctx.get("max_length") else "内容过长"
    for e in errors:
        ctx = e.get("ctx") or {}
        if e["type"] == "value_error":
            return str(ctx.get("error", "格式不正确"))
        if e["type"] == "too_long":
            return f"最多{ctx.get('max_length')}项"
        if e["type"] in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            return "数值超出范围"
        if e["type"] == "finite_number":
            return "不是有效数字"
        if e["type"] == "missing":
            return "缺少记录编号"
    return "类型不正确"


# ------------------------------------------------------------------ the other endpoints

class _Form(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class LoginForm(_Form):
    """/login: a user name of at most 64 characters, a password of at most MAX_LENGTH (longer ones
    are never hashed), a six-digit code, the page to return to."""

    username: text(64) = ""
    password: text(PASSWORD_LIMIT) = ""
    otp: text(12) | None = None
    next: text(2000) | None = None


class PasswordForm(_Form):
    old: text(PASSWORD_LIMIT) = ""
    new: text(PASSWORD_LIMIT) = ""
    again: text(PASSWORD_LIMIT) = ""


class DashRequest(BaseModel):
    """The shape of a callback request (/_dash-update-component) before Dash reads it."""

    model_config = ConfigDict(strict=True, extra="allow")
    output: text(20_000)
    outputs: dict | list
    inputs: Annotated[list[dict | list[dict]], Field(max_length=500)]
    state: Annotated[list[dict | list[dict]], Field(max_length=500)] = []
    changedPropIds: Annotated[list[text(1000)], Field(max_length=500)] = []


def form_problem(model: type[BaseModel], data) -> str | None:
    """"输入无效：…" when `data` (a form, a JSON body) does not fit `model`, else None."""
    try:
        model.model_validate(data if isinstance(data, dict) else data.to_dict() if hasattr(data, "to_dict") else data)
    except ValidationError as exc:
        return "输入无效：" + why(exc)
    return None


def request_problem(body, callback_map: dict) -> str | None:
    """Why a callback request's body is malformed: not the shape dash-renderer sends, or not as
    many inputs and states as the callback named in `output` has."""
    why_not = form_problem(DashRequest, body)
    if why_not is not None:
        return why_not
    spec = callback_map.get(body["output"])
    if spec is not None and (len(body["inputs"]) != len(spec["inputs"])
                             or len(body.get("state") or []) != len(spec["state"])):
        return "输入无效：参数个数不符"
    return None
