"""阳光公开 callbacks: the village's and township's disclosure board (`board`, `steps`)."""
from . import board, steps  # noqa: F401
