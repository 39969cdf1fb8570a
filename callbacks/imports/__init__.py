"""Callbacks of the 数据导入 page."""
from . import flow  # noqa: F401 - records their callbacks
