"""The data API's query parameters, validated at the boundary with pydantic (unknown ones refused)."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from server.api.openapi import FIELDS_PATTERN, LIMIT_MAX, OFFSET_MAX

NAMES = {"region": "区划代码", "from": "起始日期", "to": "截止日期", "fields": "字段", "limit": "每页条数",
         "offset": "起始位置"}


class DatasetParams(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    region: int | None = Field(None, ge=100000000000, le=999999999999)
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    fields: str | None = Field(None, pattern=FIELDS_PATTERN)
    limit: int = Field(100, ge=1, le=LIMIT_MAX)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _iso_date(cls, v):
        """Only yyyy-mm-dd (pydantic alone would also take a number of seconds since 1970)."""
        if v is None:
            return None
        if not isinstance(v, str) or len(v) != 10 or v[4] != "-" or v[7] != "-":
            raise ValueError("not a yyyy-mm-dd date")
        return dt.date.fromisoformat(v)

    @property
    def field_list(self) -> list[str] | None:
        return self.fields.split(",") if self.fields else None


def parse(args: dict, dated: bool) -> DatasetParams | str:
    """The parameters, or the Chinese reason they are refused (400)."""
    if not dated:
        extra = [k for k in ("from", "to") if k in args]
        if extra:
            return f"该数据集不按期间筛选，不支持参数：{'、'.join(extra)}"
    try:
        return DatasetParams.model_validate(args)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first.get("loc") else ""
        if first.get("type") == "extra_forbidden":
            return f"不支持的参数：{name[:40]}"
        return f"参数“{NAMES.get(name, name[:40])}”无效"


def logged(args: dict) -> dict:
    """The parameters as the call log keeps them (bounded)."""
    return {str(k)[:40]: str(v)[:100] for k, v in list(args.items())[:12]}
