"""The supervision pages' callbacks: 预警处置 (`warnings`) and 预警热力图 (`warning_map`)."""
from . import warning_map, warnings  # noqa: F401
