"""The one columnar copy of the query layer's data that every web worker memory-maps.

Layout under `settings.columnar_dir/<db-hash>/`:
- `<name>/level1.arrow` … `level5.arrow` (the movement roll-ups of each region level, rollups.py)
  and `facts.arrow` (the per-village facts, facts.py): uncompressed Arrow IPC files, one record
  batch each, so a worker maps them (`pyarrow.memory_map`) and polars reads the mapped buffers
  zero-copy — the pages live once in the page cache and are shared by every process mapping them;
- `<name>/meta.json`: format, the ledger watermark (last line included), the ledger generation,
  the facts' version and day, each file's rows and bytes;
- `current.json`: the live copy's name, swapped with `os.replace` (atomic: a reader sees the old
  copy or the new one, never half of one); `.publish.lock`: the publisher's `fcntl` lock.

`publish(settings)` (the job process every 60 s, job kind `columnar`; `python -m data.query.columnar`
at `make serve`'s start; a worker finding no copy) folds the ledger lines posted since the copy's
watermark and changed facts into a new copy and swaps the pointer; it returns at once when nothing
changed. Only one process builds at a time (an exclusive lock; the others wait and find it built).
Superseded copies are deleted after `GRACE_S` (a worker that read the old pointer has that long to
map it; Linux keeps an unlinked file alive while it is mapped, so deleting never hurts a reader).

Workers never write here: they apply the lines posted since the copy's watermark themselves
(`overlay`, private and small, QueryLayer.refresh) and re-map when the pointer names a new copy.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from data.db import url_tag
from data.regions import load_region_tree
from domain import clock
from domain.regions import VILLAGE
from settings import Settings

from . import snapshot
from .facts import FACT_COLUMNS, load_facts
from .reads import Reader
from .rollups import LINE_COLUMNS, MEASURE_KEYS, all_levels, roll_up, typed_lines, village_rollup

log = logging.getLogger("platform.columnar")
FORMAT = 1
LEVELS = (1, 2, 3, 4, 5)
POINTER = "current.json"
LOCK = ".publish.lock"
#: seconds a superseded copy is kept before it is deleted
GRACE_S = 300.0
#: an overlay cut into more pieces than this is copied into one private chunk (a bulk import
#: touching thousands of villages between two publications); the next publication shares it again
MAX_PIECES = 4096


class CorruptCopy(ValueError):
    """A copy whose files are missing, truncated or not what its meta.json says."""


@dataclass(frozen=True)
class Copy:
    name: str
    rollups: dict[int, pl.DataFrame]
    watermark: int
    generation: str
    facts: pl.DataFrame | None
    facts_version: int | None
    facts_day: str | None


def root(settings: Settings) -> Path:
    """The columnar directory of the database of `settings`."""
    return settings.columnar_dir / url_tag(settings.database_url)


# ---------------------------------------------------------------------------------------- marks
def db_marks(reader: Reader) -> tuple[int, int, str]:
    """(ledger watermark, facts version, ledger generation) of the database: one small read."""
    df = reader.read("SELECT (SELECT COALESCE(MAX(id), 0) FROM voucher_lines) AS wm, "
                     "(SELECT value FROM platform_settings WHERE key = 'facts_version') AS fv, "
                     "(SELECT value FROM platform_settings WHERE key = 'ledger_generation') AS gen")
    fv, gen = df["fv"][0], df["gen"][0]
    return int(df["wm"][0]), int(json.loads(fv)["v"]) if fv else 0, json.loads(gen)["id"] if gen else ""


def read_lines(reader: Reader, after: int, upto: int) -> pl.DataFrame:
    """The ledger lines with after < id <= upto, typed for the roll-ups."""
    return typed_lines(reader.read(f"SELECT {LINE_COLUMNS} FROM voucher_lines "
                                   f"WHERE id > {int(after)} AND id <= {int(upto)}"))


# ---------------------------------------------------------------------------------------- reading
def pointer(d: Path) -> str | None:
    """The name of the live copy in `d`, or None."""
    try:
        return json.loads((d / POINTER).read_text())["name"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _map(path: Path, rows: int, size: int) -> pl.DataFrame:
    if path.stat().st_size != size:
        raise CorruptCopy(f"{path.name}: {path.stat().st_size} bytes, expected {size}")
    with pa.memory_map(str(path)) as source:  # the table keeps the mapping alive after the close
        table = pa.ipc.open_file(source).read_all()
    if table.num_rows != rows:
        raise CorruptCopy(f"{path.name}: {table.num_rows} rows, expected {rows}")
    table.validate()
    return pl.from_arrow(table, rechunk=False)


def open_copy(d: Path, name: str) -> Copy:
    """Map the copy `name` of `d` (raises CorruptCopy, or OSError when it is gone)."""
    base = d / name
    try:
        meta = json.loads((base / "meta.json").read_text())
        if meta.get("format") != FORMAT:
            raise CorruptCopy(f"format {meta.get('format')}")
        files = meta["files"]
        rollups = {lv: _map(base / f"level{lv}.arrow", *files[f"level{lv}"]) for lv in LEVELS}
        facts = _map(base / "facts.arrow", *files["facts"]) if "facts" in files else None
    except (pa.ArrowException, KeyError, TypeError, ValueError) as exc:
        raise CorruptCopy(f"{name}: {exc}") from exc
    for lv, frame in rollups.items():
        if frame.columns != ["code", "period", *MEASURE_KEYS]:
            raise CorruptCopy(f"{name}: level{lv} columns")
    if facts is not None and facts.columns != ["code", *FACT_COLUMNS]:
        raise CorruptCopy(f"{name}: facts columns")
    return Copy(name=name, rollups=rollups, watermark=int(meta["watermark"]), generation=str(meta["generation"]),
                facts=facts, facts_version=meta.get("facts_version"), facts_day=meta.get("facts_day"))


def open_current(settings: Settings, generation: str | None = None) -> Copy | None:
    """The live copy, mapped; None when there is none, it is damaged, or it was built from another
    ledger generation than `generation` (a restore or regeneration replaced the ledger)."""
    d = root(settings)
    name = pointer(d)
    if name is None:
        return None
    try:
        copy = open_copy(d, name)
    except (CorruptCopy, OSError) as exc:
        log.warning("columnar copy %s unusable, rebuilding: %s", name, exc)
        return None
    if generation is not None and copy.generation != generation:
        return None
    return copy


# ---------------------------------------------------------------------------------------- overlay
def overlay(base: dict[int, pl.DataFrame], delta_village: pl.DataFrame) -> dict[int, pl.DataFrame]:
    """The roll-ups `base` with the village × month movements `delta_village` added. The rows of
    codes the delta does not touch stay zero-copy slices of `base` (its mapped pages); only the
    touched codes' rows are new (one group-by per level)."""
    if delta_village.is_empty():
        return base
    out = {}
    for level, frame in base.items():
        delta = delta_village if level == VILLAGE else roll_up(delta_village, level)
        touched = np.unique(delta.get_column("code").to_numpy())
        codes = frame.get_column("code").to_numpy()
        i0, i1 = np.searchsorted(codes, touched, "left"), np.searchsorted(codes, touched, "right")
        old = [frame.slice(int(a), int(b - a)) for a, b in zip(i0, i1, strict=True) if b > a]
        merged = (pl.concat([*old, delta.select(frame.columns).cast(frame.schema)])
                  .group_by("code", "period").agg(pl.col(k).sum() for k in MEASURE_KEYS)
                  .sort("code", "period").select(frame.columns).cast(frame.schema))
        mcodes = merged.get_column("code").to_numpy()
        m0, m1 = np.searchsorted(mcodes, touched, "left"), np.searchsorted(mcodes, touched, "right")
        parts, pos = [], 0
        for k in range(len(touched)):
            parts.append(frame.slice(pos, int(i0[k]) - pos))
            parts.append(merged.slice(int(m0[k]), int(m1[k] - m0[k])))
            pos = int(i1[k])
        parts.append(frame.slice(pos))
        parts = [p for p in parts if p.height] or [frame.clear()]
        out[level] = pl.concat(parts, rechunk=len(parts) > MAX_PIECES)
    return out


def merge_delta(delta: pl.DataFrame | None, more: pl.DataFrame) -> pl.DataFrame:
    """Two village × month movement frames added together (sorted by code, period)."""
    if delta is None or delta.is_empty():
        return more
    if more.is_empty():
        return delta
    return (pl.concat([delta, more.select(delta.columns).cast(delta.schema)]).group_by("code", "period")
            .agg(pl.col(k).sum() for k in MEASURE_KEYS).sort("code", "period").select(delta.columns))


# ---------------------------------------------------------------------------------------- writing
def _write(frame: pl.DataFrame, path: Path) -> list[int]:
    """One uncompressed record batch (so the mapped file is one zero-copy chunk); [rows, bytes]."""
    table = frame.rechunk().to_arrow()
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=max(table.num_rows, 1))
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())
    return [table.num_rows, path.stat().st_size]


def _fsync_dir(d: Path) -> None:
    fd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write(settings: Settings, rollups: dict[int, pl.DataFrame], watermark: int, generation: str,
          facts: pl.DataFrame | None = None, facts_version: int | None = None, facts_day: str | None = None) -> str:
    """Write a new copy and make it the live one; returns its name. (Callers hold the lock, or
    are the only writer: the demo generator.)"""
    d = root(settings)
    d.mkdir(parents=True, exist_ok=True)
    name = f"{time.strftime('%Y%m%dT%H%M%S')}-{int(watermark)}-{uuid.uuid4().hex[:6]}"
    tmp = d / f".{name}.tmp"
    tmp.mkdir()
    files = {f"level{lv}": _write(rollups[lv], tmp / f"level{lv}.arrow") for lv in LEVELS}
    meta = {"format": FORMAT, "watermark": int(watermark), "generation": generation, "facts_version": facts_version,
            "facts_day": facts_day, "built_at": clock.now().isoformat(timespec="seconds")}
    if facts is not None:
        files["facts"] = _write(facts.select("code", *FACT_COLUMNS), tmp / "facts.arrow")
    (tmp / "meta.json").write_text(json.dumps({**meta, "files": files}))
    _fsync_dir(tmp)
    tmp.rename(d / name)
    superseded = pointer(d)
    ptr = d / f".{POINTER}.{uuid.uuid4().hex[:6]}"
    ptr.write_text(json.dumps({"name": name, "watermark": int(watermark)}))
    os.replace(ptr, d / POINTER)
    _fsync_dir(d)
    if superseded and (d / superseded).is_dir():
        os.utime(d / superseded)  # its grace period counts from now, when it stopped being the live one
    prune(d)
    return name


def prune(d: Path, grace_s: float = GRACE_S) -> list[str]:
    """Delete superseded copies (and left-over temporary ones) older than `grace_s`; never the live one."""
    live, now, gone = pointer(d), time.time(), []
    for entry in d.iterdir():
        if not entry.is_dir() or entry.name == live or now - entry.stat().st_mtime < grace_s:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        gone.append(entry.name)
    return gone


@contextlib.contextmanager
def _locked(d: Path):
    d.mkdir(parents=True, exist_ok=True)
    with open(d / LOCK, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # released when the file closes (or the process dies)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _cold(settings: Settings, reader: Reader, generation: str) -> tuple[dict[int, pl.DataFrame], int, str]:
    legacy = snapshot.load(snapshot.directory(settings.snapshot_dir, settings.database_url), generation)
    if legacy is not None:  # the Parquet snapshot of an earlier version: converted, not rebuilt
        return legacy[0], legacy[1], "parquet"
    lines = reader.read_bulk(f"SELECT {LINE_COLUMNS} FROM voucher_lines")
    watermark = int(lines["id"].max() or 0) if lines.height else 0
    return all_levels(village_rollup(typed_lines(lines))), watermark, "ledger"


def publish(settings: Settings, today: dt.date | None = None, force: bool = False) -> dict:
    """Bring the live copy up to the database: the ledger lines since its watermark folded in, the
    facts re-read when their version or day changed, a new copy swapped in. Cheap when nothing
    changed (one small read). Returns what it did: {"changed", "name", "watermark", "lines",
    "source" (unchanged|delta|ledger|parquet), "seconds"}."""
    t0 = time.perf_counter()
    day = (today or clock.today()).isoformat()
    reader = Reader(settings.database_url, settings.data_dir)
    d = root(settings)
    with _locked(d):
        wm, fv, generation = db_marks(reader)
        current = open_current(settings, generation)
        if (current is not None and not force and current.watermark >= wm and current.facts is not None
                and current.facts_version == fv and current.facts_day == day):
            prune(d)
            return {"changed": False, "name": current.name, "watermark": current.watermark, "lines": 0,
                    "source": "unchanged", "seconds": round(time.perf_counter() - t0, 3)}
        if current is None:
            rollups, base_wm, source = _cold(settings, reader, generation)
        else:
            rollups, base_wm, source = current.rollups, current.watermark, "delta"
        lines = read_lines(reader, base_wm, wm) if wm > base_wm else typed_lines(pl.DataFrame())
        rollups = overlay(rollups, village_rollup(lines))
        if current is not None and current.facts is not None and current.facts_version == fv \
                and current.facts_day == day:
            facts = current.facts
        else:
            facts = load_facts(reader.read, load_region_tree(settings.province), dt.date.fromisoformat(day))
        name = write(settings, rollups, max(wm, base_wm), generation, facts, fv, day)
    out = {"changed": True, "name": name, "watermark": max(wm, base_wm), "lines": lines.height, "source": source,
           "seconds": round(time.perf_counter() - t0, 3)}
    log.info("columnar copy published: %s", out)
    return out


if __name__ == "__main__":  # `python -m data.query.columnar`: publish for the environment's settings
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(json.dumps(publish(Settings.from_env()), ensure_ascii=False), flush=True)
