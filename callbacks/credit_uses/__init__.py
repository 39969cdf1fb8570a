"""Callbacks of the credit-use pages: 联合惩戒名单, 执法检查计划, 双公示推送, 开放数据, 共享数据."""
from . import inspection, open_data, punishment, push  # noqa: F401
