"""Form pieces shared by the edit pages.

A form is declared once (`Form`): each `Field` is named as the domain validator names it in its
`{field: message}` answer, and carries its component id, label, input kind and choices. That one
declaration draws the page (`Form.field`, `Form.draw`), gives the callback its States
(`Form.states`, read back by `Form.read`) and its error Outputs, and routes every message of a
refusal under its own field's error line (`Form.messages`), anything it does not know under the
form-level line (`Form.form_error`). A repeated group of inputs (`Rows`: the lines of a voucher)
uses pattern-matching ids `{"type": ..., "index": n}`; the validator names row n `"{prefix}{n}"`.

`form_field` is the older, single-field helper the other edit pages use.
"""
from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import ALL, Output, State, dcc, html

from components.attachments import upload_field
from components.locale import date_picker
from domain.numbers import MAX_CHARS as NUMBER_CHARS

#: input kinds -> the component properties a submit reads
KINDS = {"text": ("value",), "decimal": ("value",), "numeric": ("value",), "date": ("date",), "month": ("value",),
         "textarea": ("value",), "select": ("value",), "radio": ("value",), "upload": ("contents", "filename"),
         "display": ()}
FORM_LEVEL = "_"


def form_field(label: str, component, field_id: str, className: str = "mb-2", *, width: str | None = None,
               label_class: str | None = None):
    """A labelled input with its error line `{field_id}-error` below it, where the callbacks put
    the server's Chinese message for that field; `width` wraps it in a grid column."""
    div = html.Div([dbc.Label(label, html_for=field_id, className=label_class) if label else None, component,
                    html.Div(id=f"{field_id}-error", className="invalid-feedback d-block")], className=className)
    return html.Div(div, className=width) if width else div


def submission_token() -> str:
    """A fresh one-time token for a form that files a record (domain.approvals.TOKEN_RE): the page
    draws one, the submit callback sends it with the form and draws a new one after success; a
    second submit carrying the same token files nothing twice (the data layer returns the first)."""
    return secrets.token_hex(16)


def error_line(component_id) -> html.Div:
    return html.Div(id=component_id, className="invalid-feedback d-block")


def shown(message):
    """A message as the error line shows it: several lines become a list."""
    if isinstance(message, str) and "\n" in message:
        return html.Ul([html.Li(x) for x in message.split("\n") if x], className="mb-0 ps-3")
    return message or ""


@dataclass(frozen=True)
class Field:
    """One input of a form. `name`: the key the domain validator (and the data layer's refusal)
    uses for it; `id`: its component id (its error line is `{id}-error`); `options`: fixed choices
    as (value, label) pairs (a callback may fill a select's instead). `max_length` is the input's
    maxLength, which is also the bound the server checks the value against (server/inputs.py
    reads it from the page); a number field without one is bounded by domain.numbers.MAX_CHARS."""

    name: str
    id: str
    label: str
    kind: str = "text"
    options: tuple[tuple[object, str], ...] = ()
    value: object = None
    placeholder: str | None = None
    max_length: int | None = None
    width: str | None = None
    help: str | None = None
    clearable: bool = True

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown input kind {self.kind!r} of field {self.name}")

    @property
    def reads(self) -> tuple[str, ...]:
        return KINDS[self.kind]

    def component(self, component_id=None, **overrides):
        """The input itself; `overrides` replace its properties (a value known when the page is drawn)."""
        cid = self.id if component_id is None else component_id
        choices = [{"label": label, "value": value} for value, label in self.options]
        longest = self.max_length or (NUMBER_CHARS if self.kind in ("decimal", "numeric") else None)
        props = {k: v for k, v in {"placeholder": self.placeholder, "maxLength": longest,
                                   "value": self.value}.items() if v is not None}
        if self.kind == "date":  # yyyy-mm-dd whatever the browser's locale (an html date input follows it)
            props.pop("maxLength", None)
            given = {**props, **overrides}
            given.pop("size", None)
            if "value" in given:
                given["date"] = given.pop("value")
            return date_picker(cid, **given)
        if self.kind in ("text", "decimal", "numeric", "month"):
            # a month as yyyy-mm text (an html month input would show the browser's locale)
            mode = {"decimal": {"inputMode": "decimal"}, "numeric": {"inputMode": "numeric"},
                    "month": {"placeholder": "yyyy-mm", "maxLength": 7}}.get(self.kind, {})
            return dbc.Input(id=cid, **{**mode, **props, **overrides})
        if self.kind == "textarea":
            return dbc.Textarea(id=cid, **{**props, **overrides})
        props.pop("maxLength", None)
        if self.kind == "select":
            return dcc.Dropdown(id=cid, **{"options": choices, "clearable": self.clearable, **props, **overrides})
        if self.kind == "radio":
            props.pop("placeholder", None)
            return dbc.RadioItems(id=cid, **{"options": choices, "inline": True, **props, **overrides})
        return html.Div(id=cid, className="form-control-plaintext py-1", **overrides)  # display


@dataclass(frozen=True)
class Rows:
    """A repeated group of inputs, one row per index (1-based, the row number the validator names:
    `"{prefix}{index}"`), with pattern-matching ids `{"type": column.id, "index": index}`; each row
    has its own error line `{"type": error_type, "index": index}`. The rows live in `container`."""

    prefix: str
    container: str
    error_type: str
    columns: tuple[Field, ...]
    minimum: int
    maximum: int

    def column(self, name: str) -> Field:
        return next(c for c in self.columns if c.name == name)

    def key(self, index: int) -> str:
        return f"{self.prefix}{index}"

    def names_row(self, key: str) -> bool:
        return key.startswith(self.prefix) and key[len(self.prefix):].isdigit()

    def pattern(self, name: str, index=ALL) -> dict:
        return {"type": self.column(name).id, "index": index}

    def error_pattern(self, index=ALL) -> dict:
        return {"type": self.error_type, "index": index}

    def header(self, widths: Mapping[str, str] | None = None):
        widths = widths or {}
        return html.Div(className="row g-1 small fw-semibold text-muted", children=[
            html.Div("#", className="col-auto", style={"width": "2rem"}),
            *[html.Div(c.label, className=widths.get(c.name, "col")) for c in self.columns]])

    def row(self, index: int, widths: Mapping[str, str] | None = None, **overrides_by_column):
        """Row `index`: its number, its inputs (`overrides_by_column[name]`: properties, e.g. options)
        and its error line."""
        widths = widths or {}
        return html.Div(className="row g-1 align-items-center mb-1 form-row", id=f"{self.container}-{index}", children=[
            html.Div(str(index), className="col-auto text-muted small", style={"width": "2rem"}),
            *[html.Div(c.component(self.pattern(c.name, index), **overrides_by_column.get(c.name, {})),
                       className=widths.get(c.name, "col")) for c in self.columns],
            html.Div(error_line(self.error_pattern(index)), className="col-12")])

    def states(self) -> list[State]:
        return [State(self.pattern(c.name), "value") for c in self.columns]

    def value_outputs(self) -> list[Output]:
        return [Output(self.pattern(c.name), "value") for c in self.columns]

    def error_output(self) -> Output:
        return Output(self.error_pattern(), "children")

    def messages(self, ids: Sequence[Mapping], errors: Mapping[str, str] | None) -> list:
        """The message of each row whose error line is in `ids` (the ids Dash matched, in order)."""
        errors = errors or {}
        return [shown(errors.get(self.key(i["index"]), "")) for i in ids]


@dataclass(frozen=True)
class Form:
    """A form declared once: its fields in page order, and optionally a group of repeated rows."""

    id: str
    fields: tuple[Field, ...]
    rows: Rows | None = None

    def __getitem__(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.id} has no field {name}")

    @property
    def names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    def places(self, key: str) -> bool:
        """Whether a message about `key` has its own place on the page (a field, a row, the form)."""
        return key in self.names or key == FORM_LEVEL or (self.rows is not None and self.rows.names_row(key))

    # ---------------------------------------------------------------- the page

    def input(self, name: str, **overrides):
        return self[name].component(**overrides)

    def error_line(self, name: str) -> html.Div:
        return error_line(f"{self[name].id}-error")

    def form_error(self) -> html.Div:
        """The form-level error line: messages about no field of the form."""
        return error_line(self.error_id)

    def field(self, name: str, className: str = "mb-2", **overrides):
        """A field as the page shows it: label, input, help line (`{id}-help`) and error line."""
        f = self[name]
        if f.kind == "upload":
            return upload_field(f.id, f.label)
        div = form_field(f.label, f.component(**overrides), f.id, className)
        if f.help is not None:
            div.children.insert(2, html.Div(f.help, id=f"{f.id}-help", className="form-text mt-0"))
        return html.Div(div, className=f.width) if f.width else div

    def draw(self, *names: str, **overrides_by_field) -> list:
        """The fields (all, in declaration order, or those named), each with its overrides."""
        return [self.field(n, **overrides_by_field.get(n, {})) for n in (names or [f.name for f in self.fields])]

    # ---------------------------------------------------------------- the callback

    def states(self) -> list[State]:
        """Every value a submit reads, in declaration order (an upload: contents and file names)."""
        return [State(f.id, prop) for f in self.fields for prop in f.reads]

    def read(self, values: Sequence) -> dict[str, object]:
        """The values of `states()` by field name (an upload: (contents, filenames))."""
        out, it = {}, iter(values)
        for f in self.fields:
            got = tuple(next(it) for _ in f.reads)
            if got:
                out[f.name] = got if len(got) > 1 else got[0]
        return out

    def error_outputs(self) -> list[Output]:
        """Each field's error line, then the form-level one."""
        return [Output(f"{f.id}-error", "children") for f in self.fields] + [Output(self.error_id, "children")]

    def messages(self, errors: Mapping[str, str] | None = None) -> list:
        """What `error_outputs()` show for a refusal's `{field: message}` (None: clear them): each
        message under its field, the others (and "_") on the form-level line. Rows' messages go
        to their own lines (`Rows.messages`)."""
        errors = dict(errors or {})
        out = [shown(errors.pop(f.name, "")) for f in self.fields]
        rest = [m for k, m in errors.items() if not (self.rows is not None and self.rows.names_row(k))]
        return [*out, shown("\n".join(rest)) if len(rest) > 1 else shown(rest[0] if rest else "")]

    def cleared(self) -> list[str]:
        return self.messages(None)
