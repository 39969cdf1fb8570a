"""An attachment field (dcc.Upload, several files) and the list of a record's files as download links."""
from __future__ import annotations

from dash import dcc, html


def upload_field(field_id: str, label: str = "附件") -> html.Div:
    """`field_id` is the dcc.Upload; its errors go to `{field_id}-error`, like every form field."""
    return html.Div([
        html.Label(label, htmlFor=field_id, className="form-label"),
        dcc.Upload(id=field_id, multiple=True, max_size=10 * 1024 * 1024, className="upload-box",
                   children=html.Div(["拖放文件到此处，或 ", html.A("选择文件")]),
                   style={"borderWidth": "1px", "borderStyle": "dashed", "borderRadius": "6px", "padding": "10px",
                          "textAlign": "center", "cursor": "pointer"}),
        html.Div(id=f"{field_id}-names", className="small text-muted mt-1"),
        html.Div(id=f"{field_id}-error", className="invalid-feedback d-block"),
    ], className="mb-2")


def file_links(rows: list[dict]):
    """Download links with size and the first 12 hex digits of the SHA-256."""
    if not rows:
        return html.Span("无附件", className="text-muted")
    return html.Ul([html.Li([html.A(r["filename"], href=f"/api/attachments/{r['id']}"),
                             html.Span(f"（{r['size'] / 1024:,.1f} KB，SHA-256 {r['sha256'][:12]}…）",
                                       className="text-muted small ms-1")]) for r in rows],
                   className="mb-0 ps-3")
