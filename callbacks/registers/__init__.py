"""Callbacks of the security registers (数据安全事件, 数据销毁, 运维接入, 设备登记)."""
from . import pages  # noqa: F401
