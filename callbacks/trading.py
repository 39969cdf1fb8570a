"""产权交易 callbacks."""
from __future__ import annotations

import datetime as dt

from dash import Input, Output, State, no_update

from components.readonly import guard_outputs
from data import assets
from data.contracts import trading
from data.errors import AccountError
from domain import clock
from domain.permissions import Action, OutOfScope, PermissionDenied, may
from server.callbacks import secure_callback
from server.context import settings

from .common import alert, current_actor, sections




def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


#: each form of the page and the action it takes (shown only to roles that may: components.readonly)
FORMS = {"trade-award-tools": Action.TRADE_AWARD, "trade-bid-form": Action.TRADE_BID, "trade-list-form": Action.TRADE_LIST}


@secure_callback(Action.BUSINESS_VIEW, Output("trade-grid", "rowData"), Output("list-resource", "options"),
                 *guard_outputs(*FORMS), Input("trade-refresh", "data"))
def load(_):
    cfg = settings()
    actor = current_actor()
    resources = trading.open_resources(cfg.database_url, actor) if may(actor, Action.TRADE_LIST) else []
    return (trading.list_listings(cfg.database_url, actor),
            [{"label": r["label"], "value": f"{r['id']}:{r['org_id']}"} for r in resources],
            *sections(actor, *FORMS.values()))


@secure_callback(Action.TRADE_LIST, Output("list-resolution", "options"), Input("list-resource", "value"))
def resolution_options(value):
    try:
        org_id = int(str(value).split(":")[1])
    except (IndexError, ValueError):
        return []
    return [{"label": r["label"], "value": r["id"]}
            for r in assets.resolutions_for(settings().database_url, current_actor(), org_id)
            if r["decision_type"] in ("lease", "transfer")]


@secure_callback(Action.TRADE_LIST, Output("list-result", "children"),
                 *[Output(f"list-{f}-error", "children") for f in ("resource", "kind", "reserve", "term", "resolution",
                                                                   "closes")],
                 Output("trade-refresh", "data", allow_duplicate=True), Input("list-submit", "n_clicks"),
                 State("list-resource", "value"), State("list-kind", "value"), State("list-reserve", "value"),
                 State("list-term", "value"), State("list-resolution", "value"), State("list-opens", "date"),
                 State("list-closes", "date"), State("trade-refresh", "data"), prevent_initial_call=True)
def create(_, resource, kind, reserve, term, resolution, opens, closes, refresh):
    cfg = settings()
    try:
        rid = int(str(resource).split(":")[0])
    except ValueError:
        return alert("请选择资源。", "danger"), "请选择资源", "", "", "", "", "", no_update
    try:
        lid = trading.create_listing(cfg.database_url, cfg.audit_key, current_actor(), rid, kind, reserve or "",
                                     int(term) if term else None, int(resolution) if resolution else None,
                                     _date(opens), _date(closes), clock.today())
    except AccountError as exc:
        e = exc.errors
        return (alert("未挂牌，请按提示修改。", "danger"), e.get("resource", ""), e.get("kind", ""), e.get("reserve", ""),
                e.get("term_months", ""), e.get("resolution", ""), e.get("window", ""), no_update)
    except (OutOfScope, PermissionDenied) as exc:
        return alert(str(exc), "danger"), "", "", "", "", "", "", no_update
    return alert(f"已挂牌 #{lid}。"), "", "", "", "", "", "", (refresh or 0) + 1


@secure_callback(Action.TRADE_BID, Output("bid-result", "children"), Output("bid-bidder-error", "children"),
                 Output("bid-id-error", "children"), Output("bid-amount-error", "children"),
                 Output("trade-refresh", "data", allow_duplicate=True), Input("bid-submit", "n_clicks"),
                 State("trade-grid", "selectedRows"), State("bid-bidder", "value"), State("bid-id-type", "value"),
                 State("bid-id", "value"), State("bid-amount", "value"), State("trade-refresh", "data"),
                 prevent_initial_call=True)
def bid(_, rows, bidder, id_type, id_number, amount, refresh):
    try:
        lid = int((rows or [{}])[0]["id"])
    except (KeyError, TypeError, ValueError):
        return alert("请先选择挂牌项目。", "warning"), "", "", "", no_update
    cfg = settings()
    try:
        trading.place_bid(cfg.database_url, cfg.audit_key, current_actor(), lid, bidder or "", id_type, id_number or "",
                          amount or "", clock.today())
    except AccountError as exc:
        e = exc.errors
        return (alert(e.get("window") or e.get("_") or "报价未登记，请按提示修改。", "danger"), e.get("bidder", ""),
                e.get("bidder_id", ""), e.get("amount", ""), no_update)
    except (OutOfScope, PermissionDenied) as exc:
        return alert(str(exc), "danger"), "", "", "", no_update
    return alert("报价已登记。"), "", "", "", (refresh or 0) + 1


@secure_callback(Action.TRADE_AWARD, Output("trade-award-result", "children"),
                 Output("trade-refresh", "data", allow_duplicate=True), Input("trade-award", "n_clicks"),
                 State("trade-grid", "selectedRows"), State("trade-refresh", "data"), prevent_initial_call=True)
def award(_, rows, refresh):
    try:
        row = (rows or [{}])[0]
        lid, version = int(row["id"]), int(row["version"])
    except (KeyError, TypeError, ValueError):
        return alert("请先选择挂牌项目。", "warning"), no_update
    cfg = settings()
    try:
        cid = trading.award(cfg.database_url, cfg.audit_key, current_actor(), lid, version, clock.today())
    except (AccountError, OutOfScope, PermissionDenied) as exc:
        return alert(str(exc), "danger"), (refresh or 0) + 1
    return alert("已成交并生成合同。" if cid else "无人报价，已流拍。"), (refresh or 0) + 1
