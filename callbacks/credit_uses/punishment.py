"""联合惩戒名单 callbacks: the list on the chosen date, and its export."""
from __future__ import annotations

from dash import Input, Output, State, ctx, no_update

from components.credit_uses import PUNISHMENT_EXPORT
from data.credit.punishment import SHOW_MAX, punished, purpose_for
from domain.privacy import exporting
from domain.permissions import Action
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import current_actor
from callbacks.credit_uses.common import day_of, download, iso_dates, with_region_names


@secure_callback(Action.CREDIT_PUNISHMENT_VIEW, Output("credit-pun-grid", "rowData"),
                 Output("credit-pun-summary", "children"), Input("credit-pun-date", "date"))
def load(day):
    as_of = day_of(day)
    rows = punished(settings().database_url, current_actor(), as_of, limit=SHOW_MAX + 1)
    more = len(rows) > SHOW_MAX
    rows = with_region_names(rows[:SHOW_MAX])
    subjects = len({r["subject_id"] for r in rows})
    text = (f"{as_of.isoformat()}：名单上共 {subjects} 个信用主体、{len(rows)} 条公示期内的失信记录"
            + ("（仅显示前20000条，请导出全部）" if more else "") + "。" if rows
            else f"{as_of.isoformat()}：本辖区没有公示期内的失信主体。")
    return iso_dates(rows), text


@secure_callback(Action.CREDIT_PUNISHMENT_VIEW, Output("credit-pun-download", "data"), Input("credit-pun-xlsx", "n_clicks"),
                 Input("credit-pun-csv", "n_clicks"), State("credit-pun-date", "date"), prevent_initial_call=True)
def export(_x, _c, day):
    if not (_x or _c):
        return no_update
    who = current_actor()
    as_of = day_of(day)
    rows = with_region_names(punished(settings().database_url, who, as_of, purpose=exporting(purpose_for(who))))
    fmt = "csv" if ctx.triggered_id == "credit-pun-csv" else "xlsx"
    return download(rows, PUNISHMENT_EXPORT, f"联合惩戒名单（{as_of.isoformat()}）", fmt, who.scope.root)
