"""资源管理 callbacks: the register, the form that registers or corrects a resource, its history."""
from __future__ import annotations

from dash import Input, Output, State, ctx, no_update

from components.record_history import history_table
from data import resources
from data.errors import AccountError, StaleEdit
from data.history import history
from domain.contracts import ResourceDraft
from domain.permissions import Action, may
from server.callbacks import secure_callback
from server.inputs import Selected, declare
from server.context import settings

from .common import alert, current_actor

#: error field of data.resources -> form field id
FIELDS = {"org_id": "res-org", "name": "res-name", "type": "res-type", "area": "res-area", "location": "res-location",
          "parcel_no": "res-parcel"}
ERROR_IDS = list(FIELDS.values())
LABELS = {"name": "名称", "type": "类型", "area_mu": "面积（亩）", "location": "坐落", "parcel_no": "宗地编号",
          "contracted": "已发包", "contractor": "承包（承租）方", "contracted_until": "承包到期"}


def _area(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text



declare("res-editing", "data", Selected | None)  # the record the forms act on: {"id", "version", ...}

@secure_callback(Action.BUSINESS_VIEW, Output("res-grid", "rowData"), Output("res-org", "options"),
                 Output("res-summary", "children"),
                 Output("res-form-panel", "hidden"), Input("res-refresh", "data"), Input("res-reload", "n_clicks"))
def load(*_):
    cfg = settings()
    actor = current_actor()
    rows = resources.list_resources(cfg.database_url, actor)
    handling = may(actor, Action.RESOURCE_SAVE)
    orgs = resources.orgs(cfg.database_url, actor) if handling else []
    contracted = sum(1 for r in rows if r["contracted"] == "是")
    summary = f"共 {len(rows):,} 项资源，已发包 {contracted:,} 项" + ("（只显示前 5,000 项）" if len(rows) >= 5000 else "")
    return rows, [{"label": o["label"], "value": o["id"]} for o in orgs], summary, not handling


@secure_callback(Action.BUSINESS_VIEW, Output("res-selected", "children"), Output("res-editing", "data"),
                 Output("res-org", "value"),
                 Output("res-name", "value"), Output("res-type", "value"), Output("res-area", "value"),
                 Output("res-location", "value"), Output("res-parcel", "value"), Output("res-history", "children"),
                 Input("res-grid", "selectedRows"))
def selected(rows):
    row = rows[0] if rows else None
    try:
        rid, version = int(row["id"]), int(row["version"])
    except (TypeError, KeyError, ValueError):
        return "未选择资源：填写后点“新增资源”。", None, no_update, no_update, no_update, no_update, no_update, \
            no_update, ""
    changes = history(settings().database_url, current_actor().scope, "resources", rid)
    return (f"正在修改：{row.get('name', '')}", {"id": rid, "version": version}, row.get("org_id"), row.get("name"),
            row.get("type"), row.get("area_mu"), row.get("location") or "", row.get("parcel_no") or "",
            history_table(changes, LABELS, formats={"area_mu": _area}))


@secure_callback(Action.RESOURCE_SAVE, Output("res-result", "children"),
                 *[Output(f"{i}-error", "children") for i in ERROR_IDS],
                 Output("res-refresh", "data"), Output("res-editing", "data", allow_duplicate=True),
                 Input("res-create", "n_clicks"), Input("res-save", "n_clicks"), State("res-editing", "data"),
                 State("res-org", "value"), State("res-name", "value"), State("res-type", "value"),
                 State("res-area", "value"), State("res-location", "value"), State("res-parcel", "value"),
                 State("res-refresh", "data"), prevent_initial_call=True)
def submit(_c, _s, editing, org, name, type_, area, location, parcel, refresh):
    cfg = settings()
    actor = current_actor()
    draft = ResourceDraft(name=name or "", type=type_ or "", area=area or "", location=location or "",
                          parcel_no=parcel or "")
    blank = [""] * len(ERROR_IDS)
    try:
        if ctx.triggered_id == "res-save":
            if not editing:
                return alert("请先在左侧选择要修改的资源。", "warning"), *blank, no_update, no_update
            version = resources.edit(cfg.database_url, cfg.audit_key, actor, int(editing["id"]), draft,
                                     int(editing["version"]))
            return alert(f"已保存修改：{draft.name.strip()}。"), *blank, (refresh or 0) + 1, \
                {"id": editing["id"], "version": version}
        rid = resources.create(cfg.database_url, cfg.audit_key, actor, int(org) if org else None, draft)
    except StaleEdit as exc:  # the form keeps what this person typed; nothing is reloaded over it
        return alert(f"{exc}（您填写的内容仍保留在表单中）", "danger"), *blank, no_update, no_update
    except AccountError as exc:
        by_id = {FIELDS[f]: m for f, m in exc.errors.items() if f in FIELDS}
        return alert(exc.errors.get("_", "未保存，请按提示修改。"), "danger"), *[by_id.get(i, "") for i in ERROR_IDS], \
            no_update, no_update
    return alert(f"已登记资源 #{rid}：{draft.name.strip()}。"), *blank, (refresh or 0) + 1, no_update
