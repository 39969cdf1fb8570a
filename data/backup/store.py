"""Backups of the database (Art. J37, X20–X21): on demand (a platform administrator) or on the
schedule (data/backup/schedule.py), each checked as it is made and recorded with its manifest:
the file's SHA-256 and size, every table's row count, the security log's head and chain.

Files live in DATA_DIR/backups (`Settings.backup_dir`, mode 0700), outside the web root; no route
serves them. After `backup_keep_days` a file is removed and its record marked expired.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path

from sqlalchemy import insert, select, update

from data.admin import audit_log
from data.backup import engines
from data.db import reading, transaction
from data.models import Backup, RestoreDrill, utcnow
from domain.clock import CST
from domain.labels import ACTORS
from domain.permissions import Action, Actor, ensure
from settings import Settings
from data import forksafe

log = logging.getLogger(__name__)
#: one backup or restore at a time in this process
LOCK = forksafe.Lock()
SYSTEM = "system"
MANIFEST_FORMAT = 1

KIND_LABELS = {"scheduled": "定时备份", "manual": "手动备份", "pre_restore": "恢复前备份"}
STATUS_LABELS = {"ok": "有效", "failed": "失败", "expired": "已过保留期（文件已清理）", "archived": "已归档（异地保存）"}
RESULT_LABELS = {"restored": "恢复成功", "refused": "已拒绝（数据库未改动）", "rolled_back": "校验失败，已回滚",
                 "failed": "失败"}


def backup_dir(cfg: Settings) -> Path:
    d = Path(cfg.backup_dir)
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    return d


def path_of(cfg: Settings, filename: str) -> Path:
    """A backup's file, by its recorded name only (no directories: nothing outside backup_dir)."""
    return Path(cfg.backup_dir) / Path(filename).name


def make_copy(cfg: Settings, kind: str) -> tuple[Path, dict, str]:
    """(file, manifest, check text): a copy of the live database, checked."""
    started = utcnow()
    sqlite = cfg.is_sqlite
    name = f"backup-{cfg.province}-{started.astimezone(CST):%Y%m%dT%H%M%S%f}-{kind}.{'sqlite' if sqlite else 'dump'}"
    path = backup_dir(cfg) / name
    if sqlite:
        engines.sqlite_copy(cfg.database_url, path)
        info = engines.inspect(f"sqlite:///{path}", cfg.audit_key)
        check = f"PRAGMA integrity_check：{info['integrity']}"
    else:
        engines.pg_dump(cfg.database_url, path)
        entries = engines.pg_list(path)
        with engines.pg_scratch(cfg.database_url, path) as scratch:
            info = engines.inspect(scratch, cfg.audit_key)
        check = f"pg_restore --list：{entries} 项；试恢复到临时数据库：成功"
    digest, size = engines.sha256_file(path)
    manifest = {"format": MANIFEST_FORMAT, "engine": "sqlite" if sqlite else "postgresql", "file": name,
                "bytes": size, "sha256": digest, "tables": info["tables"],
                "security_log_head": info["security_log_head"], "security_log_chain": info["chain"],
                "chain_ok": info["chain_ok"], "integrity": info["integrity"], "alembic_version": info["alembic_version"],
                "created_at": started.isoformat(), "kind": kind}
    path.with_name(name + ".manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return path, manifest, check + f"；安全日志链：{info['chain']}"


def run_backup(cfg: Settings, actor: Actor | None = None, kind: str = "manual") -> dict:
    """Back up now; `actor` None is the schedule (or the command line). Returns the record as a row."""
    if actor is not None:
        ensure(actor, Action.BACKUP_RUN)
    with LOCK:
        return backup_held(cfg, actor, kind)


def backup_held(cfg: Settings, actor: Actor | None, kind: str) -> dict:
    """`run_backup` for a caller already holding LOCK (a restore backs up the state before it)."""
    audit_log.use_head_file(cfg.database_url, cfg.data_dir)
    started = utcnow()
    try:
        path, manifest, check = make_copy(cfg, kind)
        ok = manifest["integrity"] == "ok" and manifest["chain_ok"]
        status, filename = ("ok" if ok else "failed"), path.name
    except (engines.BackupError, OSError) as exc:
        log.exception("backup failed")
        manifest, check, status, filename = {}, str(exc)[:1000], "failed", ""
    who, uid = (actor.username, actor.user_id) if actor else (SYSTEM, None)
    with transaction(cfg.database_url) as s:  # the catalogue is append-only: no record history
        row = add(s, Backup, kind=kind, engine="sqlite" if cfg.is_sqlite else "postgresql", filename=filename,
                  size_bytes=manifest.get("bytes", 0), sha256=manifest.get("sha256"), status=status,
                  check_result=check, manifest=manifest, started_at=started, finished_at=utcnow(), by_id=uid,
                  by_name=who, collected_by_id=uid, provided_by=who, responsible_by="省级平台管理员")
        audit_log.record(s, cfg.audit_key, actor=who, actor_id=uid, type="backup",
                         description=f"{KIND_LABELS.get(kind, kind)} #{row.id}：" +
                         (f"{filename}（{manifest['bytes']:,} 字节，SHA-256 {manifest['sha256'][:12]}…）"
                          if status == "ok" else f"失败：{check[:200]}"),
                         result="success" if status == "ok" else "failure",
                         region_code=actor.scope.root if actor else None, ip=actor.ip if actor else None,
                         detail={"backup_id": row.id, "file": filename, "sha256": manifest.get("sha256")})
        out = backup_row(row)
    if kind != "pre_restore":
        prune(cfg)
    return out


def add(s, model, **values):
    """Insert one catalogue row (a sync, backup or drill) and load it. The catalogue is append-only
    and each row is its own history: a plain INSERT, outside the record-history listener, so that a
    restore (which carries the catalogue over) leaves the restored tables exactly as backed up."""
    now = utcnow()
    values = {"created_at": now, "updated_at": now, "version": 1, **values}
    new_id = s.execute(insert(model).values(**values).returning(model.id)).scalar_one()
    return s.get(model, new_id)


def prune(cfg: Settings, now: dt.datetime | None = None) -> int:
    """Remove backup files older than `backup_keep_days` (their records become expired)."""
    cutoff = (now or utcnow()) - dt.timedelta(days=max(1, cfg.backup_keep_days))
    removed = 0
    with transaction(cfg.database_url) as s:
        for bid, filename in s.execute(select(Backup.id, Backup.filename).where(Backup.status == "ok",
                                                                                 Backup.started_at < cutoff)).all():
            if filename:
                p = path_of(cfg, filename)
                p.unlink(missing_ok=True)
                p.with_name(p.name + ".manifest.json").unlink(missing_ok=True)
            s.execute(update(Backup).where(Backup.id == bid).values(status="expired", updated_at=utcnow()))
            removed += 1
    return removed


def backup_row(r: Backup) -> dict:
    head = (r.manifest or {}).get("security_log_head") or {}
    return {"id": r.id, "kind": r.kind, "kind_label": KIND_LABELS.get(r.kind, r.kind), "engine": r.engine,
            "filename": r.filename, "size_bytes": r.size_bytes, "sha256": r.sha256 or "", "status": r.status,
            "status_label": STATUS_LABELS.get(r.status, r.status), "check_result": r.check_result or "",
            "started_at": r.started_at.isoformat(), "by_name": ACTORS.get(r.by_name, r.by_name),
            "tables": len((r.manifest or {}).get("tables") or {}),
            "rows": sum(r.manifest["tables"].values()) if (r.manifest or {}).get("tables") else None,
            "chain_head": f"#{head['id']} {head['mac'][:12]}…" if head else ""}


def drill_row(r: RestoreDrill) -> dict:
    return {"id": r.id, "backup_id": r.backup_id, "pre_backup_id": r.pre_backup_id, "result": r.result,
            "result_label": RESULT_LABELS.get(r.result, r.result), "message": r.message,
            "checks": r.checks or [], "checks_text": "；".join(f"{'✓' if c.get('ok') else '✗'} {c.get('check')}"
                                                               for c in (r.checks or [])),
            "started_at": r.started_at.isoformat(), "by_name": ACTORS.get(r.by_name, r.by_name)}


def list_backups(url: str, actor: Actor, limit: int = 500) -> list[dict]:
    ensure(actor, Action.OPS_VIEW)
    with reading(url) as s:
        return [backup_row(r) for r in s.scalars(select(Backup).order_by(Backup.id.desc()).limit(limit))]


def list_drills(url: str, actor: Actor, limit: int = 200) -> list[dict]:
    ensure(actor, Action.OPS_VIEW)
    with reading(url) as s:
        return [drill_row(r) for r in s.scalars(select(RestoreDrill).order_by(RestoreDrill.id.desc()).limit(limit))]
