from dash import Input, Output, html
from flask_login import current_user

from domain.citations import Cite, cite
from domain.permissions import Action, PERM_LABELS, Perm
from server.callbacks import secure_callback
from server.context import query_layer, settings


@secure_callback(Action.HOME_VIEW, Output("home-welcome", "children"), Input("url", "pathname"))
def welcome(_pathname):
    scope = current_user.scope
    tree = query_layer().tree
    perms = "、".join(PERM_LABELS[p] for p in sorted(scope.perms) if p != Perm.SIGNED_IN)
    return [
        html.H2(f"您好，{current_user.display_name}"),
        html.P([f"角色：{current_user.role_label}　管辖范围：",
                html.Span(" / ".join(n for _, n in tree.path(scope.root)), id="home-scope")]),
        html.P(f"权限：{perms or '—'}", className="text-muted"),
        html.P(f"按{cite(Cite.JURISDICTION, settings().province)}，您只能查看和导出本辖区数据。", className="muted-note",
               id="home-citation"),
    ]
