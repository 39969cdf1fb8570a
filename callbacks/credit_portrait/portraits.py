"""信用画像查询: the list of openable portraits (data.credit.portraits decides whose)."""
from __future__ import annotations

from urllib.parse import urlencode

from dash import Input, Output, State

from data.credit import portraits
from domain.permissions import Action, PermissionDenied, may
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, current_actor


@secure_callback((Action.CREDIT_PORTRAIT_AUTHORISED, Action.CREDIT_PORTRAIT_VIEW), Output("credit-list-grid", "rowData"),
                 Output("credit-list-note", "children"), Output("credit-list-result", "children"),
                 Input("credit-list-search", "n_clicks"), Input("credit-list-refresh", "data"), State("credit-list-q", "value"))
def load(_, __, q):
    who = current_actor()
    try:
        rows = portraits.openable(settings().database_url, who, q)
    except PermissionDenied as exc:
        return [], "", alert(str(exc), "warning")
    bank = may(who, Action.CREDIT_PORTRAIT_AUTHORISED)
    for r in rows:
        query = {"subject": r["id"], **({"purpose": r["purpose"]} if r["purpose"] else {})}
        r["link"] = f"[查看画像](/credit/portrait?{urlencode(query)})"
    note = ("以下为已授权本机构查询、且在授权期限内的信用主体；按姓名/名称片段或完整证件号码查询。" if bank
            else "本辖区信用主体；按姓名/名称或证件号码开头查询。")
    return rows, note, alert(f"共 {len(rows)} 个信用主体" + ("（最多显示500个）" if len(rows) >= portraits.LIMIT else ""),
                             "light")
