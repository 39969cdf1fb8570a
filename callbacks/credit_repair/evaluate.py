"""全量重新评价: the data unit's button runs data.credit.evaluate.evaluate_population as a
background job (a job process of the app's DiskcacheManager) with a progress bar and a cancel
button; the guard decides on the starting request and the data function asks again."""
from __future__ import annotations

from dash import Input, Output, State

from data.credit.evaluate import evaluate_population
from domain import clock
from domain.permissions import Action
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, current_actor


@secure_callback(Action.CREDIT_EVALUATE, Output("cr-eval-result", "children"),
                 Output("cr-refresh", "data", allow_duplicate=True),
                 Input("cr-eval-run", "n_clicks"), State("cr-refresh", "data"),
                 background=True, prevent_initial_call=True,
                 progress=[Output("cr-eval-progress", "value"), Output("cr-eval-progress", "label")],
                 progress_default=[0, ""],
                 running=[(Output("cr-eval-run", "disabled"), True, False), (Output("cr-eval-cancel", "disabled"), False, True),
                          (Output("cr-eval-progress-box", "style"), {"display": "block"}, {"display": "none"})],
                 cancel=[Input("cr-eval-cancel", "n_clicks")])
def run(set_progress, _n, refresh):
    """Re-evaluate every subject; the bar follows the steps (read, score, write)."""
    cfg = settings()

    def progress(pct: int, text: str) -> None:
        set_progress((pct, f"{pct}% {text}"))

    try:
        out = evaluate_population(cfg.database_url, cfg.audit_key, current_actor(), clock.today(), progress)
    except PermissionError as exc:
        return alert(str(exc), "danger"), refresh
    grades = "，".join(f"{'未评级' if g == 'unrated' else g + ' 级'} {n:,}" for g, n in out["grades"].items())
    return alert(f"已重新评价 {out['count']:,} 个信用主体（评价结果变化 {out['changed']:,} 个），用时 {out['seconds']} 秒；"
                 f"{grades}。"), (refresh or 0) + 1
