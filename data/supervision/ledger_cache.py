"""The warning engine's copy of the raw ledger: a full run reads only what was posted since the last one.

A full run needs ~23M ledger lines and ~12M vouchers at province scale; reading them is most of
its database time (14 of 20 s, see README "Warning engine benchmark"). The ledger is append-only
(a correction is a new voucher; a restore or a regeneration writes a new `ledger_generation`),
the property the query layer's watermark already relies on. So the raw frames a full run read
are kept as Arrow IPC files (LZ4: 320 MB at province scale instead of ~1.1 GB to read back; the
frames are copied into the run's arrays anyway) under DATA_DIR/warning-ledger/<database hash>/ with:

- the ledger generation, the watermarks (the largest line and voucher id included) and a
  fingerprint of the rows at the watermarks (checked against the database: a database swapped
  under the same path with the same generation is caught);
- its age: older than MAX_AGE_S it is read afresh (on PostgreSQL a transaction that took an id
  below the watermark but committed after the read would otherwise be missed; that window is
  bounded by this age).

The next full run maps the files, reads the rows with ids above the watermarks (an id range on
the primary keys: cheap) and appends them; the files are rewritten (write to a temporary name,
`os.replace`) when the delta grew beyond REWRITE_SHARE of them or the copy was read afresh.
Incremental runs (one subtree) never use it.
"""
from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from data.db import url_tag

log = logging.getLogger(__name__)

#: read the whole ledger again after this long (see the module's docstring)
MAX_AGE_S = 6 * 3600
#: rewrite the files when the rows appended since they were written exceed this share
REWRITE_SHARE = 0.02
FORMAT = 1


def directory(data_dir: Path, url: str) -> Path:
    return Path(data_dir) / "warning-ledger" / url_tag(url)


def _marks(read: Callable[[str], pl.DataFrame]) -> dict:
    df = read("SELECT (SELECT COALESCE(MAX(id), 0) FROM voucher_lines) AS lines_wm, "
              "(SELECT COALESCE(MAX(id), 0) FROM vouchers) AS vouchers_wm, "
              "(SELECT value FROM platform_settings WHERE key = 'ledger_generation') AS generation")
    row = df.row(0, named=True)
    gen = row["generation"]
    if isinstance(gen, str):
        gen = json.loads(gen).get("id", gen)
    elif isinstance(gen, dict):
        gen = gen.get("id")
    return {"lines_wm": int(row["lines_wm"] or 0), "vouchers_wm": int(row["vouchers_wm"] or 0),
            "generation": str(gen or "")}


def _fingerprint(read: Callable[[str], pl.DataFrame], lines_wm: int, vouchers_wm: int) -> list:
    a = read(f"SELECT voucher_id, account_code, debit_fen, credit_fen FROM voucher_lines WHERE id = {int(lines_wm)}")
    b = read(f"SELECT org_id, region_code, number FROM vouchers WHERE id = {int(vouchers_wm)}")
    return [list(a.row(0)) if a.height else None, list(b.row(0)) if b.height else None]


def _ranged(sql: str, lo: int, hi: int) -> str:
    """`sql` (ending in a WHERE clause or none, on one table without alias) limited to lo < id ≤ hi."""
    cond = f"id > {int(lo)} AND id <= {int(hi)}"
    return f"{sql} AND {cond}" if " WHERE " in sql else f"{sql} WHERE {cond}"


def load(data_dir: Path, url: str, sqls: dict[str, str],
         read_many: Callable[[dict[str, str], bool], dict[str, pl.DataFrame]], read: Callable[[str], pl.DataFrame],
         timings: dict, bulk_rows: int) -> dict[str, pl.DataFrame]:
    """The raw ledger frames `sqls` names ("ledger_lines", "ledger_arap_lines", "ledger_vouchers";
    each SQL over voucher_lines or vouchers, without a region filter), from the copy plus what
    was posted since, or read whole. `read_many({name: sql}, big)` does the reads (`big`: more
    than `bulk_rows` rows may come), `read(sql)` a small one."""
    d = directory(data_dir, url)
    marks = _marks(read)
    meta_file = d / "meta.json"
    meta = None
    try:
        meta = json.loads(meta_file.read_text())
    except (OSError, ValueError):
        meta = None
    usable = (meta is not None and meta.get("format") == FORMAT and meta.get("generation") == marks["generation"]
              and meta.get("sqls") == sqls and time.time() - float(meta.get("built_at", 0)) < MAX_AGE_S
              and meta["lines_wm"] <= marks["lines_wm"] and meta["vouchers_wm"] <= marks["vouchers_wm"]
              and all((d / f"{n}.arrow").exists() for n in sqls)
              and _fingerprint(read, meta["lines_wm"], meta["vouchers_wm"]) == meta.get("fingerprint"))
    if usable:
        try:
            cached = {n: pl.read_ipc(d / f"{n}.arrow") for n in sqls}
        except Exception:  # a damaged file: read everything again
            log.exception("the warning engine's ledger copy is unreadable; reading the ledger again")
            usable = False
    if usable:
        delta_sql = {n: _ranged(sql, meta["vouchers_wm"] if n == "ledger_vouchers" else meta["lines_wm"],
                                marks["vouchers_wm"] if n == "ledger_vouchers" else marks["lines_wm"])
                     for n, sql in sqls.items()}
        span = max(marks["lines_wm"] - meta["lines_wm"], marks["vouchers_wm"] - meta["vouchers_wm"])
        delta = read_many(delta_sql, span > bulk_rows)
        frames = {n: pl.concat([cached[n], delta[n].cast(cached[n].schema)], how="vertical") if delta[n].height
                  else cached[n] for n in sqls}
        appended = sum(delta[n].height for n in sqls)
        timings["ledger_copy"] = {"used": True, "appended_rows": appended}
        rewrite = appended > REWRITE_SHARE * max(1, sum(cached[n].height for n in sqls))
        built_at = float(meta["built_at"])
    else:
        capped = {n: _ranged(sql, 0, marks["vouchers_wm"] if n == "ledger_vouchers" else marks["lines_wm"])
                  for n, sql in sqls.items()}
        frames = read_many(capped, True)
        timings["ledger_copy"] = {"used": False}
        rewrite, built_at = True, time.time()
    if rewrite:
        try:
            _write(d, frames, {"format": FORMAT, "generation": marks["generation"], "sqls": sqls,
                               "lines_wm": marks["lines_wm"], "vouchers_wm": marks["vouchers_wm"],
                               "fingerprint": _fingerprint(read, marks["lines_wm"], marks["vouchers_wm"]),
                               "built_at": built_at})
        except OSError:
            log.exception("could not write the warning engine's ledger copy (the run goes on without it)")
    return frames


def _write(d: Path, frames: dict[str, pl.DataFrame], meta: dict) -> None:
    d.mkdir(parents=True, exist_ok=True)
    try:  # readers of the old files keep them (mapped, or read whole); the meta names the new ones last
        (d / "meta.json").unlink()
    except FileNotFoundError:
        pass
    for name, frame in frames.items():
        tmp = d / f".{name}.{os.getpid()}.tmp"
        frame.write_ipc(tmp, compression="lz4")
        os.replace(tmp, d / f"{name}.arrow")
    tmp = d / f".meta.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(meta, ensure_ascii=False))
    os.replace(tmp, d / "meta.json")
