"""Free text typed into a form: required, trimmed and bounded, with the refusal in Chinese."""
from __future__ import annotations


def put_text(errors: dict[str, str], field: str, value, what: str, limit: int, *, blank: str | None = None,
             unit: str = "字", required: bool = True) -> str:
    """The trimmed text of `value`; records under `field` in `errors` "请填写{blank or what}" when it
    is blank (and `required`), or "{what}不超过{limit}{unit}" when it is longer than `limit`."""
    text = str(value).strip() if value is not None else ""
    if not text:
        if required:
            errors[field] = f"请填写{blank or what}"
    elif len(text) > limit:
        errors[field] = f"{what}不超过{limit}{unit}"
    return text
