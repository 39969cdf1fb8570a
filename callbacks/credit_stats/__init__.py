"""林业信用统计分析 callbacks (pages/credit_stats.py)."""
from . import stats  # noqa: F401
