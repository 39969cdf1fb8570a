"""资金管理 callbacks, one module per part of the page: parse the forms (declared once in
components/funds_forms.py), call data.funds, show the outcome in Chinese with every message
under its field. Importing this package records every one of them (see server.callbacks)."""
from . import books, closing, requests, statements, vouchers  # noqa: F401 - records their callbacks
