"""Callbacks of 同步与备份 (the national sync, backups and restore drills)."""
from . import backups, sync  # noqa: F401
