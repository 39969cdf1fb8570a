"""Callbacks of the administration pages (账号管理, 安全日志, 数据共享, 数据共享申请, 数据接口, 停机公告, 工作日历)."""
from . import audit, calendar, data_api, data_requests, maintenance, sharing, users  # noqa: F401
