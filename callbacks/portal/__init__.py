"""The members' portal callbacks (`me`)."""
from . import me  # noqa: F401
