"""Copies of a test data directory that are consistent while the source is in use.

A file copy of a live SQLite database in WAL mode is not a copy of the database: a checkpoint
between copying the main file and its `-wal` (the session's apps keep connections open: the
in-process job runner polls, the shared store is written by every price or credit page) leaves a
copy that says "database disk image is malformed". So databases are copied with SQLite's backup
API (one consistent snapshot) and their `-wal`/`-shm` are not copied; everything else is copied as
files."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

SIDECARS = ("-wal", "-shm", "-journal")


def copy_entry(src: Path, dst: Path) -> None:
    """One entry of a data directory: a directory (recursively, the same rules), a SQLite
    database (backup API), or a file; a database's -wal/-shm are left out (the backup has them)."""
    if src.is_dir():
        dst.mkdir(parents=True, exist_ok=True)
        for f in src.iterdir():
            copy_entry(f, dst / f.name)
        return
    if src.name.endswith(SIDECARS):
        return
    if src.name.endswith((".sqlite", ".db")):
        source, target = sqlite3.connect(src), sqlite3.connect(dst)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    shutil.copy2(src, dst)


def copy_data_dir(src: Path, src_url: str, dst: Path, dst_url: str) -> None:
    """A consistent copy of data directory `src` (database `src_url`) as `dst` for database
    `dst_url` (the copied database file): every entry named for the source database is renamed for
    the copy, so the copy's app finds its audit head and columnar copy as the source's did."""
    from data.db import url_tag

    old, new = url_tag(src_url), url_tag(dst_url)

    def copy(s: Path, d: Path) -> None:
        if s.is_dir():
            d.mkdir(parents=True, exist_ok=True)
            for f in s.iterdir():
                copy(f, d / f.name.replace(old, new))
        else:
            copy_entry(s, d)

    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        copy(f, dst / f.name.replace(old, new))
