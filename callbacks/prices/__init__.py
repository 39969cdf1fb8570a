"""Callbacks of the price-index pages."""
from . import sales  # noqa: F401
