"""Callbacks of the base-data pages (基础数据, 基础数据审核, 试运行与锁定)."""
from . import review, trial, village  # noqa: F401
