"""File downloads: `/api/attachments/<id>` serves an attachment to a signed-in user whose
jurisdiction holds the record it belongs to (the guard has already required a session); the
checksum is verified first, and every download or refusal is written to the security log."""
from __future__ import annotations

from urllib.parse import quote

from flask import Flask, Response, jsonify
from flask_login import current_user

from data import attachments
from domain.permissions import PermissionDenied
from server.auth import log_event
from server.context import settings
from server.guard import refusal_page
from server.inputs import MAX_INT


def init_files(server: Flask) -> None:
    @server.route("/api/attachments/<int:attachment_id>")
    def download_attachment(attachment_id: int):
        if not getattr(current_user, "is_authenticated", False):
            return jsonify(error="请先登录"), 401
        if not 1 <= attachment_id <= MAX_INT:  # the route's <int:…> takes any length of digits
            return refusal_page(404, "附件不存在（编号超出范围）")
        try:
            name, ctype, content = attachments.fetch(settings().database_url, current_user.scope, attachment_id)
        except PermissionDenied as exc:
            log_event("permission_denied", f"下载附件 {attachment_id}：{exc}", "denied",
                      detail={"attachment_id": attachment_id})
            return refusal_page(403, str(exc))
        except attachments.CorruptAttachment as exc:
            log_event("download", str(exc), "failure", detail={"attachment_id": attachment_id})
            return refusal_page(500, "附件校验失败，请联系管理员")
        log_event("download", f"下载附件：{name}", "success", detail={"attachment_id": attachment_id})
        return Response(content, mimetype=ctype, headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}", "Cache-Control": "no-store"})
