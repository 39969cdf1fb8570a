"""Bounded, typed input: every callback and endpoint checks what it receives before it acts.

`test_fuzz001` sends every registered callback, as two signed-in operators, wrong types (objects,
lists, booleans, huge integers, NaN), huge numbers, number-like strings Python would take
("1e26", "1_000.00", full-width and Arabic-Indic digits) and 100,000-character strings in every
input and state (hypothesis, derandomized: the same examples every run): no answer is a 5xx and
no row of any table but the security log and the sessions is written (record changes counted).
The targeted tests pin the messages: a 1,000,000-character counterparty, `1e26`, a full-width
amount, a 30 MB body, and the sign-in form, the password form, the PNG-export note and the
attachment route."""
from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from sqlalchemy import func, select, table

import callbacks.contracts
import callbacks.funds.requests
from data.db import reading
from data.models import Base, PaymentRequest
from domain.funds.parsing import parse_amount, parse_signed
from domain.numbers import decimal_text, integer_text, iso_date
from server.inputs import MAX_INT
from tests.support.app import generate_test_data, make_settings
from tests.support.callbacks import call, output, request_body, text
from tests.support.http import login, props, sign_in

UNCOUNTED = {"audit_log", "user_sessions"}
OPERATORS = ("demo-township", "demo-village")
EXAMPLES = 5  # per callback and operator: ~1,000 requests in all, about 30 s on the 2-core machine
BUDGET_S = 120  # the whole run, with a loaded machine's margin

LONG = "x" * 100_000
GARBAGE = st.one_of(
    st.sampled_from([10**30, -10**30, 2**63, MAX_INT + 1, 1e308, -1.5, float("nan"), float("inf"), True, False]),
    st.sampled_from(["NaN", "Infinity", "-inf", "1e26", "1_000.00", "１２３.４５", "١٢٣", "²", "2026-13-45",
                     "20261122", "null", "{}", "', --", "\x00", LONG, "测" * 100_000]),
    st.dictionaries(st.sampled_from(["id", "version", "points", "a"]),
                    st.sampled_from([10**30, "x", [1], None, {"b": 1}]), max_size=3),
    st.lists(st.sampled_from([10**30, "x", None, {"id": "1"}, [[]]]), max_size=3),
    st.lists(st.fixed_dictionaries({"id": st.sampled_from([10**30, "1", None, -1, 2**40]),
                                    "version": st.sampled_from([[1], "x", 1, 10**30])}), min_size=1, max_size=2),
    st.none(),
)
#: a click, so that the callback goes past "was it clicked" to the values
CLICKS = st.one_of(st.just(1), GARBAGE)


def counts(url: str) -> dict[str, int]:
    with reading(url) as s:
        return {name: s.scalar(select(func.count()).select_from(table(name)))
                for name in Base.metadata.tables if name not in UNCOUNTED}


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory, app_for):
    settings = generate_test_data(make_settings(tmp_path_factory.mktemp("fuzz")))
    return app_for(settings), settings


def _patterns(app, keys) -> set[str]:
    return {json.loads(e["id"])["type"] for k in keys for e in app.callback_map[k]["inputs"] + app.callback_map[k]["state"]
            if e["id"].startswith("{")}


def _fuzz(client, app, key: str, patterns: set[str]):
    @hsettings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
               suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data):
        def value(cid, prop):
            one = CLICKS if prop in ("n_clicks", "n_intervals") else GARBAGE
            return data.draw(st.lists(one, min_size=2, max_size=2) if cid in patterns else one, label=f"{cid}.{prop}")

        body = request_body(app, key, value, rows=2)
        resp = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
        assert resp.status_code < 500, (key, resp.status_code, resp.get_data(as_text=True)[:300])
        if resp.status_code == 400:
            assert resp.get_json()["error"].startswith("输入无效"), resp.get_data(as_text=True)[:300]

    run()


@pytest.mark.parametrize("username", OPERATORS)
def test_fuzz001_no_callback_answers_5xx_or_writes_on_wrong_typed_huge_or_long_input(fuzz_app, username):
    app, settings = fuzz_app
    app.server.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 answer here, not an exception
    client = sign_in(app.server, username)
    keys = list(app.server.extensions["platform.callback_actions"])
    assert len(keys) > 90
    patterns = _patterns(app, keys)
    started, before = time.monotonic(), counts(settings.database_url)
    for key in keys:
        _fuzz(client, app, key, patterns)
        after = counts(settings.database_url)
        assert after == before, (key, {t: (before[t], after[t]) for t in after if after[t] != before[t]})
    assert time.monotonic() - started < BUDGET_S


# ------------------------------------------------------------------ targeted

def _funds_request(app, client, **values):
    base = {("funds-submit", "n_clicks"): 1, ("funds-kind", "value"): "payment", ("funds-amount", "value"): "100.00",
            ("funds-account", "value"): 513, ("funds-purpose", "value"): "购买办公用品",
            ("funds-counterparty", "value"): "某某商店", ("funds-id-type", "value"): "other",
            ("funds-id", "value"): "X1", ("funds-date", "date"): "2026-11-20"}
    base.update({(k.replace("_", "-"), "date" if k == "funds_date" else "value"): v for k, v in values.items()})
    return call(client, app, callbacks.funds.requests.submit, base)


def test_fuzz002_a_million_character_counterparty_is_refused_and_nothing_stored(fuzz_app):
    app, settings = fuzz_app
    client = sign_in(app.server, "demo-village")
    before = counts(settings.database_url)
    resp = _funds_request(app, client, funds_counterparty="某" * 1_000_000)
    assert output(resp, "funds-counterparty-error", "children") == "输入无效：内容不超过100字"
    assert counts(settings.database_url) == before
    with reading(settings.database_url) as s:
        assert s.scalar(select(func.max(func.length(PaymentRequest.counterparty_name)))) <= 100


def test_fuzz003_amounts_python_would_take_are_refused_with_a_message(fuzz_app):
    app, settings = fuzz_app
    client = sign_in(app.server, "demo-village")
    before = counts(settings.database_url)
    for typed in ("1e26", "NaN", "Infinity", "1_000.00", "١٢٣"):
        resp = _funds_request(app, client, funds_amount=typed)
        assert output(resp, "funds-amount-error", "children") == "金额须为数字", typed
    assert counts(settings.database_url) == before
    for bad in ("1e26", "-Infinity", "1_000", "1,2,3", "²", "9" * 5000):
        assert parse_amount(bad)[0] is None and parse_signed(bad)[0] is None, bad
        assert decimal_text(bad) is None and integer_text(bad) is None, bad
    assert iso_date("20261122") is None and iso_date("2026-W47-1") is None and iso_date("2026-11-22").day == 22


def test_fuzz004_full_width_digits_are_normalised_on_purpose(fuzz_app):
    assert parse_amount("１,２３４.５０") == (123450, None)
    assert parse_amount("１，２３４．５０") == (123450, None)
    assert parse_signed("－１２．５０") == (-1250, None)
    assert integer_text("２４０") == 240
    app, _ = fuzz_app
    client = sign_in(app.server, "demo-village")
    resp = _funds_request(app, client, funds_amount="１,２３４.５０", funds_counterparty="")
    assert output(resp, "funds-amount-error", "children") == ""  # read as 1,234.50; the blank counterparty refused
    assert output(resp, "funds-counterparty-error", "children") == "请填写对方单位或个人"


def test_fuzz005_a_body_over_the_limit_is_refused_with_413_before_it_is_read(fuzz_app):
    app, _ = fuzz_app
    client = sign_in(app.server, "demo-village")
    big = b'{"output": "' + b"x" * (30 * 1024 * 1024) + b'"}'
    resp = client.post("/_dash-update-component", data=big, content_type="application/json")
    assert resp.status_code == 413 and "请求过大" in resp.get_json()["error"]
    assert login(app.server.test_client(), "demo-village", "x" * (30 * 1024 * 1024)).status_code == 413


def test_fuzz006_the_other_endpoints_check_their_input(fuzz_app):
    app, _ = fuzz_app
    anonymous = app.server.test_client()
    resp = login(anonymous, "demo-village", "p" * 5000)
    assert resp.status_code == 400 and "输入无效：内容不超过1024字" in resp.get_data(as_text=True)
    assert login(anonymous, "u" * 65, "x").status_code == 400
    client = sign_in(app.server, "demo-village")
    resp = client.post("/password", data={"old": "x", "new": "n" * 2000, "again": "n" * 2000})
    assert resp.status_code == 400 and "输入无效" in resp.get_data(as_text=True)
    from server.exports import EXPORT_KINDS

    kind, (path, *_) = next(iter(EXPORT_KINDS.items()))
    for body in ([1, 2], {"kind": {"a": 1}}, {"kind": kind, "page": "p" * 3000}, "x", {"what": "图", "page": path}):
        resp = client.post("/api/export-log", data=json.dumps(body), content_type="application/json")
        assert resp.status_code == 400 and resp.get_json()["error"], body
    assert client.post("/api/export-log", json={"kind": kind, "page": path}).status_code == 200
    assert client.get(f"/api/attachments/{10**30}").status_code == 404
    for body in ([1], {"output": 1}, {"output": "x", "outputs": {}, "inputs": "x"}):
        resp = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
        assert resp.status_code == 400 and resp.get_json()["error"].startswith("输入无效"), body


def test_fuzz007_a_refused_value_is_named_under_its_field_or_in_the_result_line(fuzz_app):
    app, settings = fuzz_app
    client = sign_in(app.server, "demo-village")
    resp = _funds_request(app, client, funds_date="2026-02-30")
    assert output(resp, "funds-date-error", "children") == "输入无效：日期格式应为 YYYY-MM-DD"
    resp = _funds_request(app, client, funds_kind={"a": 1})
    assert output(resp, "funds-kind-error", "children").startswith("输入无效")
    resp = call(client, app, callbacks.funds.requests.act, {("funds-approve", "n_clicks"): 1,
                                                             ("funds-grid", "selectedRows"): [{"id": "1"}]})
    assert "输入无效" in text(output(resp, "funds-action-result", "children"))
    for store in ({"id": "1", "version": 1}, {"id": 1}, {"id": 1, "version": 1, "x": "y" * 20_000}):
        resp = call(client, app, callbacks.contracts.receipt, {("ct-rc-submit", "n_clicks"): 1,
                                                               ("ct-selected-store", "data"): store})
        assert "输入无效" in text(output(resp, "ct-rc-result", "children")), store  # the store's declared model
    resp = client.post("/_dash-update-component", json={
        "output": "home-welcome.children", "outputs": {"id": "home-welcome", "property": "children"},
        "inputs": props(("url", "pathname", {"a": 1})), "state": [], "changedPropIds": ["url.pathname"]})
    assert resp.status_code == 400 and resp.get_json()["error"] == "输入无效：类型不正确"
    resp = client.post("/_dash-update-component", json={  # dash-renderer leaves out an empty "state"
        "output": "home-welcome.children", "outputs": {"id": "home-welcome", "property": "children"},
        "inputs": props(("url", "pathname", "/")), "changedPropIds": ["url.pathname"]})
    assert resp.status_code == 200
