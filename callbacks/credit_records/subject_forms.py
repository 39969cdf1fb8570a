"""信用主体详情 callbacks, continued: registering a forest right (pre-filled from a contracted
forest resource), a mortgage or a restriction note."""
from __future__ import annotations

from dash import Input, Output, State, no_update

from callbacks.common import alert, current_actor
from data.credit import rights
from data.errors import AccountError
from domain import clock
from domain.credit.forest import EncumbranceDraft, ForestRightDraft
from domain.permissions import Action
from server.callbacks import secure_callback
from server.context import settings

from .common import field_errors, iso, refused, subject_id

RIGHT_FIELDS = {"unit_code": "csd-right-code", "certificate_no": "csd-right-cert", "region_code": "csd-right-region",
                "right_type": "csd-right-type", "area": "csd-right-area", "forest_type": "csd-right-forest",
                "species": "csd-right-species", "age_class": "csd-right-age-class", "stand_age": "csd-right-age",
                "stock": "csd-right-stock", "lon": "csd-right-lon", "lat": "csd-right-lat",
                "polygon": "csd-right-polygon", "resource_id": "csd-right-resource"}
RIGHT_IDS = list(RIGHT_FIELDS.values())
ENC_FIELDS = {"right": "csd-enc-right", "kind": "csd-enc-kind", "holder": "csd-enc-holder", "amount": "csd-enc-amount",
              "registered_on": "csd-enc-date", "until": "csd-enc-until", "note": "csd-enc-note"}
ENC_IDS = list(ENC_FIELDS.values())


@secure_callback(Action.FOREST_RIGHT_SAVE, Output("csd-right-area", "value"), Output("csd-right-region", "value"),
                 Output("csd-right-resource-note", "children"), Input("csd-right-resource", "value"),
                 prevent_initial_call=True)
def prefill(resource_id):
    rid = subject_id(resource_id)
    if rid is None:
        return no_update, no_update, ""
    try:
        p = rights.prefill_from_resource(settings().database_url, current_actor(), rid)
    except (AccountError, PermissionError) as exc:
        return no_update, no_update, str(exc)
    where = "，".join(x for x in (p["location"], p["parcel_no"] and f"宗地 {p['parcel_no']}") if x)
    return p["area"], str(p["region_code"]), f"承包方：{p['contractor']}；坐落：{where or '—'}（资源记录不会被修改）"


@secure_callback(Action.FOREST_RIGHT_SAVE, Output("csd-right-result", "children"),
                 *[Output(f"{i}-error", "children") for i in RIGHT_IDS], Output("csd-refresh", "data", allow_duplicate=True),
                 Input("csd-right-submit", "n_clicks"), State("csd-subject-id", "data"),
                 *[State(i, "value") for i in RIGHT_IDS], State("csd-refresh", "data"), prevent_initial_call=True)
def add_right(_n, sid, code, cert, region, type_, area, forest, species, age_class, age, stock, lon, lat, polygon,
              resource, refresh):
    cfg = settings()
    draft = ForestRightDraft(unit_code=code or "", certificate_no=cert or "", region_code=region or None,
                             right_type=type_ or "", area=area or "", forest_type=forest or "", species=species or "",
                             age_class=age_class or "", stand_age=age or None, stock=stock or "", lon=lon or "",
                             lat=lat or "", polygon=polygon or "", resource_id=subject_id(resource))
    blank = [""] * len(RIGHT_IDS)
    try:
        rid = rights.create_right(cfg.database_url, cfg.audit_key, current_actor(), subject_id(sid), draft, clock.today())
    except AccountError as exc:
        return *field_errors(exc, RIGHT_FIELDS, RIGHT_IDS), no_update
    except PermissionError as exc:
        return refused(exc), *blank, no_update
    return alert(f"已登记林权 #{rid}。"), *blank, (refresh or 0) + 1


@secure_callback(Action.FOREST_RIGHT_SAVE, Output("csd-enc-result", "children"),
                 *[Output(f"{i}-error", "children") for i in ENC_IDS], Output("csd-refresh", "data", allow_duplicate=True),
                 Input("csd-enc-submit", "n_clicks"), *[State(i, "value") for i in ENC_IDS], State("csd-refresh", "data"),
                 prevent_initial_call=True)
def add_encumbrance(_n, right, kind, holder, amount, date, until, note, refresh):
    cfg = settings()
    blank = [""] * len(ENC_IDS)
    if subject_id(right) is None:
        return alert("请选择林权。", "warning"), *blank, no_update
    draft = EncumbranceDraft(kind=kind or "", holder=holder or "", amount=amount or "", registered_on=iso(date),
                             until=iso(until), note=note or "")
    try:
        eid = rights.add_encumbrance(cfg.database_url, cfg.audit_key, current_actor(), subject_id(right), draft,
                                     clock.today())
    except AccountError as exc:
        return *field_errors(exc, ENC_FIELDS, ENC_IDS), no_update
    except PermissionError as exc:
        return refused(exc), *blank, no_update
    return alert(f"已登记 #{eid}。"), *blank, (refresh or 0) + 1
