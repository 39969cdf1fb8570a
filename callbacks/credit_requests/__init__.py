"""Callbacks of the credit request pages: 数据申请, 数据修正, 数据传输."""
from . import applications, corrections, transfers  # noqa: F401
