"""What one API call may read: the call's dataset, fields, region and period checked against the
approval behind its key. A call asking for anything outside it is refused (403) and counts as
misuse (Art. J24: use beyond the approved scope); nothing is silently narrowed except defaults."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.regions import is_in_subtree
from domain.sharing.catalogue import DATASETS


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str
    misuse: bool = False


@dataclass(frozen=True)
class Query:
    dataset: str
    fields: tuple[str, ...]
    regions: tuple[int, ...]  # subtree roots to read
    date_from: dt.date | None
    date_to: dt.date | None


@dataclass(frozen=True)
class Grant:
    scope: dict  # {dataset: [field, ...]}
    regions: tuple[int, ...]
    data_from: dt.date
    data_to: dt.date
    personal: bool


def resolve(grant: Grant, dataset: str, fields: list[str] | None, region: int | None,
            date_from: dt.date | None, date_to: dt.date | None) -> Query | Refusal:
    ds = DATASETS.get(dataset)
    if ds is None:
        return Refusal(404, f"未知的数据集：{dataset[:40]}")
    granted = list(grant.scope.get(dataset) or [])
    if not granted:
        return Refusal(403, f"未获批使用数据集“{ds.label}”", misuse=True)
    if fields:
        unknown = [f for f in fields if f not in ds.fields]
        if unknown:
            return Refusal(400, f"数据集“{ds.label}”没有字段：{'、'.join(unknown)[:100]}")
        outside = [f for f in fields if f not in granted]
        if outside:
            return Refusal(403, f"未获批使用字段：{'、'.join(ds.fields[f].label for f in outside)}", misuse=True)
        chosen = tuple(dict.fromkeys(fields))
    else:
        chosen = tuple(granted)
    if region is not None:
        if not any(region == r or is_in_subtree(region, r) for r in grant.regions):
            return Refusal(403, f"区域 {region} 不在获批范围内", misuse=True)
        regions = (int(region),)
    else:
        regions = tuple(grant.regions)
    if date_from is not None and date_to is not None and date_from > date_to:
        return Refusal(400, "起始日期不能晚于截止日期")
    if (date_from is not None and date_from < grant.data_from) or (date_to is not None and date_to > grant.data_to):
        return Refusal(403, f"数据期间超出获批范围（{grant.data_from} 至 {grant.data_to}）", misuse=True)
    lo = date_from or grant.data_from
    hi = date_to or grant.data_to
    if ds.date_field is None:
        lo = hi = None
    return Query(dataset, chosen, regions, lo, hi)
