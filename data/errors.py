"""The refusals a write raises for bad input, in Chinese, before anything is written."""
from __future__ import annotations


class AccountError(ValueError):
    """Bad input: `errors` maps a field to what is wrong (Chinese); nothing was written."""

    def __init__(self, errors: dict[str, str] | str):
        self.errors = errors if isinstance(errors, dict) else {"_": errors}
        super().__init__("；".join(self.errors.values()))


class StaleEdit(AccountError):
    """The record changed since the caller read it (optimistic locking); nothing was written."""
