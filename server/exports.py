"""`/api/export-log`: the browser reports a chart downloaded as PNG (assets/export-log.js), and
the server writes it to the security log (Art. J36).

Only the app's own charts are accepted: `kind` is the id of a `dcc.Graph` with a download
button, `page` the pathname it was downloaded on, which must resolve (the way the router
resolves it) to the page that holds that chart. The entry's text is the server's, built from the
table below; nothing the client sends is stored but the kind id and the page's registered path.
At most EXPORT_LIMIT reports per user per EXPORT_WINDOW_S (a window from the user's first report),
counted in the shared store (data/runtime/shared.py), so several workers or machines together
allow that many, not that many each.
"""
from __future__ import annotations

from flask import Flask, current_app, jsonify, request
from flask_login import current_user

from server.auth import log_event
from server.guard import Unroutable, page_for_path

#: chart id -> (the page path that has it, its name); tests/test_hardening_auditlog.py checks this
#: against every `dcc.Graph(id=..., config=graph_config(...))` under pages/
EXPORT_KINDS: dict[str, tuple[str, str]] = {
    "cockpit-map": ("/cockpit", "区域分布图"), "cockpit-trend": ("/cockpit", "月度趋势"),
    "cockpit-topbottom": ("/cockpit", "村收益排名"),
    "growth-stack": ("/asset-growth", "资产构成"), "growth-yoy": ("/asset-growth", "同比增长率"),
    "growth-ranking": ("/asset-growth", "增长排名"), "growth-lorenz": ("/asset-growth", "资产集中度"),
    "wmap-heatmap": ("/warning-map", "预警热力图"), "wmap-map": ("/warning-map", "预警分布图"),
    "wmap-trend": ("/warning-map", "预警趋势"), "wmap-close-time": ("/warning-map", "办结时长"),
}
EXPORT_LIMIT, EXPORT_WINDOW_S = 30, 600


def limit_key(user_id: int) -> str:
    return f"export:user:{int(user_id)}"


def within_limit(user_id: int) -> bool:
    """Count one report for `user_id` (on every worker); False once the window's reports are used up."""
    from data.runtime.shared import store

    return store(current_app.config["PLATFORM_SETTINGS"]).hit(limit_key(user_id), EXPORT_WINDOW_S) <= EXPORT_LIMIT


def init_exports(server: Flask) -> None:
    @server.route("/api/export-log", methods=["POST"])
    def export_log():
        """The guard has already required a signed-in session, our own origin and JSON."""
        if not getattr(current_user, "is_authenticated", False):
            return jsonify(error="请先登录"), 401
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}
        kind, path = body.get("kind"), body.get("page")
        known = EXPORT_KINDS.get(kind) if isinstance(kind, str) else None
        try:
            page = page_for_path(path) if isinstance(path, str) else None
        except Unroutable:
            page = None
        if known is None or page is None or page["path"] != known[0]:
            return jsonify(error="未知的图表导出"), 400
        if not within_limit(current_user.user_id):
            return jsonify(error="导出登记过于频繁，请稍后再试"), 429
        log_event("export", f"导出图表PNG：{page['name']} · {known[1]}", "success",
                  detail={"kind": kind, "page": page["path"], "format": "png"})
        return jsonify(status="ok")
