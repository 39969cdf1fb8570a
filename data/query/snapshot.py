"""The roll-ups' Parquet snapshot of earlier versions (before issue 17): one file per level and a meta
file with the watermark (the last ledger line included) and the ledger generation it was built from.
Only read now: the columnar copy (columnar.py) converts a matching snapshot instead of rebuilding the
roll-ups from the whole ledger, the first time it is built."""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from data.db import url_tag

FORMAT = 1


def directory(snapshot_dir: Path, url: str) -> Path:
    """The snapshot directory of the database at `url`."""
    return snapshot_dir / url_tag(url)


def load(d: Path, generation: str) -> tuple[dict[int, pl.DataFrame], int] | None:
    """(roll-ups, watermark), or None when there is no snapshot of this format and generation."""
    try:
        meta = json.loads((d / "meta.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    if meta.get("format") != FORMAT or meta.get("generation") != generation:
        return None
    return {lv: pl.read_parquet(d / f"level{lv}.parquet") for lv in (1, 2, 3, 4, 5)}, int(meta["watermark"])
