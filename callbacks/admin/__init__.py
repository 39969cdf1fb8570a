"""Callbacks of the administration pages (账号管理, 安全日志, 数据共享, 停机公告)."""
from . import audit, calendar, maintenance, sharing, users  # noqa: F401
