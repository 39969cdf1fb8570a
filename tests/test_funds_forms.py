"""The funds forms are declared once (components/funds_forms.py): every field a validator, the
data layer or a callback of 资金管理 can name in a refusal has its own place on the page, and a
refusal's messages reach the error line of their own field (unknown ones the form-level line)."""
from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

import pytest

import callbacks.funds.books
import callbacks.funds.closing
import callbacks.funds.statements
import callbacks.funds.vouchers
import data.funds.books
import data.funds.closing
import data.funds.requests
import data.funds.statements
import data.funds.vouchers
import domain.funds.books
import domain.funds.requests
import domain.funds.vouchers
from components.form import Field, Form, Rows
from components.funds_forms import ACCOUNT, CLOSE, FORMS, POSTING, REOPEN, REQUEST, STATEMENT, VOUCHER
from tests.conftest import TODAY
from tests.support.funds import app_for, own_database

ROOT = Path(__file__).resolve().parents[1]
#: every function of the funds area that names a field in a refusal -> the form that shows it
SOURCES = {
    domain.funds.requests.draft_problems: REQUEST, data.funds.requests.submit: REQUEST,
    data.funds.requests._checked: REQUEST, data.funds.requests._filed: REQUEST,
    data.funds.requests.post: POSTING,
    domain.funds.vouchers.voucher_problems: VOUCHER, data.funds.vouchers.post_voucher: VOUCHER,
    data.funds.vouchers._money_account_problems: VOUCHER, callbacks.funds.vouchers.post_voucher: VOUCHER,
    data.funds.closing.close_period: CLOSE, callbacks.funds.closing.close: CLOSE,
    data.funds.closing.reopen_period: REOPEN, callbacks.funds.closing.reopen: REOPEN,
    domain.funds.books.account_problems: ACCOUNT, data.funds.books.open_account: ACCOUNT,
    callbacks.funds.books.open_account: ACCOUNT,
    data.funds.statements.import_statement: STATEMENT, callbacks.funds.statements.import_statement: STATEMENT,
}
AREA = ("domain/funds", "data/funds", "callbacks/funds")
#: calls whose dict argument names fields: a refusal, a conflict's refusal, messages routed to a form
NAMING_CALLS = {"AccountError", "conflict", "messages"}


def _key(node) -> str | None:
    """A field key as written: "amount", or f"line-{row}" as the prefix "line-*"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return node.values[0].value + "*"
    return None


def named_fields(fn_node: ast.AST) -> set[str]:
    """Every key a function puts into `errors[...]`, `errors.setdefault(...)`, or a dict given to
    AccountError / conflict / Form.messages."""
    keys = set()
    for node in ast.walk(fn_node):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == "errors":
                    keys.add(_key(t.slice))
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name == "setdefault" and getattr(node.func.value, "id", None) == "errors" and node.args:
                keys.add(_key(node.args[0]))
            elif name in NAMING_CALLS and node.args:  # a dict literal, also inside `errors or {...}`
                for d in ast.walk(node.args[0]):
                    if isinstance(d, ast.Dict):
                        keys.update(_key(k) for k in d.keys if k is not None)
    return keys - {None}


def _functions():
    """(module path, function name, the fields it names) of every function of the area naming some."""
    for folder in AREA:
        for path in sorted((ROOT / folder).glob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    keys = named_fields(node)
                    if keys:
                        yield path.relative_to(ROOT).as_posix(), node.name, keys


def _placed(form: Form, key: str) -> bool:
    if key.endswith("*"):  # a row of the form's repeated lines
        return form.rows is not None and form.rows.prefix == key[:-1]
    return form.places(key)


def test_fundsforms001_every_function_naming_a_field_is_assigned_a_form():
    assigned = {(inspect.getsourcefile(inspect.unwrap(fn)), fn.__name__) for fn in SOURCES}
    missing = [(path, name) for path, name, _ in _functions() if (str(ROOT / path), name) not in assigned]
    assert missing == []


@pytest.mark.parametrize("fn", list(SOURCES), ids=lambda fn: f"{fn.__module__}.{fn.__name__}")
def test_fundsforms002_every_field_a_source_names_has_a_place_on_its_form(fn):
    form = SOURCES[fn]
    keys = named_fields(ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(fn)))))
    assert keys, "the source names no field: drop it from SOURCES"
    assert sorted(k for k in keys if not _placed(form, k)) == []


def test_fundsforms003_what_the_validators_say_is_all_placed():
    """The same, by running the validators on input that is wrong everywhere."""
    bad = domain.funds.requests.RequestDraft(kind="?", amount="x", purpose="", account=None, bank_account_id=None,
                                             counterparty_name="", counterparty_id_type="?", counterparty_id="",
                                             request_date=None)
    _, errors = domain.funds.requests.draft_problems(bad, TODAY)
    assert set(errors) <= REQUEST.names and len(errors) == 8
    lines = tuple(domain.funds.vouchers.LineDraft("999", "-1", "") for _ in range(3))
    _, errors = domain.funds.vouchers.voucher_problems(domain.funds.vouchers.VoucherDraft(None, "", lines), TODAY)
    assert set(errors) == {"date", "summary", "line-1", "line-2", "line-3"} and all(VOUCHER.places(k) for k in errors)
    _, errors = domain.funds.books.account_problems("bank", "", "", "x")
    assert set(errors) <= ACCOUNT.names and len(errors) == 3


def test_fundsforms004_messages_go_under_their_field_and_the_rest_to_the_form_line():
    form = Form("f", (Field("amount", "f-amount", "金额", "decimal"), Field("purpose", "f-purpose", "用途")),
                rows=Rows(prefix="line-", container="f-rows", error_type="f-line-error", minimum=2, maximum=3,
                          columns=(Field("account", "f-line-account", "科目", "select"),)))
    errors = {"purpose": "请填写用途", "line-2": "第2行：请选择科目", "_": "该申请已被他人处理", "stray": "别处"}
    assert [str(o) for o in form.error_outputs()] == ["f-amount-error.children", "f-purpose-error.children",
                                                      "f-error.children"]
    messages = form.messages(errors)
    assert messages[:2] == ["", "请填写用途"]
    assert [li.children for li in messages[2].children] == ["该申请已被他人处理", "别处"]  # two lines: a list
    assert form.messages({"_": "该申请已被他人处理"})[2] == "该申请已被他人处理"
    assert form.rows.messages([{"type": "f-line-error", "index": i} for i in (1, 2)], errors) == ["", "第2行：请选择科目"]
    assert form.read(["12.00", "用途"]) == {"amount": "12.00", "purpose": "用途"}
    with pytest.raises(ValueError, match="unknown input kind"):
        Field("x", "x", "x", "slider")


@pytest.fixture(scope="module")
def funds_page(tmp_path_factory):
    """The page's layout as the app draws it."""
    import dash

    app_for(own_database(tmp_path_factory, "funds-forms"))
    page = next(p for p in dash.page_registry.values() if p["path"] == "/funds")
    return page["layout"]()


def _ids(component) -> set:
    out = set()
    cid = getattr(component, "id", None)
    if cid is not None:
        out.add(cid if isinstance(cid, str) else tuple(sorted(cid.items())))
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if hasattr(child, "to_plotly_json"):
            out |= _ids(child)
    return out


def test_fundsforms005_the_page_draws_every_declared_field_with_its_error_line(funds_page):
    ids = _ids(funds_page)
    for form in FORMS:
        assert form.error_id in ids, form.id
        for f in form.fields:
            assert {f.id, f"{f.id}-error"} <= ids, (form.id, f.name)
    rows = VOUCHER.rows
    for i in range(1, rows.minimum + 1):  # the voucher starts with its minimum of lines, each with its error line
        assert tuple(sorted(rows.error_pattern(i).items())) in ids
        for c in rows.columns:
            assert tuple(sorted(rows.pattern(c.name, i).items())) in ids
    assert "funds-resolution-help" in ids
    assert not any(isinstance(i, str) and i.startswith("funds-v-acct-") for i in ids)  # no numbered line ids left
