"""Callbacks of the 信用修复 page (applications, decisions, the population's re-evaluation)."""
from . import evaluate, flow  # noqa: F401 - records their callbacks
