"""Restoring a backup (a restore drill, Art. J37, X20–X21), in this order:

1. the file is checked against its record before anything is touched: present, the recorded size
   and SHA-256; then read from a scratch copy (SQLite: a copy of the file; PostgreSQL:
   `pg_restore --list` and a restore into a temporary database): integrity, every table's row
   count and the security-log chain and head against the manifest. Any difference refuses the
   restore and the database stays exactly as it was;
2. the current state is backed up (a `pre_restore` backup);
3. the backup is applied (SQLite's backup API into the live file; `pg_restore --clean
   --single-transaction`), with every pooled connection closed before and after, and the schema
   brought to the code's migrations;
4. what a restore never rewinds is carried over from before it: the security log (with its
   retention anchor; it records what happened, including this restore), the catalogue of syncs,
   backups and drills, and the sessions of users the backup knows;
5. the result is verified: SQLite's integrity check, every other table's row count against the
   manifest, the security log's chain against its signed head. If that fails, the pre-restore
   backup is applied the same way (rolled back) and verified in turn.
Every drill is recorded with each check and its result.
"""
from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import delete, func, insert, select, text

from data.admin import audit_log
from data.backup import engines, store
from data.db import reading, transaction, upgrade
from data.models import Backup, Base, RestoreDrill, Setting, User, utcnow
from domain.permissions import Action, Actor, ensure
from settings import Settings

#: carried over a restore, in insert order (deleted in reverse); the runtime tables (issue 17: the
#: job queue — a restore may itself run while jobs wait or run —, the job process's lease, the
#: shared state of the web workers) describe the running platform, not its data
CARRIED = ("backups", "restore_drills", "national_syncs", "user_sessions", "audit_log", "jobs", "job_locks",
           "shared_state")
#: columns naming a user, cleared on carried rows whose user the restored database does not know
USER_COLUMNS = ("by_id", "collected_by_id")


class Check(list):
    """The drill's checks in order: add(name, ok, detail)."""

    def add(self, name: str, ok: bool, detail: str = "") -> bool:
        self.append({"check": name, "ok": bool(ok), "detail": detail[:500]})
        return bool(ok)


def _expected(manifest: dict, found: dict, checks: Check, where: str) -> bool:
    """The copy holds what the manifest says: integrity, row counts, the log's chain and head."""
    ok = checks.add(f"{where}完整性检查", found["integrity"] == "ok", found["integrity"])
    diff = {t: (n, found["tables"].get(t)) for t, n in manifest.get("tables", {}).items() if found["tables"].get(t) != n}
    ok &= checks.add(f"{where}各表行数与清单一致", not diff,
                     "；".join(f"{t}: 清单 {a}，实际 {b}" for t, (a, b) in list(diff.items())[:5]) or
                     f"{len(manifest.get('tables', {}))} 张表")
    ok &= checks.add(f"{where}安全日志链", found["chain_ok"], found["chain"])
    ok &= checks.add(f"{where}安全日志链头与清单一致", found["security_log_head"] == manifest.get("security_log_head"),
                     str(found["security_log_head"]))
    return ok


def check_file(cfg: Settings, b: Backup, checks: Check) -> bool:
    """Step 1: the file against its record, then its content from a scratch copy."""
    path = store.path_of(cfg, b.filename or "")
    if not checks.add("备份记录有效", b.status == "ok" and bool(b.filename), store.STATUS_LABELS.get(b.status, b.status)):
        return False
    if not checks.add("备份文件存在", path.is_file(), path.name):
        return False
    digest, size = engines.sha256_file(path)
    if not checks.add("文件大小与记录一致", size == b.size_bytes, f"记录 {b.size_bytes:,} 字节，实际 {size:,} 字节"):
        return False
    if not checks.add("SHA-256 与记录一致", digest == b.sha256, f"实际 {digest[:16]}…"):
        return False
    try:
        if cfg.is_sqlite:
            with engines.sqlite_scratch(path, Path(cfg.backup_dir)) as scratch:
                found = engines.inspect(scratch, cfg.audit_key)
        else:
            checks.add("pg_restore --list", True, f"{engines.pg_list(path)} 项")
            with engines.pg_scratch(cfg.database_url, path) as scratch:
                found = engines.inspect(scratch, cfg.audit_key)
    except engines.BackupError as exc:
        return checks.add("读取备份内容", False, str(exc))
    return _expected(b.manifest or {}, found, checks, "备份")


def _carried(url: str) -> dict[str, list[dict]]:
    with reading(url) as s:
        out = {name: [dict(r) for r in s.execute(select(Base.metadata.tables[name])).mappings()] for name in CARRIED}
        anchor = s.get(Setting, engines.ANCHOR_KEY)
        out["anchor"] = [{"key": anchor.key, "value": anchor.value}] if anchor else []
    return out


def _put_back(url: str, carried: dict[str, list[dict]]) -> None:
    """Step 4: the carried tables as they were before the restore; a new ledger generation, so every
    query layer rebuilds its roll-ups from the restored ledger."""
    with transaction(url) as s:
        postgres = s.get_bind().dialect.name == "postgresql"
        users = set(s.scalars(select(User.id)))
        if postgres:  # the security log's append-only trigger lets this transaction replace it
            s.execute(text("SET LOCAL platform.audit_purge = 'on'"))
        for name in reversed(CARRIED):
            s.execute(delete(Base.metadata.tables[name]))
        for name in CARRIED:
            rows = carried[name]
            if name == "user_sessions":
                rows = [r for r in rows if r["user_id"] in users]
            else:
                rows = [{**r, **{c: None for c in USER_COLUMNS if c in r and r[c] is not None and r[c] not in users}}
                        for r in rows]
            for i in range(0, len(rows), 5000):
                s.execute(insert(Base.metadata.tables[name]), rows[i:i + 5000])
        s.execute(delete(Setting).where(Setting.key == engines.ANCHOR_KEY))
        for a in carried["anchor"]:
            s.add(Setting(key=a["key"], value=a["value"]))
        s.merge(Setting(key="ledger_generation", value={"id": uuid.uuid4().hex}))
        if postgres:
            s.execute(text("SET LOCAL platform.audit_purge = 'off'"))
            for name in ("backups", "restore_drills", "national_syncs", "audit_log", "jobs"):  # serials after explicit ids
                s.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                               f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))


def _apply(cfg: Settings, path: Path) -> None:
    (engines.sqlite_apply if cfg.is_sqlite else engines.pg_apply)(path, cfg.database_url)
    upgrade(cfg.database_url)


def verify_restored(cfg: Settings, manifest: dict, checks: Check) -> bool:
    """Step 5: the live database after the restore holds the backup (carried tables aside)."""
    found = engines.inspect(cfg.database_url, cfg.audit_key)
    ok = checks.add("恢复后完整性检查", found["integrity"] == "ok", found["integrity"])
    diff = {t: (n, found["tables"].get(t)) for t, n in manifest.get("tables", {}).items()
            if t not in CARRIED and found["tables"].get(t) != n}
    ok &= checks.add("恢复后各表行数与备份清单一致", not diff,
                     "；".join(f"{t}: 清单 {a}，实际 {b}" for t, (a, b) in list(diff.items())[:5]) or "一致")
    with transaction(cfg.database_url) as s:
        chain = audit_log.verify(s, cfg.audit_key)
    ok &= checks.add("恢复后安全日志链与签名链头", chain.ok, chain.message())
    return ok


def restore(cfg: Settings, actor: Actor | None, backup_id: int) -> dict:
    """Restore backup `backup_id` (a drill); returns the drill record as a row. `actor` None: the
    command line."""
    if actor is not None:
        ensure(actor, Action.BACKUP_RESTORE)
    if not store.LOCK.acquire(blocking=False):
        raise engines.BackupError("另一个备份或恢复正在进行，请稍后再试")
    try:
        return _restore_locked(cfg, actor, backup_id)
    finally:
        store.LOCK.release()


def _restore_locked(cfg: Settings, actor: Actor | None, backup_id: int) -> dict:
    audit_log.use_head_file(cfg.database_url, cfg.data_dir)
    started, checks, pre_id = utcnow(), Check(), None
    with transaction(cfg.database_url) as s:
        b = s.get(Backup, backup_id)
    if b is None:
        checks.add("备份记录存在", False, f"#{backup_id}")
        result, message = "refused", f"备份 #{backup_id} 不存在"
    elif not check_file(cfg, b, checks):
        result, message = "refused", f"备份 #{b.id} 未通过校验，已拒绝恢复，数据库未改动"
    else:
        pre = store.backup_held(cfg, actor, "pre_restore")
        pre_id = pre["id"]
        if not checks.add("恢复前备份当前数据", pre["status"] == "ok", f"#{pre_id} {pre['filename']}"):
            result, message = "refused", "无法备份当前数据，已取消恢复，数据库未改动"
        else:
            carried = _carried(cfg.database_url)  # with the pre-restore backup's own record and log entry
            result, message = _apply_and_verify(cfg, b, pre, carried, checks)
    return _record(cfg, actor, backup_id if b is not None else None, pre_id, result, message, checks, started)


def _apply_and_verify(cfg: Settings, b: Backup, pre: dict, carried: dict, checks: Check) -> tuple[str, str]:
    try:
        _apply(cfg, store.path_of(cfg, b.filename))
        _put_back(cfg.database_url, carried)
        ok = verify_restored(cfg, b.manifest or {}, checks)
    except Exception as exc:  # whatever went wrong, the previous state comes back
        ok = checks.add("应用备份", False, str(exc)[:300])
    if ok:
        return "restored", f"已从备份 #{b.id} 恢复并通过校验（恢复前的数据已备份为 #{pre['id']}）"
    with transaction(cfg.database_url) as s:
        pre_manifest = s.get(Backup, pre["id"]).manifest
    try:
        _apply(cfg, store.path_of(cfg, pre["filename"]))
        _put_back(cfg.database_url, carried)
        back = verify_restored(cfg, pre_manifest, checks)
    except Exception as exc:
        back = checks.add("回滚到恢复前备份", False, str(exc)[:300])
    if back:
        return "rolled_back", f"恢复后校验未通过，已回滚到恢复前备份 #{pre['id']}，数据库与恢复前一致"
    return "failed", f"恢复后校验未通过，回滚也未通过校验：请立即人工处理（恢复前备份 #{pre['id']}）"


def _record(cfg, actor, backup_id, pre_id, result, message, checks, started) -> dict:
    who, uid = (actor.username, actor.user_id) if actor else (store.SYSTEM, None)
    with transaction(cfg.database_url) as s:  # the catalogue is append-only: no record history
        if uid is not None and s.get(User, uid) is None:
            uid = None
        row = store.add(s, RestoreDrill, backup_id=backup_id, pre_backup_id=pre_id, result=result,
                        checks=list(checks), message=message, started_at=started, finished_at=utcnow(), by_id=uid,
                        by_name=who, collected_by_id=uid, provided_by=who, responsible_by="省级平台管理员")
        audit_log.record(s, cfg.audit_key, actor=who, actor_id=uid, type="restore",
                         description=f"恢复演练 #{row.id}（备份 #{backup_id}）：{message}",
                         result="success" if result == "restored" else "failure",
                         region_code=actor.scope.root if actor else None, ip=actor.ip if actor else None,
                         detail={"drill_id": row.id, "backup_id": backup_id, "pre_backup_id": pre_id, "result": result})
        return store.drill_row(row)


def counts(url: str) -> dict[str, int]:
    """Every model table's row count (for tests and the command line)."""
    with transaction(url) as s:
        return {t.name: int(s.scalar(select(func.count()).select_from(t))) for t in Base.metadata.sorted_tables}

