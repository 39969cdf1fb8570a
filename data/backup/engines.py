"""The two engines' copies: SQLite through its online backup API (`sqlite3.Connection.backup`) and
`PRAGMA integrity_check`; PostgreSQL through `pg_dump -Fc`, checked with `pg_restore --list` and a
scratch restore into a temporary database. `inspect` reads what a manifest holds from a copy:
every table's row count, the security log's head (last id and MAC) and whether its chain holds."""
from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, inspect as sa_inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from data.db import engine_for, sqlite_path
from data.models import AuditLog, Setting
from domain.admin import audit

#: the retention anchor of the security log (data.admin.audit_log)
ANCHOR_KEY = "audit_anchor"


class BackupError(RuntimeError):
    """A copy could not be made, read or applied (the message is Chinese)."""


def sha256_file(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def forget_engines(url: str) -> None:
    """Close every pooled connection to `url` and drop the cached engine: the next use reconnects
    to whatever the database now holds (data.db's engine cache)."""
    engine_for(url).dispose()
    engine_for.cache_clear()


# ---------------------------------------------------------------- SQLite


def sqlite_copy(url: str, dest: Path) -> None:
    """An online, consistent copy of the live database into `dest` (a rollback-journal file)."""
    src = sqlite3.connect(sqlite_path(url), timeout=30)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def sqlite_apply(src_path: Path, url: str) -> None:
    """Replace the live database's content with `src_path`'s, through the backup API (the live
    file stays in place, its WAL mode too); every pooled connection is closed before and after."""
    forget_engines(url)
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True)
    dst = sqlite3.connect(sqlite_path(url), timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    forget_engines(url)


@contextlib.contextmanager
def sqlite_scratch(path: Path, work_dir: Path):
    """A throw-away copy of a backup file to read (reading never touches the backup itself)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    scratch = work_dir / f".scratch-{uuid.uuid4().hex}.sqlite"
    shutil.copyfile(path, scratch)
    try:
        yield f"sqlite:///{scratch}"
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)


# ---------------------------------------------------------------- PostgreSQL


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    path = found[-1] if found else shutil.which(name)
    if not path:
        raise BackupError(f"找不到 PostgreSQL 工具 {name}")
    return path


def _pg_conn(url: str) -> tuple[list[str], dict, str]:
    """(connection arguments, environment, database name): the password goes in the environment,
    never on the command line."""
    u = make_url(url)
    args = []
    if u.host:
        args += ["-h", u.host]
    if u.port:
        args += ["-p", str(u.port)]
    if u.username:
        args += ["-U", u.username]
    env = {**os.environ, **({"PGPASSWORD": u.password} if u.password else {})}
    return args, env, u.database or ""


def _run(cmd: list[str], env: dict, what: str) -> str:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupError(f"{what}失败：{(proc.stderr or proc.stdout).strip()[-400:]}")
    return proc.stdout


def pg_dump(url: str, dest: Path) -> None:
    args, env, db = _pg_conn(url)
    _run([pg_bin("pg_dump"), "-Fc", "--no-owner", "-f", str(dest), *args, db], env, "pg_dump 备份")


def pg_list(path: Path) -> int:
    """`pg_restore --list`: the number of entries of the archive's table of contents."""
    out = _run([pg_bin("pg_restore"), "--list", str(path)], dict(os.environ), "pg_restore --list 读取备份")
    entries = [line for line in out.splitlines() if line.strip() and not line.startswith(";")]
    if not entries:
        raise BackupError("备份文件目录为空")
    return len(entries)


def _admin(url: str, sql: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as c:
            c.execute(text(sql))
    finally:
        engine.dispose()


@contextlib.contextmanager
def pg_scratch(url: str, path: Path):
    """The archive restored into a temporary database on the same server (dropped afterwards)."""
    name = f"scratch_{uuid.uuid4().hex[:12]}"
    _admin(url, f'CREATE DATABASE "{name}"')
    scratch = make_url(url).set(database=name).render_as_string(hide_password=False)
    try:
        args, env, _ = _pg_conn(url)
        _run([pg_bin("pg_restore"), "--no-owner", "--exit-on-error", "-d", name, *args, str(path)], env,
             "试恢复到临时数据库")
        yield scratch
    finally:
        _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def partitions_first(listing: str) -> str:
    """`pg_restore --list` reordered for `--clean` over partitioned tables (the ledger, migration
    0023): the keys and indexes of the partitions come before their parents' ones.

    pg_restore drops in the reverse order of the list; in pg_dump's order a partition's primary
    key or index (attached to its parent's) would be dropped first, which PostgreSQL refuses
    ("cannot drop inherited constraint"). Reordered, the parent's key or index goes first and
    takes its partitions' with it (their own drops are IF EXISTS no-ops); creating them in this
    order is as valid (each partition's, then the parent's ON ONLY, then the ATTACH entries)."""
    lines = listing.splitlines()

    def entry(line: str) -> list[str]:
        return [] if line.startswith(";") or ";" not in line else line.split(";", 1)[1].split()

    attached = {e[5] for e in map(entry, lines) if e[2:4] == ["INDEX", "ATTACH"] and len(e) > 5}

    def child_part(e: list[str]) -> bool:
        return ((e[2:3] == ["INDEX"] and e[3:4] != ["ATTACH"] and e[4:5] and e[4] in attached)
                or (e[2:3] == ["CONSTRAINT"] and len(e) > 5 and e[5] in attached))

    moved = [line for line in lines if child_part(entry(line))]
    if not moved:
        return listing
    rest = [line for line in lines if not child_part(entry(line))]
    at = next(i for i, line in enumerate(rest) if entry(line)[2:3] in (["CONSTRAINT"], ["INDEX"]))
    return "\n".join(rest[:at] + moved + rest[at:]) + "\n"


def pg_apply(path: Path, url: str) -> None:
    """Replace the live database's objects with the archive's, in one transaction (all or nothing)."""
    forget_engines(url)
    args, env, db = _pg_conn(url)
    listing = _run([pg_bin("pg_restore"), "--list", str(path)], dict(os.environ), "pg_restore --list 读取备份")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            order = Path(tmp) / "restore.list"
            order.write_text(partitions_first(listing), encoding="utf-8")
            _run([pg_bin("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                  "--exit-on-error", "-L", str(order), "-d", db, *args, str(path)], env, "pg_restore 恢复")
    finally:
        forget_engines(url)


# ---------------------------------------------------------------- what a copy holds


def inspect(url: str, key: str) -> dict:
    """Row counts of every table, the security log's head and chain, SQLite's integrity check."""
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            integrity = "ok"
            if engine.dialect.name == "sqlite":
                found = [r[0] for r in c.execute(text("PRAGMA integrity_check")).all()]
                integrity = "ok" if found == ["ok"] else "；".join(found[:5])
            names = sorted(sa_inspect(c).get_table_names())
            if engine.dialect.name == "postgresql":  # a partitioned table's rows are counted once, on it
                parts = set(c.execute(text("SELECT relname FROM pg_class WHERE relispartition "
                                           "AND pg_table_is_visible(oid)")).scalars())
                names = [n for n in names if n not in parts]
            counts = {n: int(c.execute(text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one()) for n in names}
            alembic = c.execute(text("SELECT version_num FROM alembic_version")).scalar() if "alembic_version" in names else None
        head, chain = None, audit.Verification(True, 0)
        if "audit_log" in names:
            with Session(engine) as s:
                last = s.execute(select(AuditLog.id, AuditLog.mac).order_by(AuditLog.id.desc()).limit(1)).first()
                head = {"id": int(last[0]), "mac": last[1]} if last else None
                anchor = s.get(Setting, ANCHOR_KEY)
                rows = s.scalars(select(AuditLog).order_by(AuditLog.id).execution_options(yield_per=2000))
                chain = audit.verify_chain(rows, key, anchor.value if anchor else None)
        return {"integrity": integrity, "tables": counts, "security_log_head": head, "chain_ok": chain.ok,
                "chain": chain.message(), "alembic_version": alembic}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份文件无法读取：{exc}") from exc
    except Exception as exc:
        if isinstance(exc, BackupError):
            raise
        raise BackupError(f"备份内容无法读取：{str(exc)[:300]}") from exc
    finally:
        engine.dispose()
