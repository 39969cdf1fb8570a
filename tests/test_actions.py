"""Every action × every role through the real endpoints (issue 11): a user of each of the 15
roles, sitting at the level of its role above one demo village, takes every action of the table
through the callback or HTTP endpoint a person would use. Allowed ones succeed; refused ones
change nothing and leave a security-log entry.

Each driver prepares a fresh record (through the data layer, as the people who would have made
it), fills the form the way the page does and says what "done" looks like. Whether a role may is
read from the one decision (`domain.permissions.role_may`) and, where the area adds a relation
to the record (a warning handled by its unit and verified from above, an account request decided
at its approver's level), from the area's own rule in `domain/`.
"""
from __future__ import annotations

import base64
import datetime as dt
import itertools
import time
from dataclasses import dataclass, field
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from domain.permissions import ROLES, Action, Actor, Scope, role_may, role_perms
from domain.regions import truncate
from tests.conftest import PASSWORD, TODAY, dash_post, generate_test_data, make_settings


NOW = dt.datetime(2026, 11, 22, 4, 0, tzinfo=dt.UTC)  # 12:00 in China on the demo data's day
GOOD_ID = "11010519491231002X"
USCC = "91350100M000100Y43"
PDF = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4 test").decode()
_seq = itertools.count(1)


# ---------------------------------------------------------------- the environment


@dataclass
class Env:
    settings: object
    app: object
    village: int
    org_id: int
    users: dict = field(default_factory=dict)  # role -> (user id, username)
    clients: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.settings.database_url

    def region_of(self, role: str) -> int:
        return truncate(self.village, ROLES[role].level)

    def actor(self, role: str) -> Actor:
        uid, name = self.users[role]
        scope = Scope(root=self.region_of(role), perms=role_perms(role), user_id=uid, role=role)
        return Actor(user_id=uid, username=name, scope=scope)

    def demo(self, username: str) -> Actor:
        from data.db import transaction
        from data.models import User

        with transaction(self.url) as s:
            u = s.scalar(select(User).where(User.username == username))
            scope = Scope(root=int(u.region_code), perms=role_perms(u.role), user_id=u.id, role=u.role)
            return Actor(user_id=u.id, username=u.username, scope=scope)

    def client(self, role: str):
        if role not in self.clients:
            from tests.conftest import sign_in

            self.clients[role] = sign_in(self.app.server, self.users[role][1])
        return self.clients[role]

    def post(self, role: str, fn, values: dict, clicked: str | None = None):
        """POST the callback registered from `fn` as the page would: every input and state filled
        from `values` (keyed by component id, or (id, property)), the rest None."""
        from server.callbacks import callback_named

        key = callback_named(self.app, fn)
        spec = self.app.callback_map[key]

        def item(i):
            v = values.get((i["id"], i["property"]), values.get(i["id"]))
            return {"id": i["id"], "property": i["property"], "value": v}

        inputs = [item(i) for i in spec["inputs"]]
        state = [item(i) for i in spec.get("state", [])]
        changed = [f"{clicked}.n_clicks"] if clicked else None
        return dash_post(self.client(role), key, inputs, state, changed=changed)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """A generated test database of its own with one user of every role above one village."""
    from app import create_app
    from data.db import transaction
    from data.models import CollectiveOrg, User
    from data.query import QueryLayer
    from domain.admin import passwords
    from domain.regions import TOWNSHIP

    settings = generate_test_data(make_settings(tmp_path_factory.mktemp("actions")))
    app = create_app(settings, QueryLayer(settings, today=TODAY).load())
    app.server.config["NOW"] = lambda: NOW
    county = settings.demo_county
    ql = app.server.extensions["platform.query"]
    township = int(ql.tree.children(county)["code"][0])
    village = int(ql.tree.children(township)["code"][0])
    assert truncate(village, TOWNSHIP) == township
    with transaction(settings.database_url) as s:
        org_id = s.scalar(select(CollectiveOrg.id).where(CollectiveOrg.region_code == village))
        hashed = passwords.hash_password(PASSWORD)
        e = Env(settings, app, village, org_id)
        for role, r in ROLES.items():
            u = User(username=f"act.{role.replace('_', '-')}", display_name=f"测试{r.label}", role=role,
                     region_code=e.region_of(role), password_hash=hashed, password_changed_at=NOW,
                     institution="测试银行" if r.needs_institution else None,
                     approval_ref="吉审〔2026〕1号" if r.needs_approval_ref else None)
            s.add(u)
            s.flush()
            e.users[role] = (u.id, u.username)
    return e



def table_counts(env) -> tuple:
    """Rows of every business table (the security log and sessions aside)."""
    from data.db import transaction
    from data.models import Base

    skip = {"audit_log", "user_sessions", "record_changes", "settings"}
    with transaction(env.url) as s:
        return tuple((t.name, s.scalar(select(func.count()).select_from(t)))
                     for t in Base.metadata.sorted_tables if t.name not in skip)


def row(env, model, ident, *cols):
    from data.db import transaction

    with transaction(env.url) as s:
        r = s.get(model, ident)
        return tuple(getattr(r, c) for c in cols) if r is not None else None



# ---------------------------------------------------------------- drivers


@dataclass
class Driver:
    """`prepare(env) -> ctx`; `call(env, role, ctx) -> response`; `state(env, ctx)`: what the
    action changes; `relation(env, role, ctx)`: the area's rule on top of the table (default:
    none); `done(env, ctx, before, resp)`: success (default: the state changed)."""

    call: Callable
    state: Callable
    prepare: Callable = lambda env: {}
    relation: Callable | None = None
    done: Callable | None = None


DRIVERS: dict[Action, Driver] = {}


def driver(action: Action, **kw):
    def deco(call):
        DRIVERS[action] = Driver(call=call, **kw)
        return call
    return deco


# pages: opened through the page router; "done" is the layout
ROUTER = ".._pages_content.children..._pages_store.data.."


def _page(path: str):
    def call(env, role, ctx):
        return dash_post(env.client(role), ROUTER, [{"id": "_pages_location", "property": "pathname", "value": path},
                                                    {"id": "_pages_location", "property": "search", "value": ""}])
    return call


def _opened(env, ctx, before, resp):
    return resp.status_code == 200


for _action, _path in ((Action.HOME_VIEW, "/"), (Action.ACCOUNT_SELF, "/account"), (Action.DASHBOARD_VIEW, "/cockpit"),
                       (Action.BUSINESS_VIEW, "/assets"), (Action.WARNING_WORK, "/warnings"),
                       (Action.WARNING_MAP_VIEW, "/warning-map"), (Action.ADMIN_VIEW, "/admin/sharing"),
                       (Action.AUDIT_VIEW, "/admin/audit")):
    DRIVERS[_action] = Driver(call=_page(_path), state=lambda env, ctx: table_counts(env), done=_opened)


def _warning_frame(env, role, ctx):
    """Warnings are read on 预警处置 and on 预警热力图: whichever page the role opens."""
    from callbacks.supervision import warning_map, warnings

    if role_may(role, Action.WARNING_MAP_VIEW):
        return env.post(role, warning_map.render, {"url": "#", "wmap-status": "open"})
    return env.post(role, warnings.load, {"warn-refresh": 0, "warn-status": "open"})


DRIVERS[Action.WARNING_READ] = Driver(call=_warning_frame, state=lambda env, ctx: table_counts(env), done=_opened)


@driver(Action.ATTACHMENT_READ,
        prepare=lambda env: {"id": _attachment(env)}, state=lambda env, ctx: table_counts(env),
        done=lambda env, ctx, before, resp: resp.status_code == 200 and resp.data == b"%PDF-1.4 test")
def _attachment_call(env, role, ctx):
    return env.client(role).get(f"/api/attachments/{ctx['id']}")


def _attachment(env) -> int:
    from data import attachments
    from data.db import transaction
    from data.models import Asset

    cashier = env.demo("demo-village")
    with transaction(env.url) as s:
        asset = s.scalar(select(Asset).where(Asset.org_id == env.org_id).limit(1))
        return attachments.add(s, cashier, "asset", asset.id, "发票.pdf", b"%PDF-1.4 test")


@driver(Action.EXPORT_NOTE, state=lambda env, ctx: table_counts(env),
        done=lambda env, ctx, before, resp: resp.status_code == 200)
def _export_note(env, role, ctx):
    return env.client(role).post("/api/export-log", json={"kind": "cockpit-map", "page": "/cockpit"})


# ---------------------------------------------------------------- assets and resources


def _resolution(env, decision_type: str, days_ago: int = 10, **extra) -> int:
    from data.db import transaction
    from data.models import Meeting, Resolution

    with transaction(env.url) as s:
        m = Meeting(org_id=env.org_id, region_code=env.village, kind="成员代表会议", title="测试议题",
                    held_on=TODAY - dt.timedelta(days=days_ago), expected=30, attended=25, status="confirmed")
        s.add(m)
        s.flush()
        r = Resolution(meeting_id=m.id, org_id=env.org_id, number=f"决-{next(_seq)}", subject="测试事项",
                       decision_type=decision_type, votes_for=22, votes_against=1, votes_abstain=2, passed=True, **extra)
        s.add(r)
        s.flush()
        return r.id


def _asset(env, status: str = "in_use") -> dict:
    from data import assets
    from domain import assets as rules

    code = f"ZC-ACT-{next(_seq):04d}"
    draft = rules.CardDraft(org_id=env.org_id, code=code, name="测试抽水泵", category="equipment", operating=True,
                            original_value="6,000.00", acquired_on=dt.date(2016, 5, 10),
                            useful_life_months="120", residual_rate="5", location="泵房", custodian="王会计")
    aid = assets.save_card(env.url, env.settings.audit_key, env.demo("demo-secretary"), None, draft, TODAY)
    return {"id": aid, "code": code, "version": row(env, _m("Asset"), aid, "version")[0]}


def _m(name: str):
    import data.models

    return getattr(data.models, name)


def _asset_state(env, ctx):
    return row(env, _m("Asset"), ctx["id"], "status", "version", "original_value_fen")


def _act(kind: str, decision: str):
    def prepare(env):
        ctx = _asset(env)
        ctx["resolution"] = _resolution(env, decision, subject_type="asset", subject_id=ctx["id"])
        return ctx

    def call(env, role, ctx):
        from callbacks import assets

        return env.post(role, assets.submit, {
            "assets-grid": [{"id": ctx["id"], "version": ctx["version"], "code": ctx["code"]}], "assets-action": kind,
            "assets-resolution": ctx["resolution"], "assets-date": TODAY.isoformat(), "assets-submit": 1,
            "assets-refresh": 0})
    return Driver(call=call, prepare=prepare, state=_asset_state)


DRIVERS[Action.ASSET_DISPOSE] = _act("dispose", "disposal")
DRIVERS[Action.ASSET_LEASE] = _act("lease", "lease")
DRIVERS[Action.ASSET_PLEDGE] = _act("pledge", "pledge")


@driver(Action.ASSET_CARD_SAVE, state=lambda env, ctx: row(env, _m("Asset"), ctx.get("id"), "id")
        if ctx.get("id") else _count(env, "Asset", code=ctx["code"]),
        prepare=lambda env: {"code": f"ZC-NEW-{next(_seq):04d}"})
def _card(env, role, ctx):
    from callbacks import assets

    return env.post(role, assets.save_card, {
        "assets-card-new": 1, "assets-card-org": env.org_id, "assets-card-code": ctx["code"],
        "assets-card-name": "新购电脑", "assets-card-category": "equipment", "assets-card-operating": False,
        "assets-card-value": "4,000", "assets-card-acquired": TODAY.isoformat(), "assets-card-life": "60",
        "assets-card-residual": "5", "assets-card-location": "村部", "assets-card-custodian": "赵六",
        ("assets-files", "contents"): [], ("assets-files", "filename"): [], "assets-grid": [], "assets-refresh": 0},
        clicked="assets-card-new")


def _count(env, model: str, **where) -> int:
    from data.db import transaction

    m = _m(model)
    with transaction(env.url) as s:
        return s.scalar(select(func.count()).select_from(m).where(*[getattr(m, k) == v for k, v in where.items()]))


@driver(Action.ASSET_REVALUE, prepare=_asset, state=_asset_state)
def _revalue(env, role, ctx):
    from callbacks import assets

    return env.post(role, assets.revalue, {
        "assets-grid": [{"id": ctx["id"], "version": ctx["version"], "code": ctx["code"]}], "assets-reval-value": "6,500",
        "assets-reval-reason": "市场价值评估上升", "assets-reval-resolution": None,
        "assets-reval-date": TODAY.isoformat(), "assets-reval-submit": 1, "assets-refresh": 0})


def _depreciation_state(env, ctx):
    return _count(env, "Voucher", org_id=env.org_id, source="depreciation")


def _months_back(year: int, month: int):
    while True:
        yield year * 100 + month
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)


#: months the demo books have not charged (they charge every month from 2024-12 on), newest first
_free_months = _months_back(2024, 11)


def _depreciation_prepare(env):
    _asset(env)
    month = next(_free_months)
    return {"period": f"{month // 100}-{month % 100:02d}"}


@driver(Action.ASSET_DEPRECIATE, prepare=_depreciation_prepare, state=_depreciation_state)
def _depreciate(env, role, ctx):
    from callbacks import assets

    return env.post(role, assets.depreciate, {"assets-dep-org": env.org_id, "assets-dep-period": ctx["period"],
                                              "assets-dep-submit": 1, "assets-refresh": 0})


@driver(Action.RESOURCE_SAVE, prepare=lambda env: {"name": f"测试林地{next(_seq)}"},
        state=lambda env, ctx: _count(env, "Resource", name=ctx["name"]))
def _resource(env, role, ctx):
    from callbacks import resources

    return env.post(role, resources.submit, {
        "res-create": 1, "res-editing": None, "res-org": env.org_id, "res-name": ctx["name"], "res-type": "林地",
        "res-area": "12.5", "res-location": "北山", "res-parcel": None, "res-refresh": 0}, clicked="res-create")


# ---------------------------------------------------------------- contracts and trading


def _free_resource(env) -> int:
    from data.db import transaction
    from data.models import Resource

    with transaction(env.url) as s:
        r = Resource(org_id=env.org_id, region_code=env.village, name=f"测试耕地{next(_seq)}", type="耕地",
                     area_mu=12, location="东片")
        s.add(r)
        s.flush()
        return r.id


def _contract_values(env, rid: int, res: int) -> dict:
    return {"ct-create": 1, "ct-selected-store": None, "ct-subject": f"resource:{rid}", "ct-kind": "lease",
            "ct-frequency": "yearly", "ct-title": None, "ct-counterparty": "李娜", "ct-id-type": "resident",
            "ct-id": GOOD_ID, "ct-amount": "12,000.00", "ct-signed": (TODAY - dt.timedelta(days=1)).isoformat(),
            "ct-start": TODAY.isoformat(), "ct-end": (TODAY + dt.timedelta(days=3 * 365)).isoformat(),
            "ct-resolution": res, ("ct-scan", "contents"): [PDF], ("ct-scan", "filename"): ["合同.pdf"],
            "ct-refresh": 0}


def _contract_prepare(env):
    rid = _free_resource(env)
    return {"rid": rid, "res": _resolution(env, "lease", subject_type="resource", subject_id=rid)}


@driver(Action.CONTRACT_SAVE, prepare=_contract_prepare,
        state=lambda env, ctx: _count(env, "Contract", subject_type="resource", subject_id=ctx["rid"]))
def _contract_create(env, role, ctx):
    from callbacks import contracts

    return env.post(role, contracts.submit, _contract_values(env, ctx["rid"], ctx["res"]), clicked="ct-create")


def _contract(env) -> dict:
    from data import contracts
    from domain import contracts as rules

    ctx = _contract_prepare(env)
    draft = rules.ContractDraft(kind="lease", title="", counterparty="王伟", counterparty_id_type="resident",
                                counterparty_id=GOOD_ID, amount="30,000.00", frequency="yearly",
                                signed_on=TODAY - dt.timedelta(days=400), start_on=TODAY - dt.timedelta(days=365),
                                end_on=TODAY + dt.timedelta(days=730))
    secretary = env.demo("demo-secretary")
    cid = contracts.create(env.url, env.settings.audit_key, secretary, f"resource:{ctx['rid']}", draft,
                           _resolution(env, "lease", days_ago=500, subject_type="resource", subject_id=ctx["rid"]),
                           TODAY - dt.timedelta(days=400))
    from data.db import transaction
    from data.models import Contract, ContractInstalment

    with transaction(env.url) as s:
        c = s.get(Contract, cid)
        inst = s.scalar(select(ContractInstalment).where(ContractInstalment.contract_id == cid)
                        .order_by(ContractInstalment.due_on))
        return {"id": cid, "version": c.version, "instalment": inst.id}


def _contract_state(env, ctx):
    from data.db import transaction
    from data.models import Contract, ContractReceipt

    with transaction(env.url) as s:
        c = s.get(Contract, ctx["id"])
        receipts = s.scalar(select(func.count()).select_from(ContractReceipt).where(ContractReceipt.contract_id == c.id))
        return c.status, c.version, receipts, s.scalar(select(func.count()).select_from(Contract))


@driver(Action.CONTRACT_RECEIPT, prepare=_contract, state=_contract_state)
def _receipt(env, role, ctx):
    from callbacks import contracts

    return env.post(role, contracts.receipt, {
        "ct-rc-submit": 1, "ct-selected-store": {"id": ctx["id"], "version": ctx["version"], "status": "active"},
        "ct-rc-instalment": ctx["instalment"], "ct-rc-amount": "1,000.00", "ct-rc-date": TODAY.isoformat(),
        "ct-refresh": 0})


@driver(Action.CONTRACT_RENEW, prepare=lambda env: {**_contract(env), "res": _resolution(env, "lease", days_ago=2)},
        state=_contract_state)
def _renew(env, role, ctx):
    from callbacks import contracts

    res = ctx["res"]
    return env.post(role, contracts.renew, {
        "ct-rn-submit": 1, "ct-selected-store": {"id": ctx["id"], "version": ctx["version"], "status": "active"},
        "ct-rn-end": (TODAY + dt.timedelta(days=5 * 365)).isoformat(), "ct-rn-amount": "40,000.00",
        "ct-rn-frequency": "yearly", "ct-rn-signed": TODAY.isoformat(), "ct-rn-resolution": res, "ct-refresh": 0})


@driver(Action.CONTRACT_TERMINATE, prepare=_contract, state=_contract_state)
def _terminate(env, role, ctx):
    from callbacks import contracts

    return env.post(role, contracts.terminate, {
        "ct-tm-submit": 1, "ct-selected-store": {"id": ctx["id"], "version": ctx["version"], "status": "active"},
        "ct-tm-date": TODAY.isoformat(), "ct-tm-reason": "承包方申请解除，双方协商一致", "ct-refresh": 0})


@driver(Action.TRADE_LIST, prepare=_contract_prepare,
        state=lambda env, ctx: _count(env, "TradeListing", subject_type="resource", subject_id=ctx["rid"]))
def _list(env, role, ctx):
    from callbacks import trading

    return env.post(role, trading.create, {
        "list-submit": 1, "list-resource": ctx["rid"], "list-kind": "lease", "list-reserve": "8,000",
        "list-term": 60, "list-resolution": ctx["res"], "list-opens": TODAY.isoformat(),
        "list-closes": (TODAY + dt.timedelta(days=7)).isoformat(), "trade-refresh": 0})


def _listing(env, opens: dt.date, closes: dt.date, bids: int = 0) -> dict:
    from data.db import transaction
    from data.models import Bid, TradeListing

    ctx = _contract_prepare(env)
    with transaction(env.url) as s:
        t = TradeListing(org_id=env.org_id, region_code=env.village, title="测试挂牌", kind="lease",
                         subject_type="resource", subject_id=ctx["rid"], reserve_price_fen=800_000, term_months=36,
                         resolution_id=ctx["res"], opens_on=opens, closes_on=closes, status="open")
        s.add(t)
        s.flush()
        for i in range(bids):
            s.add(Bid(listing_id=t.id, bidder="王伟", bidder_id_type="resident", bidder_id=GOOD_ID,
                      amount_fen=900_000 + i))
        s.flush()
        return {"id": t.id, "version": t.version}


def _listing_state(env, ctx):
    from data.models import TradeListing

    return row(env, TradeListing, ctx["id"], "status", "version"), _count(env, "Bid", listing_id=ctx["id"])


@driver(Action.TRADE_BID, prepare=lambda env: _listing(env, TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=5)),
        state=_listing_state)
def _bid(env, role, ctx):
    from callbacks import trading

    return env.post(role, trading.bid, {
        "bid-submit": 1, "trade-grid": [{"id": ctx["id"], "version": ctx["version"]}], "bid-bidder": "丰收种植专业合作社",
        "bid-id-type": "uscc", "bid-id": USCC, "bid-amount": "9,500", "trade-refresh": 0})


@driver(Action.TRADE_AWARD, state=_listing_state,
        prepare=lambda env: _listing(env, TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=2), bids=2))
def _award(env, role, ctx):
    from callbacks import trading

    return env.post(role, trading.award, {"trade-award": 1, "trade-grid": [{"id": ctx["id"], "version": ctx["version"]}],
                                          "trade-refresh": 0})


# ---------------------------------------------------------------- meetings


@driver(Action.MEETING_RECORD, prepare=lambda env: {"title": f"测试成员代表会议{next(_seq)}"},
        state=lambda env, ctx: _count(env, "Meeting", title=ctx["title"]))
def _meeting(env, role, ctx):
    from callbacks import meetings

    return env.post(role, meetings.submit, {  # the village's roll holds 8 members
        "meetings-submit": 1, "meetings-org": env.org_id, "meetings-kind": "成员代表会议", "meetings-title": ctx["title"],
        "meetings-date": (TODAY - dt.timedelta(days=1)).isoformat(), "meetings-expected": 8, "meetings-attended": 7,
        "meetings-agenda": "审议年度财务计划", "meetings-count": 1, "meetings-r1-number": f"决-{next(_seq)}",
        "meetings-r1-subject": "年度财务计划", "meetings-r1-type": "plan", "meetings-r1-for": 6, "meetings-r1-against": 1,
        "meetings-r1-abstain": 0, ("meetings-minutes", "contents"): [PDF], ("meetings-minutes", "filename"): ["会议纪要.pdf"],
        ("meetings-signin", "contents"): [PDF], ("meetings-signin", "filename"): ["签到表.pdf"], "meetings-refresh": 0})


def _recorded_meeting(env) -> dict:
    """A representatives' meeting of the village recorded by its secretary, with minutes and sign-in sheet."""
    from data import meetings
    from domain import meetings as rules

    d = rules.MeetingDraft(kind="成员代表会议", title=f"待确认会议{next(_seq)}", held_on=TODAY - dt.timedelta(days=2),
                           expected=8, attended=7, agenda="审议年度财务计划")
    r = rules.ResolutionDraft(number=f"决-{next(_seq)}", subject="年度财务计划", decision_type="plan", votes_for=6)
    files = {"minutes": [("会议纪要.pdf", b"%PDF-1.4 test")], "signin": [("签到表.pdf", b"%PDF-1.4 test")]}
    mid = meetings.record(env.url, env.settings.audit_key, env.demo("demo-secretary"), env.org_id, d, [r], TODAY, files)
    return {"id": mid, "version": row(env, _m("Meeting"), mid, "version")[0]}


@driver(Action.MEETING_CONFIRM, prepare=_recorded_meeting,
        state=lambda env, ctx: row(env, _m("Meeting"), ctx["id"], "status", "version", "confirmed_by_id"))
def _confirm_meeting(env, role, ctx):
    from callbacks import meetings

    return env.post(role, meetings.decide, {"meetings-confirm-submit": 1, "meetings-edit-target": ctx,
                                            "meetings-confirm-note": "纪要、签到表核对无误", "meetings-refresh": 0},
                    clicked="meetings-confirm-submit")


# ---------------------------------------------------------------- supervision (预警处置)


def _warning(env, steps: tuple[tuple[str, str], ...]) -> dict:
    """A warning pushed to the village, taken through `steps` ((demo user, action), …) as they would."""
    from data.db import transaction
    from data.models import Warning
    from data.supervision import handling
    from domain.supervision import lifecycle

    raised = NOW - dt.timedelta(days=3)
    with transaction(env.url) as s:
        w = Warning(rule_id="cash_over_limit", region_code=env.village, severity=2, status="pushed",
                    assigned_region=env.village, fingerprint=f"act:{next(_seq)}", title="测试预警：库存现金超限",
                    evidence={"balance_fen": 812_345, "limit_fen": 500_000}, raised_at=raised,
                    due_on=lifecycle.due_date(raised.date(), 2))
        s.add(w)
        s.flush()
        wid = w.id
    for username, step in steps:
        version = row(env, Warning, wid, "version")[0]
        handling.act(env.url, env.settings.audit_key, env.demo(username), wid, step, "已核查，情况属实，已整改完毕并存档",
                     [], version, TODAY, now=NOW)
    return {"id": wid, "version": row(env, Warning, wid, "version")[0]}


def _may_step(step: str):
    def relation(env, role, ctx):
        from data.supervision import store

        try:
            return step in store.detail(env.url, env.actor(role), ctx["id"], TODAY)["actions"]
        except PermissionError:
            return False
    return relation


def _step(step: str, before: tuple[tuple[str, str], ...]):
    def call(env, role, ctx):
        from callbacks.supervision import warnings

        if step == "close":  # 办结 is confirmed in its dialog
            return env.post(role, warnings.close, {
                "warn-decide-confirm": 1, "warn-decide-opinion": "整改到位，同意办结",
                "warn-decide-pending": {"decision": "close", "id": ctx["id"], "version": ctx["version"]},
                "warn-refresh": 0}, clicked="warn-decide-confirm")
        button = f"warn-step-{step}"
        return env.post(role, warnings.submit, {
            button: 1, "warn-selected": {"id": ctx["id"], "version": ctx["version"]},
            "warn-note": "已核查，情况属实，已整改完毕并存档", ("warn-files", "contents"): [],
            ("warn-files", "filename"): [], "warn-refresh": 0}, clicked=button)

    return Driver(call=call, prepare=lambda env: _warning(env, before), relation=_may_step(step),
                  state=lambda env, ctx: row(env, _m("Warning"), ctx["id"], "status", "version"))


_HANDLED = (("demo-village", "acknowledge"), ("demo-village", "handle"))
DRIVERS[Action.WARNING_ACKNOWLEDGE] = _step("acknowledge", ())
DRIVERS[Action.WARNING_HANDLE] = _step("handle", (("demo-village", "acknowledge"),))
DRIVERS[Action.WARNING_VERIFY] = _step("verify", _HANDLED)
DRIVERS[Action.WARNING_CLOSE] = _step("close", (*_HANDLED, ("demo-township", "verify")))
DRIVERS[Action.WARNING_REOPEN] = _step("reopen", _HANDLED)


# ---------------------------------------------------------------- administration


def _totp_prepare(env):
    import pyotp

    return {"secret": pyotp.random_base32()}


@driver(Action.ACCOUNT_TOTP, prepare=_totp_prepare,
        state=lambda env, ctx: _count(env, "User", totp_secret=ctx["secret"]))
def _totp(env, role, ctx):
    import pyotp

    from callbacks import account

    return env.post(role, account.toggle, {"totp-enable": 1, "totp-secret": ctx["secret"],
                                           "totp-code": pyotp.TOTP(ctx["secret"]).at(NOW)}, clicked="totp-enable")


def _remit(target_role: str):
    def relation(env, role, ctx):
        from domain.admin import accounts

        actor = env.actor(role)
        return accounts.within_remit(actor.scope, actor.level, target_role, ctx.get("region", env.village))
    return relation


@driver(Action.ACCOUNT_REQUEST, prepare=lambda env: {"username": f"new.cashier{next(_seq)}"},
        relation=_remit("village_cashier"), state=lambda env, ctx: _count(env, "AccountRequest", username=ctx["username"]))
def _account_request(env, role, ctx):
    from callbacks.admin import users as admin_users

    return env.post(role, admin_users.submit, {
        "acct-submit": 1, "acct-username": ctx["username"], "acct-display-name": "新报账员", "acct-role": "village_cashier",
        "acct-region": env.village, "acct-password": "Cashier#2026x", "acct-refresh": 0})


def _pending_request(env) -> dict:
    from data.admin import accounts
    from domain.admin import accounts as rules

    township = truncate(env.village, 4)
    draft = rules.AccountDraft(username=f"new.agent{next(_seq)}", display_name="新会计", role="township_accountant",
                               region_code=township, password="Agent#2026xyz")
    county = env.demo("demo-county")
    rid = accounts.submit_request(env.url, env.settings.audit_key, env.settings.province, county, draft)
    return {"id": rid, "approver": rules.approver_for("township_accountant", township, county.scope)}


def _may_decide(env, role, ctx):
    from domain.admin import accounts

    actor = env.actor(role)
    level, region = ctx["approver"]
    return accounts.may_decide(actor.scope, actor.user_id, level, region, env.demo("demo-county").user_id)


@driver(Action.ACCOUNT_APPROVE, prepare=_pending_request, relation=_may_decide,
        state=lambda env, ctx: row(env, _m("AccountRequest"), ctx["id"], "status"))
def _approve_account(env, role, ctx):
    from callbacks.admin import users as admin_users

    return env.post(role, admin_users.decide, {
        "acct-decide-confirm": 1, "acct-decide-pending": {"decision": "approve", "id": ctx["id"], "version": 0},
        "acct-decide-opinion": "同意", "acct-refresh": 0}, clicked="acct-decide-confirm")


def _target_user(env) -> dict:
    from data.db import transaction
    from data.models import User

    with transaction(env.url) as s:
        u = User(username=f"old.cashier{next(_seq)}", display_name="原报账员", role="village_cashier",
                 region_code=env.village, password_hash="x", password_changed_at=NOW)
        s.add(u)
        s.flush()
        return {"id": u.id, "version": u.version, "username": u.username}


@driver(Action.ACCOUNT_DISABLE, prepare=_target_user, relation=_remit("village_cashier"),
        state=lambda env, ctx: row(env, _m("User"), ctx["id"], "is_active", "version"))
def _disable(env, role, ctx):
    from callbacks.admin import users as admin_users

    return env.post(role, admin_users.set_active, {"acct-disable": 1, "acct-users": [ctx], "acct-refresh": 0},
                    clicked="acct-disable")


_months = itertools.count(0)


@driver(Action.AUDIT_REVIEW, prepare=lambda env: {"month": 202501 + next(_months) % 12},
        state=lambda env, ctx: _count(env, "AuditReview"))
def _review(env, role, ctx):
    from callbacks.admin import audit as admin_audit

    return env.post(role, admin_audit.sign, {"review-sign": 1, "review-month": ctx["month"], "review-note": "已审查"})


def _other_county(env) -> int:
    ql = env.app.server.extensions["platform.query"]
    city = truncate(env.village, 2)
    other_city = next(int(c) for c in ql.tree.children(truncate(env.village, 1))["code"] if int(c) != city)
    return int(ql.tree.children(other_city)["code"][0])


@driver(Action.SHARING_REQUEST, prepare=lambda env: {"purpose": f"联合开展资产清查{next(_seq)}"},
        state=lambda env, ctx: _count(env, "SharingApproval", purpose=ctx["purpose"]))
def _share(env, role, ctx):
    from callbacks.admin import sharing as admin_sharing

    return env.post(role, admin_sharing.submit, {
        "share-submit": 1, "share-grantee": _other_county(env), "share-purpose": ctx["purpose"],
        "share-until": (TODAY + dt.timedelta(days=90)).isoformat(), "share-refresh": 0})


def _pending_share(env) -> dict:
    from data.admin import sharing

    sid = sharing.request_share(env.url, env.settings.audit_key, env.settings.province, env.actor("county_admin"),
                                _other_county(env), f"共享申请{next(_seq)}", TODAY + dt.timedelta(days=90), TODAY)
    return {"id": sid}


@driver(Action.SHARING_APPROVE, prepare=_pending_share,
        state=lambda env, ctx: row(env, _m("SharingApproval"), ctx["id"], "status"))
def _approve_share(env, role, ctx):
    from callbacks.admin import sharing as admin_sharing

    return env.post(role, admin_sharing.decide, {
        "share-decide-confirm": 1, "share-decide-pending": {"decision": "approve", "id": ctx["id"], "version": 0},
        "share-decide-opinion": None, "share-refresh": 0}, clicked="share-decide-confirm")


def _closure_value(env):
    from data.admin import platform_settings

    platform_settings.forget(env.url, "maintenance")
    return platform_settings.get(env.url, "maintenance")


def _withdraw(env, ctx):
    from data.admin import platform_settings

    platform_settings.announce_closure(env.url, env.settings.audit_key, "test", None, env.village, None)
    platform_settings.forget(env.url, "maintenance")


@driver(Action.MAINTENANCE_ANNOUNCE, state=lambda env, ctx: _closure_value(env))
def _announce(env, role, ctx):
    from callbacks.admin import maintenance as admin_maintenance

    start = (NOW + dt.timedelta(days=2)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    return env.post(role, admin_maintenance.publish, {
        "mnt-publish": 1, "mnt-start": start.strftime("%Y-%m-%dT%H:%M"), "mnt-message": "系统升级", "mnt-version": 0},
        clicked="mnt-publish")


def _closure_now(env):
    from data.admin import platform_settings
    from domain.admin.maintenance import Closure

    closure = Closure(starts_at=NOW - dt.timedelta(hours=1), ends_at=None, message="测试停机", announced_by="test")
    platform_settings.announce_closure(env.url, env.settings.audit_key, "test", None, env.village, closure)
    platform_settings.forget(env.url, "maintenance")
    return {}


def _sign_in_during(env, role, ctx):
    c = env.app.server.test_client()
    return c.post("/login", data={"username": env.users[role][1], "password": PASSWORD})


DRIVERS[Action.MAINTENANCE_WORK] = Driver(
    call=_sign_in_during, prepare=_closure_now, state=lambda env, ctx: table_counts(env),
    done=lambda env, ctx, before, resp: resp.status_code == 302)
def _totp_off(env, ctx):
    from sqlalchemy import update

    from data.db import transaction
    from data.models import User

    with transaction(env.url) as s:
        s.execute(update(User).where(User.totp_secret == ctx["secret"]).values(totp_secret=None))


CLEANUP = {Action.MAINTENANCE_ANNOUNCE: _withdraw, Action.MAINTENANCE_WORK: _withdraw, Action.ACCOUNT_TOTP: _totp_off}


# ---------------------------------------------------------------- funds (资金管理)


def _bank(env) -> int:
    from tests.support.funds import village_org

    return village_org(env.settings, env.village)[1]


def _request(env, *approvers: str) -> dict:
    """A payment request of the village entered by its cashier and approved by `approvers`."""
    from data.funds import requests as funds
    from tests.support.funds import draft, version

    rid = funds.submit(env.url, env.settings.audit_key, env.demo("demo-village"), None,
                       draft(_bank(env), purpose=f"测试付款{next(_seq)}"), TODAY)
    for who in approvers:
        funds.decide(env.url, env.settings.audit_key, env.demo(who), rid, True, version(env.settings, rid), today=TODAY)
    return {"id": rid, "version": version(env.settings, rid)}


def _request_state(env, ctx):
    return row(env, _m("PaymentRequest"), ctx["id"], "status", "version", "voucher_id")


@driver(Action.FUNDS_REQUEST_CREATE, prepare=lambda env: {"purpose": f"购买办公用品{next(_seq)}", "bank": _bank(env)},
        state=lambda env, ctx: _count(env, "PaymentRequest", purpose=ctx["purpose"]))
def _create_request(env, role, ctx):
    from callbacks.funds import requests

    return env.post(role, requests.submit, {
        "funds-submit": 1, "funds-kind": "payment", "funds-bank": ctx["bank"], "funds-amount": "1,234.50",
        "funds-account": "513", "funds-resolution": None, "funds-purpose": ctx["purpose"], "funds-counterparty": "王伟",
        "funds-id-type": "resident", "funds-id": GOOD_ID, "funds-date": TODAY.isoformat(),
        ("funds-files", "contents"): [PDF], ("funds-files", "filename"): ["发票.pdf"], "funds-refresh": 0})


def _post(env, role, ctx):
    from callbacks.funds import requests

    return env.post(role, requests.act, {"funds-post": 1, "funds-grid": [{"id": ctx["id"], "version": ctx["version"]}],
                                         "funds-post-date": TODAY.isoformat(), "funds-refresh": 0}, clicked="funds-post")


def _decide(decision: str):
    """The confirmation dialog's 确认 of `decision` (approve, reject, withdraw) on the request."""
    def call(env, role, ctx):
        from callbacks.funds import requests

        return env.post(role, requests.decide, {
            "funds-decide-confirm": 1, "funds-decide-opinion": "同意",
            "funds-decide-pending": {"decision": decision, "id": ctx["id"], "version": ctx["version"]},
            "funds-refresh": 0}, clicked="funds-decide-confirm")
    return call


def _own_request(env) -> dict:
    """A request filed by the test's own cashier (only the requester may withdraw it)."""
    from data.funds import requests as funds
    from tests.support.funds import draft, version

    rid = funds.submit(env.url, env.settings.audit_key, env.actor("village_cashier"), None,
                       draft(_bank(env), purpose=f"测试付款{next(_seq)}"), TODAY)
    return {"id": rid, "version": version(env.settings, rid)}


DRIVERS[Action.FUNDS_REQUEST_APPROVE_SECRETARY] = Driver(call=_decide("approve"), prepare=lambda env: _request(env),
                                                         state=_request_state)
DRIVERS[Action.FUNDS_REQUEST_APPROVE_SUPERVISOR] = Driver(
    call=_decide("approve"), prepare=lambda env: _request(env, "demo-secretary"), state=_request_state)
DRIVERS[Action.FUNDS_REQUEST_WITHDRAW] = Driver(call=_decide("withdraw"), prepare=_own_request, state=_request_state)
DRIVERS[Action.VOUCHER_POST] = Driver(call=_post, state=_request_state,
                                      prepare=lambda env: _request(env, "demo-secretary", "demo-supervisor"))


def _period_text(month: int) -> str:
    return f"{month // 100}-{month % 100:02d}"


@driver(Action.MONTH_CLOSE, prepare=lambda env: {"period": _period_text(next(_free_months))},
        state=lambda env, ctx: _count(env, "PeriodClose", org_id=env.org_id, status="closed"))
def _close(env, role, ctx):
    from callbacks.funds import closing

    return env.post(role, closing.close, {"funds-close-submit": 1, "funds-org": env.org_id,
                                          "funds-close-period": ctx["period"], "funds-books-refresh": 0})


def _closed_month(env) -> dict:
    from data.funds import closing

    month = next(_free_months)
    cid = closing.close_period(env.url, env.settings.audit_key, env.demo("demo-township"), env.org_id, month, TODAY)
    return {"id": cid, "version": row(env, _m("PeriodClose"), cid, "version")[0], "period": month}


@driver(Action.MONTH_REOPEN, prepare=_closed_month,
        state=lambda env, ctx: row(env, _m("PeriodClose"), ctx["id"], "status", "version"))
def _reopen(env, role, ctx):
    from callbacks.funds import closing

    return env.post(role, closing.reopen, {"funds-reopen-submit": 1, "funds-close-grid": [ctx],
                                           "funds-reopen-reason": "补记漏记的收款凭证", "funds-books-refresh": 0})


@driver(Action.BANK_ACCOUNT_OPEN, prepare=lambda env: {"no": f"62220210{next(_seq):08d}"},
        state=lambda env, ctx: _count(env, "BankAccount", account_no=ctx["no"]))
def _open_account(env, role, ctx):
    from callbacks.funds import books

    return env.post(role, books.open_account, {
        "funds-open-submit": 1, "funds-org": env.org_id, "funds-open-kind": "bank", "funds-open-name": "专项资金户",
        "funds-open-bank": "农村信用社", "funds-open-no": ctx["no"], "funds-books-refresh": 0})


def _statement(env) -> dict:
    n = next(_seq)
    csv = f"交易日期,金额,摘要\n2026-11-0{1 + n % 9},-{n}.25,账户管理费{n}\n".encode()
    return {"bank": _bank(env), "file": "data:text/csv;base64," + base64.b64encode(csv).decode()}


@driver(Action.BANK_STATEMENT_IMPORT, prepare=_statement,
        state=lambda env, ctx: _count(env, "BankStatementImport", bank_account_id=ctx["bank"]))
def _import_statement(env, role, ctx):
    from callbacks.funds import statements

    return env.post(role, statements.import_statement, {
        "funds-rec-submit": 1, "funds-rec-bank": ctx["bank"], ("funds-statement", "contents"): ctx["file"],
        ("funds-statement", "filename"): "对账单.csv", "funds-rec-refresh": 0})


# ---- issue 14 B (imports)


def _import_prepare(env) -> dict:
    n = next(_seq)
    return {"summary": f"导入测试{n}", "first": 1000 + 10 * n}


def _import_state(env, ctx):
    from tests.support.imports import imported_vouchers

    return imported_vouchers(env.settings, ctx["summary"])


@driver(Action.DATA_IMPORT, prepare=_import_prepare, state=_import_state)
def _import(env, role, ctx):
    """The background import of a small ledger of the env's village: started (the guard decides
    on the starting request), then polled to its answer as the renderer does."""
    from tests.support.imports import LEDGER_HEADER, csv_bytes, ledger_rows, start_commit

    content = csv_bytes(LEDGER_HEADER, ledger_rows(env.village, 2, year=2005, first=ctx["first"], summary=ctx["summary"]))
    client = env.client(role)
    resp, handles, body = start_commit(env.app, client, "ledger", f"{ctx['summary']}.csv", content)
    if handles is None:
        return resp
    for _ in range(600):
        resp = client.post("/_dash-update-component", query_string=handles, json=body)
        if resp.status_code != 200 or "response" in (resp.get_json(silent=True) or {}):
            return resp
        time.sleep(0.1)
    return resp
# ---- issue 14 A: base data (changes, the trial period's lock, corrections)


def _set_lock(env, on: bool) -> None:
    """Lock or unlock the base data of the test village's county (the trial period, Art. J14)."""
    from data.db import transaction

    with transaction(env.url) as s:
        r = s.get(_m("Region"), truncate(env.village, 3))
        r.base_data_locked = on


def _bd_form(env) -> dict:
    from data.basedata.changes import current_values, profile_version
    from data.db import transaction

    with transaction(env.url) as s:
        return {"population": int(current_values(s, env.org_id)["population"]) + next(_seq),
                "version": profile_version(s, env.org_id)}


def _bd_post(env, role, ctx, evidence=None):
    from callbacks.basedata import village

    return env.post(role, village.submit, {
        "bd-submit": 1, "bd-org": env.org_id, "bd-profile": {"org_id": env.org_id, "version": ctx["version"]},
        "bd-population": str(ctx["population"]), "bd-reason": "人口变动登记", "bd-evidence": evidence,
        ("bd-document", "contents"): [PDF], ("bd-document", "filename"): ["证明.pdf"], "bd-refresh": 0},
        clicked="bd-submit")


def _bd_changes(env, ctx) -> int:
    return _count(env, "BaseDataChange", org_id=env.org_id)


def _bd_unlocked_form(env) -> dict:
    _set_lock(env, False)
    return _bd_form(env)


def _bd_locked_form(env) -> dict:
    _set_lock(env, True)
    return _bd_form(env)


DRIVERS[Action.BASEDATA_VIEW] = Driver(call=_page("/basedata"), state=lambda env, ctx: table_counts(env), done=_opened)
DRIVERS[Action.BASEDATA_PROPOSE] = Driver(call=_bd_post, prepare=_bd_unlocked_form, state=_bd_changes)
DRIVERS[Action.BASEDATA_CORRECT] = Driver(call=lambda env, role, ctx: _bd_post(env, role, ctx, "第三次国土调查成果"),
                                          prepare=_bd_locked_form, state=_bd_changes)


def _bd_pending(env, locked: bool, approved: bool = False) -> dict:
    from data.basedata import changes

    _set_lock(env, locked)
    form = _bd_form(env)
    who = env.actor("township_agri_lead" if locked else "village_cashier")
    cid = changes.propose(env.url, env.settings.audit_key, who, env.org_id, form["version"],
                          {"population": str(form["population"])}, None, "测试变更", [("证明.pdf", b"%PDF-1.4")],
                          correction=locked, evidence="测试依据" if locked else None)
    if approved:
        changes.decide(env.url, env.settings.audit_key, env.actor("county_admin"), cid, None, True, "同意")
    return {"id": cid, "version": row(env, _m("BaseDataChange"), cid, "version")[0]}


def _bd_decide(env, role, ctx):
    from callbacks.basedata import review

    return env.post(role, review.decide, {
        "bd-decide-confirm": 1, "bd-decide-pending": {"decision": "approve", "id": ctx["id"], "version": ctx["version"]},
        "bd-decide-opinion": None, "bd-review-refresh": 0}, clicked="bd-decide-confirm")


def _bd_status(env, ctx):
    return row(env, _m("BaseDataChange"), ctx["id"], "status", "version")


DRIVERS[Action.BASEDATA_APPROVE] = Driver(call=_bd_decide, prepare=lambda env: _bd_pending(env, False), state=_bd_status)
DRIVERS[Action.BASEDATA_CORRECTION_APPROVE] = Driver(call=_bd_decide, prepare=lambda env: _bd_pending(env, True),
                                                     state=_bd_status)


@driver(Action.BASEDATA_REVOKE, prepare=lambda env: _bd_pending(env, True, approved=True), state=_bd_status)
def _bd_revoke(env, role, ctx):
    from callbacks.basedata import review

    return env.post(role, review.revoke, {
        "bd-revoke-confirm": 1, "bd-revoke-pending": {"decision": "revoke", "id": ctx["id"], "version": ctx["version"]},
        "bd-revoke-opinion": "更正依据不充分", "bd-review-refresh": 0}, clicked="bd-revoke-confirm")


def _bd_county_locked(env, ctx):
    return row(env, _m("Region"), truncate(env.village, 3), "base_data_locked")


@driver(Action.BASEDATA_LOCK, prepare=lambda env: _set_lock(env, False) or {}, state=_bd_county_locked)
def _bd_lock(env, role, ctx):
    from callbacks.basedata import trial

    return env.post(role, trial.lock, {
        "bd-lock-confirm": 1, "bd-lock-pending": {"decision": "lock", "id": truncate(env.village, 3), "version": 0},
        "bd-lock-opinion": None, "bd-trial-refresh": 0}, clicked="bd-lock-confirm")


def _bd_unlock(env, ctx):
    _set_lock(env, False)


# every base-data driver leaves the test village's county unlocked (in its trial period)
CLEANUP.update(dict.fromkeys((Action.BASEDATA_CORRECT, Action.BASEDATA_CORRECTION_APPROVE, Action.BASEDATA_REVOKE,
                              Action.BASEDATA_LOCK), _bd_unlock))
# ---- issue 14 C: data-sharing applications and the data API


def _data_draft(env, purpose: str):
    from domain.sharing.applications import Draft

    return Draft(unit="测试银行", contact="联系人 0431", purpose=purpose, scope={"resources": ["region_code", "name"]},
                 regions=[truncate(env.village, 3)], data_from=dt.date(2024, 1, 1), data_to=TODAY,
                 valid_until=TODAY + dt.timedelta(days=30))


def _data_request(env, assessed: bool = False, approved: bool = False) -> dict:
    from data.sharing import requests as applications

    url, key = env.url, env.settings.audit_key
    admin, other = env.demo("demo-admin"), env.demo("demo-admin-b")
    rid = applications.register(url, key, env.settings.province, admin, _data_draft(env, f"数据共享{next(_seq)}"),
                                "127.0.0.1", 60, TODAY)
    applications.attach_commitment(url, key, admin, rid, "保密责任书.pdf", b"%PDF-1.4 test")
    if assessed or approved:
        applications.assess(url, key, other, rid, None, "low", "汇总数据")
    if approved:
        applications.decide(url, key, other, rid, None, True, "同意")
    from data.db import transaction
    from data.models import DataApiKey, DataRequest

    with transaction(url) as s:
        version = s.get(DataRequest, rid).version
        key_id = s.scalar(select(DataApiKey.id).where(DataApiKey.request_id == rid))
    return {"id": rid, "version": version, "key_id": key_id}


@driver(Action.DATA_REQUEST_CREATE, prepare=lambda env: {"purpose": f"信贷评估{next(_seq)}"},
        state=lambda env, ctx: _count(env, "DataRequest", purpose=ctx["purpose"]))
def _data_request_create(env, role, ctx):
    from callbacks.admin import data_requests

    return env.post(role, data_requests.submit, {
        "dreq-submit": 1, "dreq-unit": "测试银行", "dreq-contact": "联系人 0431", "dreq-purpose": ctx["purpose"],
        "dreq-fields": ["resources.region_code", "resources.name"], "dreq-regions": [truncate(env.village, 3)],
        ("dreq-from", "date"): "2024-01-01", ("dreq-to", "date"): TODAY.isoformat(),
        ("dreq-until", "date"): (TODAY + dt.timedelta(days=30)).isoformat(), "dreq-personal": False,
        "dreq-ips": "127.0.0.1", "dreq-rate": 60, "dreq-refresh": 0}, clicked="dreq-submit")


@driver(Action.DATA_REQUEST_ASSESS, prepare=_data_request,
        state=lambda env, ctx: row(env, _m("DataRequest"), ctx["id"], "status", "risk_level"))
def _data_request_assess(env, role, ctx):
    from callbacks.admin import data_requests

    return env.post(role, data_requests.assess, {
        "dreq-assess": 1, "dreq-risk-level": "medium", "dreq-risk-notes": "需脱敏",
        "dreq-grid": [{"id": ctx["id"], "version": ctx["version"]}], "dreq-refresh": 0}, clicked="dreq-assess")


@driver(Action.DATA_REQUEST_DECIDE, prepare=lambda env: _data_request(env, assessed=True),
        state=lambda env, ctx: row(env, _m("DataRequest"), ctx["id"], "status"))
def _data_request_decide(env, role, ctx):
    from callbacks.admin import data_requests

    return env.post(role, data_requests.decide, {
        "dreq-decide-confirm": 1, "dreq-decide-pending": {"decision": "approve", "id": ctx["id"],
                                                          "version": ctx["version"]},
        "dreq-decide-opinion": "同意", "dreq-refresh": 0}, clicked="dreq-decide-confirm")


@driver(Action.DATA_KEY_MANAGE, prepare=lambda env: _data_request(env, approved=True),
        state=lambda env, ctx: row(env, _m("DataApiKey"), ctx["key_id"], "status"))
def _data_key_manage(env, role, ctx):
    from callbacks.admin import data_api

    return env.post(role, data_api.act, {
        "dapi-suspend": 1, "dapi-keys": [{"id": ctx["key_id"], "prefix": "njk_"}], "dapi-reason": "核查",
        "dapi-refresh": 0}, clicked="dapi-suspend")
# ---- issue 14 D: national sync, backups and restore drills (同步与备份)


DRIVERS[Action.OPS_VIEW] = Driver(call=_page("/ops"), state=lambda env, ctx: table_counts(env), done=_opened)


@driver(Action.SYNC_EXPORT, state=lambda env, ctx: _count(env, "NationalSync"))
def _sync_export(env, role, ctx):
    from callbacks.ops import sync

    return _settled(env, env.post(role, sync.run_export, {"ops-export": 1, "ops-year": 2025}, clicked="ops-export"),
                    "ops-sync-job")


def _settled(env, resp, store: str):
    """A button that queues a job (data/jobs): once queued, wait for the job runner to run it."""
    from tests.support.jobs import settle

    job_id = (resp.get_json(silent=True) or {}).get("response", {}).get(store, {}).get("data") \
        if resp.status_code == 200 else None
    if job_id:
        settle(env.settings, job_id)
    return resp


@driver(Action.BACKUP_RUN, state=lambda env, ctx: _count(env, "Backup"))
def _backup_run(env, role, ctx):
    from callbacks.ops import backups

    return _settled(env, env.post(role, backups.backup_now, {"ops-backup-now": 1}, clicked="ops-backup-now"),
                    "ops-backup-job")


def _made_backup(env) -> dict:
    from data.backup import store

    return {"id": store.run_backup(env.settings, env.actor("province_admin"), "manual")["id"]}


@driver(Action.BACKUP_RESTORE, prepare=_made_backup, state=lambda env, ctx: _count(env, "RestoreDrill"))
def _backup_restore(env, role, ctx):
    from callbacks.ops import backups

    return env.post(role, backups.confirm, {"ops-restore-confirm": 1, "ops-restore-pending": {"id": ctx["id"]},
                                            "ops-refresh": 0}, clicked="ops-restore-confirm")
# ---------------------------------------------------------------- issue 14 E: the working-day calendar and the registers

DRIVERS[Action.INCIDENT_VIEW] = Driver(call=_page("/registers/incidents"), state=lambda env, ctx: table_counts(env),
                                       done=_opened)
DRIVERS[Action.REGISTER_VIEW] = Driver(call=_page("/registers/devices"), state=lambda env, ctx: table_counts(env),
                                       done=_opened)
_years = itertools.count(2080)  # far from any year another test counts deadlines in


@driver(Action.CALENDAR_EDIT, prepare=lambda env: {"year": next(_years)},
        state=lambda env, ctx: _count(env, "WorkCalendarSchedule", year=ctx["year"]))
def _calendar_edit(env, role, ctx):
    from callbacks.admin import calendar as admin_calendar

    y = ctx["year"]
    return env.post(role, admin_calendar.save, {
        "cal-save": 1, "cal-year": y, "cal-holidays": f"元旦 {y}-01-01\n国庆节 {y}-10-01 至 {y}-10-07",
        "cal-makeup": "", "cal-revision": 0, "cal-refresh": 0}, clicked="cal-save")


def _register_create(kind: str, step: str, values: Callable):
    """The create step of register `kind`: its form filled from `values(ctx)`; done is one more
    entry carrying the context's title."""
    def call(env, role, ctx):
        from callbacks.registers.common import CALLBACKS

        prefix = f"reg-{kind}-{step}-"
        return env.post(role, CALLBACKS[(kind, step)], {
            f"reg-{kind}-{step}-submit": 1, f"reg-{kind}-refresh": 0,
            **{prefix + k: v for k, v in values(ctx).items()}}, clicked=f"reg-{kind}-{step}-submit")
    return call


def _entry_count(env, ctx):
    return _count(env, "RegisterEntry", title=ctx["title"])


def _register_entry(kind: str, by: str, values, steps=()) -> Callable:
    """A fresh entry of `kind` made by demo user `by` (not one of the 15 test users: nobody here
    approves their own), moved through `steps` [(step, values)]."""
    def prepare(env):
        from data.registers import store
        from data.models import RegisterEntry
        from data.db import transaction

        actor = env.demo(by) if by.startswith("demo-") else env.actor(by)
        n = next(_seq)
        vals = values(n) if callable(values) else {k: (v.format(n=n) if isinstance(v, str) else v)
                                                   for k, v in values.items()}
        eid = store.create(env.url, env.settings.audit_key, actor, kind, vals, TODAY)
        for step, more in steps:
            with transaction(env.url) as s:
                version = s.get(RegisterEntry, eid).version
            store.advance(env.url, env.settings.audit_key, actor, kind, eid, version, step, more, TODAY)
        with transaction(env.url) as s:
            return {"id": eid, "version": s.get(RegisterEntry, eid).version}
    return prepare


def _register_step(kind: str, step: str, values: dict):
    def call(env, role, ctx):
        from callbacks.registers.common import CALLBACKS

        prefix = f"reg-{kind}-{step}-"
        return env.post(role, CALLBACKS[(kind, step)], {
            f"reg-{kind}-{step}-submit": 1, f"reg-{kind}-refresh": 0,
            (f"reg-{kind}-grid", "selectedRows"): [{"id": ctx["id"], "version": ctx["version"]}],
            **{prefix + k: v for k, v in values.items()}}, clicked=f"reg-{kind}-{step}-submit")
    return call


def _entry_state(env, ctx):
    return row(env, _m("RegisterEntry"), ctx["id"], "state", "version")


def _titled(env):
    return {"title": f"测试{next(_seq)}"}


_INCIDENT = {"grade": "IV", "occurred_on": "2026-11-20", "description": "测试事件经过", "affected_data": "成员名册",
             "affected_regions": "本村"}
DRIVERS[Action.INCIDENT_REPORT] = Driver(
    call=_register_create("incident", "report", lambda ctx: {**_INCIDENT, "title": ctx["title"]}),
    prepare=_titled, state=_entry_count)
DRIVERS[Action.INCIDENT_HANDLE] = Driver(
    call=_register_step("incident", "respond", {"measures": "断网隔离"}),
    prepare=_register_entry("incident", "village_cashier", {**_INCIDENT, "title": "待响应事件{n}"}), state=_entry_state)
DRIVERS[Action.DESTRUCTION_RECORD] = Driver(
    call=_register_create("destruction", "propose",
                          lambda ctx: {"title": ctx["title"], "data_scope": "过期备份", "reason": "失去参考价值"}),
    prepare=_titled, state=_entry_count)
DRIVERS[Action.DESTRUCTION_APPROVE] = Driver(
    call=_register_step("destruction", "decide", {"decision": "局务会研究决定"}),
    prepare=_register_entry("destruction", "demo-county", {"title": "待决定销毁{n}", "data_scope": "旧报表",
                                                           "reason": "失去参考价值"}), state=_entry_state)
_ACCESS = {"person": "王工", "company": "某某公司", "hardware": "ThinkPad T14", "channel": "remote", "purpose": "补丁升级"}
DRIVERS[Action.ACCESS_RECORD] = Driver(
    call=_register_create("access", "request", lambda ctx: {**_ACCESS, "person": ctx["title"]}),
    prepare=_titled, state=_entry_count)
DRIVERS[Action.ACCESS_APPROVE] = Driver(
    call=_register_step("access", "open", {"port": "VPN 3389"}),
    prepare=_register_entry("access", "demo-county", {**_ACCESS, "person": "待同意{n}"}), state=_entry_state)


def _device(ctx_title: str, n: int) -> dict:
    return {"name": ctx_title, "model": "联想 M720", "serial_no": f"T-{n}", "user_name": "赵会计",
            "mac": f"02:00:00:00:{n // 256 % 256:02X}:{n % 256:02X}", "location": "农经站"}


DRIVERS[Action.DEVICE_RECORD] = Driver(
    call=_register_create("device", "enrol", lambda ctx: _device(ctx["title"], ctx["n"])),
    prepare=lambda env: {"title": f"测试设备{(n := next(_seq))}", "n": n}, state=_entry_count)
DRIVERS[Action.DEVICE_APPROVE] = Driver(
    call=_register_step("device", "approve_leave", {}),
    prepare=_register_entry("device", "demo-county", lambda n: _device(f"外出设备{n}", n), [
        ("leave", {"reason": "下乡审计", "custodian": "孙审计", "data_cleared": "yes"})]), state=_entry_state)
# ---- issue 14 F: disclosure (阳光公开) and the members' portal

DRIVERS[Action.DISCLOSURE_VIEW] = Driver(call=_page("/disclosure"), state=lambda env, ctx: table_counts(env), done=_opened)
DRIVERS[Action.PORTAL_VIEW] = Driver(call=_page("/portal"), state=lambda env, ctx: table_counts(env), done=_opened)


def _disclosure(env, upto: str = "draft") -> dict:
    """A disclosure of the village taken through the workflow up to `upto` by the people who would."""
    from data.disclosure import workflow

    key = env.settings.audit_key
    did = workflow.prepare(env.url, key, env.actor("village_cashier"), env.org_id, "major",
                           TODAY.isoformat(), "其他事项", f"测试公开{next(_seq)}", None)
    ver = lambda: row(env, _m("Disclosure"), did, "version")[0]
    if upto in ("reviewed", "approved", "published"):
        workflow.review(env.url, key, env.actor("village_supervisor"), did, ver(), True, "王某某、李某某", None)
    if upto in ("approved", "published"):
        workflow.decide(env.url, key, env.actor("township_head"), did, ver(), True, None)
    if upto == "published":
        workflow.publish(env.url, key, env.actor("village_secretary"), did, ver(), TODAY)
    return {"id": did, "version": ver()}


def _disclosure_state(env, ctx):
    return row(env, _m("Disclosure"), ctx["id"], "state", "version")


@driver(Action.DISCLOSURE_PREPARE, prepare=lambda env: {"title": f"测试编制{next(_seq)}"},
        state=lambda env, ctx: _count(env, "Disclosure", title=ctx["title"]))
def _disc_prepare(env, role, ctx):
    from callbacks.disclosure import board

    return env.post(role, board.prepare, {"disc-prepare": 1, "disc-org": env.org_id, "disc-kind": "major",
                                          "disc-period": TODAY.isoformat(), "disc-category": "其他事项",
                                          "disc-title": ctx["title"], "disc-notes": None, "disc-refresh": 0})


@driver(Action.DISCLOSURE_REVIEW, prepare=lambda env: _disclosure(env), state=_disclosure_state)
def _disc_review(env, role, ctx):
    from callbacks.disclosure import steps

    return env.post(role, steps.review, {"disc-review-ok": 1, "disc-target": ctx, "disc-reviewers": "王某某",
                                         "disc-review-opinion": None, "disc-refresh": 0}, clicked="disc-review-ok")


@driver(Action.DISCLOSURE_APPROVE, prepare=lambda env: _disclosure(env, "reviewed"), state=_disclosure_state)
def _disc_approve(env, role, ctx):
    from callbacks.disclosure import steps
    from components.dialogs import DISCLOSURE_DECISION as D

    return env.post(role, steps.decide, {D.confirm: 1, D.pending: {**ctx, "decision": "approve"}, D.opinion: None,
                                         "disc-refresh": 0})


@driver(Action.DISCLOSURE_PUBLISH, prepare=lambda env: _disclosure(env, "approved"), state=_disclosure_state)
def _disc_publish(env, role, ctx):
    from callbacks.disclosure import steps

    return env.post(role, steps.publish, {"disc-publish": 1, "disc-target": ctx, "disc-refresh": 0})


def _member_user(env) -> int:
    """The test member's account linked to a member of the village (as the village registers it)."""
    from data.db import transaction
    from data.models import Member, User

    with transaction(env.url) as s:
        u = s.get(User, env.users["member"][0])
        if u.member_id is None:
            u.member_id = s.scalar(select(Member.id).where(Member.org_id == env.org_id).order_by(Member.id))
        return u.member_id


def _question(env) -> dict:
    from data.db import transaction
    from data.models import DisclosureQuestion, utcnow

    d = _disclosure(env, "published")
    member = _member_user(env)
    with transaction(env.url) as s:
        q = DisclosureQuestion(disclosure_id=d["id"], org_id=env.org_id, region_code=env.village, member_id=member,
                               asked_by_id=env.users["member"][0], question="这笔钱做什么用？", asked_at=utcnow())
        s.add(q)
        s.flush()
        return {"id": q.id, "version": q.version}


@driver(Action.DISCLOSURE_ANSWER, prepare=_question,
        state=lambda env, ctx: row(env, _m("DisclosureQuestion"), ctx["id"], "answer", "version"))
def _disc_answer(env, role, ctx):
    from callbacks.disclosure import board

    return env.post(role, board.answer, {"disc-answer-submit": 1, "disc-q-target": ctx, "disc-answer": "已答复",
                                         "disc-refresh": 0})


def _ask_ctx(env) -> dict:
    _member_user(env)
    return {"id": _disclosure(env, "published")["id"], "text": f"提问{next(_seq)}"}


@driver(Action.PORTAL_ASK, prepare=_ask_ctx,
        state=lambda env, ctx: _count(env, "DisclosureQuestion", disclosure_id=ctx["id"], question=ctx["text"]))
def _portal_ask(env, role, ctx):
    from callbacks.portal import me

    return env.post(role, me.ask, {"portal-ask": 1, "portal-ask-disclosure": ctx["id"], "portal-ask-text": ctx["text"],
                                   "portal-refresh": 0})


# ---- issue 15 lane C: credit subjects, records, forest rights, batch import, archive


def _credit_subject(env, name: str = "驱动林户") -> int:
    from tests.support.credit import make_subject

    return make_subject(env.settings, env.village, name=name)


for _action, _path in ((Action.CREDIT_SUBJECT_VIEW, "/credit/subjects"), (Action.CREDIT_ARCHIVE_VIEW, "/credit/archive")):
    DRIVERS[_action] = Driver(call=_page(_path), state=lambda env, ctx: table_counts(env), done=_opened)


def _credit_subject_prepare(env) -> dict:
    from tests.support.credit import resident_id

    return {"identifier": resident_id(env.village)}


@driver(Action.CREDIT_SUBJECT_SAVE, prepare=_credit_subject_prepare,
        state=lambda env, ctx: _count(env, "CreditSubject", identifier=ctx["identifier"]))
def _credit_subject_save(env, role, ctx):
    from callbacks.credit_records import subjects

    return env.post(role, subjects.create, {
        "cs-new-submit": 1, "cs-new-kind": "natural", "cs-new-identifier": ctx["identifier"], "cs-new-name": "驱动林户",
        "cs-new-region": str(env.village), "cs-refresh": 0})


@driver(Action.CREDIT_RECORD_SAVE, prepare=lambda env: {"subject": _credit_subject(env)},
        state=lambda env, ctx: _count(env, "CreditRecord", subject_id=ctx["subject"]))
def _credit_record_save(env, role, ctx):
    from callbacks.credit_records import subject

    return env.post(role, subject.add_record, {
        "csd-rec-submit": 1, "csd-subject-id": ctx["subject"], "csd-rec-kind": "good", "csd-rec-subtype": "volunteer",
        "csd-rec-title": "森林防火志愿服务", "csd-rec-date": "2026-10-01", "csd-rec-source": "platform",
        "csd-rec-produced": "县林业局", "csd-refresh": 0})


def _credit_import_prepare(env) -> dict:
    from tests.support.credit import resident_id

    n = next(_seq)
    header = "地区代码,主体类型,证件号码,名称,项目名称,发放日期,金额（元）,产生部门"
    line = f"{env.village},自然人,{resident_id(env.village)},驱动林户{n},生态公益林补偿,2026-06-30,880.00,县林业局"
    content = (header + "\r\n" + line + "\r\n").encode("utf-8-sig")
    return {"number": f"驱动〔2026〕{n}号", "csv": "data:text/csv;base64," + base64.b64encode(content).decode()}


@driver(Action.CREDIT_RECORD_IMPORT, prepare=_credit_import_prepare,
        state=lambda env, ctx: _count(env, "CreditImportBatch", document_no=ctx["number"]))
def _credit_import(env, role, ctx):
    from callbacks.credit_records import imports

    return env.post(role, imports.commit, {
        "ci-commit": 1, "ci-kind": "subsidy", ("ci-file", "contents"): ctx["csv"], ("ci-file", "filename"): "补偿.csv",
        ("ci-doc", "contents"): PDF, ("ci-doc", "filename"): "依据.pdf", "ci-doc-title": "补偿资金通知",
        "ci-doc-number": ctx["number"], "ci-doc-issuer": "县林业局", "ci-doc-date": "2026-07-01", "ci-refresh": 0})


def _credit_reclass_prepare(env) -> dict:
    from tests.support.credit import make_record

    rid = make_record(env.settings, _credit_subject(env), "transfer", TODAY - dt.timedelta(days=10), open_class="none",
                      share_class="conditional")
    return {"id": rid}


@driver(Action.CREDIT_RECORD_RECLASS, prepare=_credit_reclass_prepare,
        state=lambda env, ctx: row(env, _m("CreditRecord"), ctx["id"], "open_class", "masked", "version"))
def _credit_reclass(env, role, ctx):
    from callbacks.credit_records import subject

    return env.post(role, subject.reclassify, {
        "csd-rc-submit": 1, "csd-records": [{"id": ctx["id"], "version": 1}], "csd-rc-open": "conditional",
        "csd-rc-share": "conditional", "csd-rc-ground": "desensitised", "csd-rc-note": "已脱敏", "csd-refresh": 0})


@driver(Action.FOREST_RIGHT_SAVE, prepare=lambda env: {"subject": _credit_subject(env)},
        state=lambda env, ctx: _count(env, "ForestRight", subject_id=ctx["subject"]))
def _forest_right_save(env, role, ctx):
    from callbacks.credit_records import subject_forms
    from tests.support.credit import unit_code

    return env.post(role, subject_forms.add_right, {
        "csd-right-submit": 1, "csd-subject-id": ctx["subject"], "csd-right-code": unit_code(env.village),
        "csd-right-region": str(env.village), "csd-right-type": "contracting", "csd-right-area": "20",
        "csd-right-forest": "timber", "csd-right-species": "落叶松", "csd-right-age-class": "young", "csd-refresh": 0})


# ---- issue 15 lane F: conditional data applications, corrections and transfers (Art. X39–X48)


def _f_user(env, name: str, role: str, **kw):
    """A helper account of `role` (not one of the act.* users) that prepares records, so that no
    driven role meets its own work; at its role's level above the village."""
    from tests.support.credit import forestry_user

    return forestry_user(env.settings, f"f-{name}", role, env.region_of(role), **kw)


def _f_subject(env) -> int:
    """The credit subject of the act.credit-subject account (linked once), in the village."""
    from data.db import transaction
    from data.models import User
    from tests.support.credit import make_subject

    uid = env.users["credit_subject"][0]
    with transaction(env.url) as s:
        linked = s.get(User, uid).credit_subject_id
    if linked:
        return linked
    sid = make_subject(env.settings, env.village, name="林权测试户")
    with transaction(env.url) as s:
        s.get(User, uid).credit_subject_id = sid
    return sid


def _f_record(env, subject_id: int | None = None) -> int:
    from tests.support.credit import make_record

    return make_record(env.settings, subject_id or _f_subject(env), "dishonest", dt.date(2025, 3, 1),
                       title=f"处罚{next(_seq)}", severity="ordinary", open_class="conditional")


def _f_application(env) -> dict:
    from data.credit import requests as store
    from domain.credit.requests import Ask

    other = _f_user(env, "subject", "credit_subject", subject_id=_f_other_subject(env))
    aid = store.apply(env.url, env.settings.audit_key, other, "open", f"贷款{next(_seq)}", None,
                      Ask(["dishonest"], dt.date(2024, 1, 1), dt.date(2026, 11, 1)), TODAY)
    return {"id": aid, "version": row(env, _m("CreditApplication"), aid, "version")[0]}


def _f_other_subject(env) -> int:
    from data.db import transaction
    from data.models import CreditSubject
    from tests.support.credit import make_subject

    with transaction(env.url) as s:
        found = s.scalar(select(CreditSubject.id).where(CreditSubject.name == "林权协助户"))
    return found or make_subject(env.settings, env.village, name="林权协助户")


def _f_correction(env, until: str = "submitted") -> dict:
    """A correction by a helper county bureau, taken through the chain up to `until`."""
    from data.credit import corrections as store

    key = env.settings.audit_key
    county = _f_user(env, "county", "county_forestry")
    if until == "bureau":
        from tests.support.credit import make_right, make_subject, resident_id

        ident = resident_id(env.village)
        make_subject(env.settings, env.village, name="新权利人", identifier=ident)
        target, ids, changes = "right", [make_right(env.settings, _f_other_subject(env))], {"holder_identifier": ident}
    else:
        target, ids, changes = "record", [_f_record(env, _f_other_subject(env))], {"title": f"更正{next(_seq)}"}
    cid = store.apply(env.url, key, county, target, ids, "4", changes, "依据文件已修改", [("证明.pdf", b"%PDF-1.4 test")],
                      TODAY)
    steps = ["review", "decide", "bureau"]
    people = {"review": _f_user(env, "handler", "credit_handler"), "decide": _f_user(env, "deputy", "credit_deputy"),
              "bureau": _f_user(env, "bureau", "forestry_bureau")}
    stop = {"submitted": 0, "reviewed": 1, "approved": 2, "bureau": 2}[until]
    for step in steps[:stop]:
        store.act(env.url, key, people[step], cid, None, step, True, "同意", TODAY, "林信会〔2026〕1号", TODAY)
    step = {"submitted": "review", "reviewed": "decide", "approved": "execute", "bureau": "bureau"}[until]
    return {"id": cid, "version": row(env, _m("CreditCorrection"), cid, "version")[0], "step": step}


def _f_correction_call(env, role, ctx):
    from callbacks.credit_requests import corrections

    return env.post(role, corrections.act, {
        "ccor-act": 1, "ccor-grid": [{"id": ctx["id"], "version": ctx["version"], "step": ctx["step"]}],
        "ccor-approve": "yes", "ccor-opinion": "同意", "ccor-meeting-on": TODAY.isoformat(),
        "ccor-minutes": "林信会〔2026〕2号", "ccor-refresh": 0}, clicked="ccor-act")


def _f_correction_state(env, ctx):
    return row(env, _m("CreditCorrection"), ctx["id"], "status", "version")


def _f_application_call(kind: str):
    def call(env, role, ctx):
        from callbacks.credit_requests import applications

        return env.post(role, applications.submit, {
            "capp-submit": 1, "capp-kinds": ["dishonest"], "capp-from": "2024-01-01", "capp-to": "2026-11-01",
            "capp-regions": [truncate(env.village, 3)] if kind == "share" else None,
            "capp-fields": ["subject_name", "title"] if kind == "share" else None, "capp-purpose": ctx["purpose"],
            "capp-basis": "履职依据文件" if kind == "share" else None, "capp-commitment": [], "capp-kind": kind,
            "capp-refresh": 0}, clicked="capp-submit")
    return call


def _f_open_prepare(env):
    _f_subject(env)
    return {"purpose": f"有条件开放{next(_seq)}"}


DRIVERS[Action.CREDIT_OPEN_APPLY] = Driver(
    call=_f_application_call("open"), prepare=_f_open_prepare,
    state=lambda env, ctx: _count(env, "CreditApplication", purpose=ctx["purpose"]))
DRIVERS[Action.CREDIT_SHARE_APPLY] = Driver(
    call=_f_application_call("share"), prepare=lambda env: {"purpose": f"有条件共享{next(_seq)}"},
    state=lambda env, ctx: _count(env, "CreditApplication", purpose=ctx["purpose"]))


@driver(Action.CREDIT_APPLICATION_DECIDE, prepare=_f_application,
        state=lambda env, ctx: row(env, _m("CreditApplication"), ctx["id"], "status"))
def _f_decide(env, role, ctx):
    from callbacks.credit_requests import applications

    asked = {"kinds": ["dishonest"], "date_from": "2024-01-01", "date_to": "2026-11-01", "regions": [], "fields": []}
    return env.post(role, applications.decide, {
        "capp-decide": 1, "capp-grid": [{"id": ctx["id"], "version": ctx["version"], "kind": "open", "asked_json": asked}],
        "capp-decision": "grant", "capp-grant-kinds": ["dishonest"], "capp-grant-fields": [],
        "capp-valid-until": (TODAY + dt.timedelta(days=90)).isoformat(), "capp-reason": "同意，通过平台下载",
        "capp-refresh": 0}, clicked="capp-decide")


@driver(Action.CREDIT_CORRECTION_APPLY,
        prepare=lambda env: {"record": _f_record(env), "description": f"处罚已撤销{next(_seq)}"},
        state=lambda env, ctx: _count(env, "CreditCorrection", description=ctx["description"]))
def _f_correction_apply(env, role, ctx):
    from callbacks.credit_requests import corrections

    return env.post(role, corrections.submit, {
        "ccor-submit": 1, "ccor-target": "record", "ccor-ids": str(ctx["record"]), "ccor-ground": "4",
        "ccor-field1": "title", "ccor-value1": "处罚（已撤销）", "ccor-description": ctx["description"],
        ("ccor-files", "contents"): [PDF], ("ccor-files", "filename"): ["撤销决定书.pdf"], "ccor-refresh": 0},
        clicked="ccor-submit")


DRIVERS[Action.CREDIT_CORRECTION_REVIEW] = Driver(call=_f_correction_call, prepare=lambda env: _f_correction(env),
                                                  state=_f_correction_state)
DRIVERS[Action.CREDIT_CORRECTION_DECIDE] = Driver(call=_f_correction_call,
                                                  prepare=lambda env: _f_correction(env, "reviewed"),
                                                  state=_f_correction_state)
DRIVERS[Action.CREDIT_CORRECTION_BUREAU] = Driver(call=_f_correction_call,
                                                  prepare=lambda env: _f_correction(env, "bureau"),
                                                  state=_f_correction_state)
DRIVERS[Action.CREDIT_CORRECTION_EXECUTE] = Driver(call=_f_correction_call,
                                                   prepare=lambda env: _f_correction(env, "approved"),
                                                   state=_f_correction_state)


def _f_transfer(env, until: str = "submitted") -> dict:
    from data.credit import transfers as store
    from domain.credit.transfers import Draft

    key = env.settings.audit_key
    d = Draft(unit="县林业局", data_range=f"林权数据{next(_seq)}", use_range="比对", confidentiality="保密", method="interface",
              commitment=True, commitment_name="王某", commitment_on=TODAY)
    tid = store.apply(env.url, key, _f_user(env, "county", "county_forestry"), d, TODAY)
    signers = [("prelim", _f_user(env, "handler", "credit_handler")), ("review", _f_user(env, "deputy", "credit_deputy"))]
    stop = {"submitted": 0, "prelim": 1, "reviewed": 2}[until]
    for step, who in signers[:stop]:
        store.sign(env.url, key, who, tid, None, step, True, "同意")
    step = {"submitted": "prelim", "prelim": "review", "reviewed": "approve"}[until]
    return {"id": tid, "version": row(env, _m("CreditTransfer"), tid, "version")[0], "step": step}


def _f_transfer_call(env, role, ctx):
    from callbacks.credit_requests import transfers

    return env.post(role, transfers.sign, {
        "ctr-sign": 1, "ctr-grid": [{"id": ctx["id"], "version": ctx["version"], "step": ctx["step"]}],
        "ctr-approve": "yes", "ctr-opinion": "同意", "ctr-refresh": 0}, clicked="ctr-sign")


def _f_transfer_state(env, ctx):
    return row(env, _m("CreditTransfer"), ctx["id"], "status", "version")


@driver(Action.CREDIT_TRANSFER_APPLY, prepare=lambda env: {"range": f"全省林权数据{next(_seq)}"},
        state=lambda env, ctx: _count(env, "CreditTransfer", data_range=ctx["range"]))
def _f_transfer_apply(env, role, ctx):
    from callbacks.credit_requests import transfers

    return env.post(role, transfers.submit, {
        "ctr-submit": 1, "ctr-unit": "测试单位", "ctr-data-range": ctx["range"], "ctr-use-range": "比对",
        "ctr-confidentiality": "保密", "ctr-method": "device", "ctr-internet": [], "ctr-device": "U盘-64G",
        "ctr-persons": "张三、李四", "ctr-commitment": ["yes"], "ctr-commitment-name": "王某",
        "ctr-commitment-on": TODAY.isoformat(), "ctr-refresh": 0}, clicked="ctr-submit")


DRIVERS[Action.CREDIT_TRANSFER_PRELIM] = Driver(call=_f_transfer_call, prepare=lambda env: _f_transfer(env),
                                                state=_f_transfer_state)
DRIVERS[Action.CREDIT_TRANSFER_REVIEW] = Driver(call=_f_transfer_call, prepare=lambda env: _f_transfer(env, "prelim"),
                                                state=_f_transfer_state)
DRIVERS[Action.CREDIT_TRANSFER_APPROVE] = Driver(call=_f_transfer_call,
                                                 prepare=lambda env: _f_transfer(env, "reviewed"),
                                                 state=_f_transfer_state)
# ---- issue 15 lane E: joint-punishment list, inspection plans, 双公示 push, open and shared data


def _exports(env, ctx) -> int:
    from data.db import transaction
    from data.models import AuditLog

    with transaction(env.url) as s:
        return s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.type == "export",
                                                                         AuditLog.result == "success"))


@driver(Action.CREDIT_PUNISHMENT_VIEW, state=lambda env, ctx: table_counts(env), done=_opened)
def _credit_punishment(env, role, ctx):
    from callbacks.credit_uses import punishment

    return env.post(role, punishment.load, {"credit-pun-date": TODAY.isoformat()})


@driver(Action.CREDIT_INSPECTION_PLAN, state=lambda env, ctx: _count(env, "InspectionPlan"))
def _credit_inspection(env, role, ctx):
    from callbacks.credit_uses import inspection

    values = {"credit-insp-draw": 1, "credit-insp-region": env.region_of(role), "credit-insp-period": "2026Q4",
              "credit-insp-seed": "", "credit-insp-refresh": 0}
    values.update({f"credit-insp-rate-{g}": v for g, v in zip("ABCD", ("5", "10", "30", "80"))})
    values["credit-insp-rate-unrated"] = "10"
    return env.post(role, inspection.draw, values, clicked="credit-insp-draw")


@driver(Action.CREDIT_PUSH_EXPORT, state=lambda env, ctx: _count(env, "CreditPush"))
def _credit_push(env, role, ctx):
    from callbacks.credit_uses import push

    return env.post(role, push.generate, {"credit-push-generate": 1, "credit-push-from": "2026-01-01",
                                          "credit-push-to": TODAY.isoformat(), "credit-push-refresh": 0},
                    clicked="credit-push-generate")


@driver(Action.CREDIT_OPEN_DOWNLOAD, state=_exports)
def _credit_open(env, role, ctx):
    from callbacks.credit_uses import open_data

    return env.post(role, open_data.download_open, {"credit-open-xlsx": 1, "credit-open-kind": ""},
                    clicked="credit-open-xlsx")


@driver(Action.CREDIT_SHARED_READ, state=_exports)
def _credit_shared(env, role, ctx):
    from callbacks.credit_uses import open_data

    return env.post(role, open_data.download_shared, {"credit-shared-csv": 1, "credit-shared-kind": ""},
                    clicked="credit-shared-csv")


# ---- issue 15 lane A: credit evaluation and credit repair


def _credit_dishonest(env, days_ago: int = 400) -> dict:
    """A subject of the env's village with a serious dishonest record open for repair; the env's
    credit-subject user is that subject (users.credit_subject_id)."""
    from data.db import transaction
    from data.models import User
    from domain.credit.publicity import publicity_end
    from tests.support.credit import make_record, make_subject

    decided = TODAY - dt.timedelta(days=days_ago)
    sid = make_subject(env.settings, env.village, name=f"测试林农{next(_seq)}")
    rid = make_record(env.settings, sid, "dishonest", decided, title="违法占用林地行政处罚", severity="serious",
                      subtype="admin_penalty", publicity_until=publicity_end("serious", decided))
    with transaction(env.url) as s:
        s.get(User, env.users["credit_subject"][0]).credit_subject_id = sid
    return {"subject": sid, "record": rid}


@driver(Action.CREDIT_REPAIR_APPLY, prepare=_credit_dishonest,
        state=lambda env, ctx: _count(env, "CreditRepair", record_id=ctx["record"]))
def _credit_repair_apply(env, role, ctx):
    from callbacks.credit_repair import flow

    return env.post(role, flow.apply, {
        "cr-apply": 1, "cr-record": ctx["record"], "cr-reason": "已缴清罚款并恢复林地原状",
        ("cr-evidence", "contents"): [PDF], ("cr-evidence", "filename"): ["恢复植被验收单.pdf"], "cr-refresh": 0},
        clicked="cr-apply")


def _credit_repair_pending(env) -> dict:
    """An application by the env's county forestry bureau, waiting for the data unit."""
    from data.credit import repair

    ctx = _credit_dishonest(env)
    ctx["id"] = repair.apply(env.url, env.settings.audit_key, env.actor("county_forestry"), ctx["record"],
                             "已履行处罚决定并整改到位", [("整改报告.pdf", b"%PDF-1.4 report")], TODAY)
    ctx["version"] = row(env, _m("CreditRepair"), ctx["id"], "version")[0]
    return ctx


@driver(Action.CREDIT_REPAIR_DECIDE, prepare=_credit_repair_pending,
        state=lambda env, ctx: row(env, _m("CreditRepair"), ctx["id"], "status", "version")
        + row(env, _m("CreditRecord"), ctx["record"], "status"))
def _credit_repair_decide(env, role, ctx):
    from callbacks.credit_repair import flow

    return env.post(role, flow.decide, {
        "cr-approve": 1, ("cr-grid", "selectedRows"): [{"id": ctx["id"], "version": ctx["version"]}],
        "cr-comment": "证明材料齐全，同意修复", "cr-refresh": 0}, clicked="cr-approve")


def _evaluations_logged(env, ctx) -> int:
    from data.db import transaction
    from data.models import AuditLog

    with transaction(env.url) as s:
        return s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.description.like("全量重新评价信用主体%")))


@driver(Action.CREDIT_EVALUATE, prepare=lambda env: _credit_dishonest(env, days_ago=10), state=_evaluations_logged)
def _credit_evaluate(env, role, ctx):
    """The re-evaluation: queued (the guard decides on the request, the job checks again), then run."""
    from callbacks.credit_repair import evaluate

    return _settled(env, env.post(role, evaluate.run, {"cr-eval-run": 1}, clicked="cr-eval-run"), "cr-eval-job")


# ---- issue 15 lane B: authorisations and credit portraits
#
# The portrait's drivers go through the one portrait callback (callbacks.credit_portrait.portrait.load):
# "done" is a view in the subject's access record with the basis the action names. The authorised
# subject lives outside the province, so that no official's jurisdiction reaches it (an official's
# supervision view would otherwise be a change under CREDIT_PORTRAIT_AUTHORISED).

OUTSIDE = 361000000000  # a region of another province


def _portrait_subject(env, region: int) -> int:
    from tests.support.credit import make_subject, resident_id

    return make_subject(env.settings, region, name=f"林农{next(_seq)}", identifier=resident_id(220122))


def _own_subject(env) -> int:
    """The test credit subject's account linked to a subject of the village (once)."""
    from data.db import transaction
    from data.models import User

    with transaction(env.url) as s:
        linked = s.get(User, env.users["credit_subject"][0]).credit_subject_id
    if linked is None:
        linked = _portrait_subject(env, env.village)
        with transaction(env.url) as s:
            s.get(User, env.users["credit_subject"][0]).credit_subject_id = linked
    return linked


def _views(env, ctx, **where) -> int:
    return _count(env, "CreditPortraitView", subject_id=ctx["id"], **where)


def _open_portrait(env, role, ctx):
    from callbacks.credit_portrait import portrait

    return env.post(role, portrait.load, {("url", "search"): f"?subject={ctx['id']}", ("url", "pathname"): "/credit/portrait"})


def _authorised(env) -> dict:
    from tests.support.credit import authorise

    sid = _portrait_subject(env, OUTSIDE)
    authorise(env.settings, sid, "测试银行", purpose="mortgage_loan", valid_from=TODAY, valid_until=TODAY + dt.timedelta(days=30))
    return {"id": sid}


DRIVERS[Action.CREDIT_SELF_VIEW] = Driver(call=_page("/credit/me"), state=lambda env, ctx: table_counts(env), done=_opened)
DRIVERS[Action.CREDIT_PORTRAIT_VIEW] = Driver(
    call=_open_portrait, prepare=lambda env: {"id": _portrait_subject(env, env.village)},
    state=lambda env, ctx: _views(env, ctx, purpose="supervision"))
DRIVERS[Action.CREDIT_PORTRAIT_AUTHORISED] = Driver(
    call=_open_portrait, prepare=_authorised, state=lambda env, ctx: _views(env, ctx, institution="测试银行"))


@driver(Action.CREDIT_AUTHORISE, prepare=lambda env: {"id": _own_subject(env)},
        state=lambda env, ctx: _count(env, "CreditAuthorisation", subject_id=ctx["id"]))
def _credit_authorise(env, role, ctx):
    from callbacks.credit_portrait import me

    return env.post(role, me.grant, {"credit-grant": 1, "credit-grant-institution": "测试银行",
                                     "credit-grant-purpose": "credit_loan", "credit-grant-from": TODAY.isoformat(),
                                     "credit-grant-until": (TODAY + dt.timedelta(days=60)).isoformat(),
                                     "credit-me-refresh": 0}, clicked="credit-grant")



# ---- issue 15 lane D


def _credit_stats_done(env, ctx, before, resp):
    return resp.status_code == 200 and "cst-table" in resp.get_json()["response"]


@driver(Action.CREDIT_STATS_VIEW, state=lambda env, ctx: table_counts(env), done=_credit_stats_done)
def _credit_stats(env, role, ctx):
    from callbacks.credit_stats import stats

    return env.post(role, stats.load, {("url", "hash"): ""})


# ---- issue 16 lane C: the price index and the valuation helper


def _price_index_done(env, ctx, before, resp):
    return resp.status_code == 200 and "prc-index" in resp.get_json()["response"]


@driver(Action.PRICE_INDEX_VIEW, state=lambda env, ctx: table_counts(env), done=_price_index_done)
def _price_index(env, role, ctx):
    from callbacks.prices import index

    return env.post(role, index.load, {"prc-period": "year", "prc-method": "hedonic", "prc-form": "fixed"})


def _price_valuate_done(env, ctx, before, resp):
    return resp.status_code == 200 and "pval-result" in resp.get_json()["response"]


@driver(Action.PRICE_VALUATE, state=lambda env, ctx: table_counts(env), done=_price_valuate_done)
def _price_valuate(env, role, ctx):
    from callbacks.prices import valuation

    return env.post(role, valuation.estimate, {"pval-area": "30", "pval-forest-type": "timber", "pval-age": "mature",
                                               "pval-volume": "8.5", "pval-term": "30", "pval-go": 1},
                    clicked="pval-go")


# ---- issue 16 lane D: the price samples (成交样本) and their import


def _price_rows_shown(env, ctx, before, resp):
    return resp.status_code == 200 and bool(resp.get_json()["response"]["ps-grid"]["rowData"])


@driver(Action.PRICE_SALES_VIEW, state=lambda env, ctx: table_counts(env), done=_price_rows_shown)
def _price_sales_view(env, role, ctx):
    from callbacks.prices import sales

    return env.post(role, sales.listing, {"ps-region": env.region_of(role), "ps-sort": "deal_on", "ps-order": "desc",
                                          "ps-offset": 0, "ps-list-refresh": 0})


def _price_import_prepare(env) -> dict:
    n = next(_seq)
    header = "地区代码,成交日期,成交类型,面积（亩）,成交价格（元）,林种"
    content = (f"{header}\r\n{env.village},2024-05-18,流转,{10 + n}.50,{80000 + n}.00,用材林\r\n").encode("utf-8-sig")
    return {"csv": "data:text/csv;base64," + base64.b64encode(content).decode(), "name": f"成交样本{n}.csv"}


@driver(Action.PRICE_DATA_IMPORT, prepare=_price_import_prepare,
        state=lambda env, ctx: _count(env, "PriceSale", source="import"))
def _price_import(env, role, ctx):
    from callbacks.prices import sales

    return env.post(role, sales.commit, {"ps-commit": 1, ("ps-file", "contents"): ctx["csv"],
                                         ("ps-file", "filename"): ctx["name"], "ps-imp-kind": "price_sales",
                                         "ps-list-refresh": 0}, clicked="ps-commit")


# ---------------------------------------------------------------- the test


def refusals(env) -> int:
    from data.db import transaction
    from data.models import AuditLog

    with transaction(env.url) as s:
        return s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.result.in_(("denied", "failure"))))


def test_actions000_every_action_has_a_driver():
    assert set(DRIVERS) == set(Action) - PENDING, sorted(set(Action) - set(DRIVERS) - PENDING)


PENDING: set[Action] = set()


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("action", [a for a in Action if a in DRIVERS])
def test_actions001_every_action_for_every_role(env, action, role):
    d = DRIVERS[action]
    ctx = d.prepare(env)
    may = role_may(role, action) and (d.relation is None or d.relation(env, role, ctx))
    before, counts, refused = d.state(env, ctx), table_counts(env), refusals(env)
    try:
        _check(env, d, action, role, ctx, may, before, counts, refused)
    finally:
        if action in CLEANUP:
            CLEANUP[action](env, ctx)


def _check(env, d, action, role, ctx, may, before, counts, refused):
    resp = d.call(env, role, ctx)
    assert resp.status_code != 500, resp.get_data(as_text=True)[:300]
    if may:
        ok = d.done(env, ctx, before, resp) if d.done else d.state(env, ctx) != before
        assert ok, (action, role, resp.status_code, resp.get_data(as_text=True)[:600])
    else:
        assert d.state(env, ctx) == before, (action, role, resp.get_data(as_text=True)[:400])
        if action not in (Action.MAINTENANCE_ANNOUNCE, Action.MAINTENANCE_WORK):
            assert table_counts(env) == counts, (action, role)
        if d.done is not None:
            assert not d.done(env, ctx, before, resp), (action, role)
        assert refusals(env) > refused, (action, role, "refusal not in the security log",
                                         resp.get_data(as_text=True)[:400])

