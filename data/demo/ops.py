"""Demo operations history: a year of daily backups and monthly restore drills, and last year's sync
to the national platform, as records only (a few hundred rows; no files are made). Backups past
the keep period are expired (their files removed, as `data.backup.store.prune` does); the recent
ones are marked archived (kept off this machine), so nothing claims a file that is not there. A
real backup made in the app is the one that can be restored."""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Engine, insert, select

from data.models import Backup, NationalSync, RestoreDrill, User
from domain.clock import CST
from domain.sync.schema import FORMAT_NAME, FORMAT_VERSION, TABLES

KEEP_DAYS = 30


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _record(at: dt.datetime, who: str) -> dict:
    return {"created_at": at, "updated_at": at, "version": 1, "collected_by_id": None, "provided_by": who,
            "responsible_by": "省级平台管理员"}


def generate_ops(engine: Engine, today: dt.date, *, sqlite: bool, province: int, villages: int) -> dict:
    """Write the demo's backups, drills and sync record; returns how many of each."""
    with engine.connect() as c:
        admin = c.execute(select(User.id).where(User.username == "demo-admin")).scalar()
    kind_engine = "sqlite" if sqlite else "postgresql"
    check = ("PRAGMA integrity_check：ok" if sqlite else "pg_restore --list：412 项；试恢复到临时数据库：成功")
    backups, drills = [], []
    next_id = 1
    for back in range(365, 0, -1):
        day = today - dt.timedelta(days=back)
        at = dt.datetime.combine(day, dt.time(2, 30), CST).astimezone(dt.UTC)
        failed = back in (200, 77)
        size = 0 if failed else 180_000_000 + (365 - back) * 150_000
        head = {"id": 4000 + (365 - back) * 37, "mac": _sha(f"head-{day}")}
        status = "failed" if failed else ("expired" if back > KEEP_DAYS else "archived")
        backups.append({**_record(at, "system"), "id": next_id, "kind": "scheduled", "engine": kind_engine,
                        "filename": "" if failed else f"backup-{province}-{day:%Y%m%d}T023000000000-scheduled."
                                                      f"{'sqlite' if sqlite else 'dump'}",
                        "size_bytes": size, "sha256": None if failed else _sha(f"backup-{day}"), "status": status,
                        "check_result": "备份失败：磁盘空间不足（已告警并清理）" if failed else f"{check}；安全日志链：完整",
                        "manifest": {} if failed else {"format": 1, "engine": kind_engine, "bytes": size,
                                                        "security_log_head": head, "demo": True},
                        "started_at": at, "finished_at": at + dt.timedelta(minutes=3), "by_id": None, "by_name": "system"})
        next_id += 1
        if day.day == 15:  # a drill every month: the previous night's backup restored, a backup taken first
            source = next_id - 1
            pre_at = at + dt.timedelta(hours=8)
            backups.append({**_record(pre_at, "demo-admin"), "id": next_id, "kind": "pre_restore",
                            "engine": kind_engine, "filename": f"backup-{province}-{day:%Y%m%d}T103000000000-pre_restore."
                                                              f"{'sqlite' if sqlite else 'dump'}",
                            "size_bytes": size + 40_000, "sha256": _sha(f"pre-{day}"),
                            "status": "expired" if back > KEEP_DAYS else "archived", "check_result": f"{check}；安全日志链：完整",
                            "manifest": {"format": 1, "engine": kind_engine, "bytes": size + 40_000,
                                         "security_log_head": head, "demo": True},
                            "started_at": pre_at, "finished_at": pre_at + dt.timedelta(minutes=3), "by_id": admin,
                            "by_name": "demo-admin"})
            result = "refused" if day.month == 4 else "rolled_back" if day.month == 8 else "restored"
            checks = [{"check": "SHA-256 与记录一致", "ok": result != "refused", "detail": ""},
                      {"check": "备份各表行数与清单一致", "ok": True, "detail": ""}]
            if result != "refused":
                checks += [{"check": "恢复前备份当前数据", "ok": True, "detail": f"#{next_id}"},
                           {"check": "恢复后各表行数与备份清单一致", "ok": result == "restored", "detail": ""},
                           {"check": "恢复后安全日志链与签名链头", "ok": True, "detail": ""}]
            message = {"restored": f"已从备份 #{source} 恢复并通过校验（恢复前的数据已备份为 #{next_id}）",
                       "refused": f"备份 #{source} 未通过校验，已拒绝恢复，数据库未改动",
                       "rolled_back": f"恢复后校验未通过，已回滚到恢复前备份 #{next_id}，数据库与恢复前一致"}[result]
            drills.append({**_record(pre_at, "demo-admin"), "backup_id": source,
                           "pre_backup_id": None if result == "refused" else next_id, "result": result, "checks": checks,
                           "message": message, "started_at": pre_at, "finished_at": pre_at + dt.timedelta(minutes=9),
                           "by_id": admin, "by_name": "demo-admin"})
            next_id += 1
    sync_day = dt.date(today.year, 3, 20)
    syncs = []
    if sync_day <= today:
        at = dt.datetime.combine(sync_day, dt.time(10, 0), CST).astimezone(dt.UTC)
        files = [{"name": t.file, "table": t.name, "title": t.title, "rows": villages, "bytes": villages * 400,
                  "sha256": _sha(f"{t.name}-{today.year - 1}"), "schema": t.schema_file} for t in TABLES]
        syncs.append({**_record(at, "demo-admin"), "year": today.year - 1, "scope_region": province * 10**10,
                      "format_version": FORMAT_VERSION, "status": "sent", "villages_total": villages,
                      "villages_passed": villages, "villages_failed": 0, "files": files,
                      "package_name": f"{FORMAT_NAME}-{province}-{today.year - 1}-{sync_day:%Y%m%d}T100000000000.zip",
                      "package_sha256": _sha(f"package-{today.year - 1}"),
                      "report": {"year": today.year - 1, "villages_total": villages, "villages_passed": villages,
                                 "villages_failed": 0, "problems": [], "problems_total": 0, "ok": True},
                      "by_id": admin, "by_name": "demo-admin", "at": at})
    with engine.begin() as c:
        c.execute(insert(Backup), backups)
        c.execute(insert(RestoreDrill), drills)
        if syncs:
            c.execute(insert(NationalSync), syncs)
        if engine.dialect.name == "postgresql":
            from sqlalchemy import text

            c.execute(text("SELECT setval(pg_get_serial_sequence('backups', 'id'), (SELECT MAX(id) FROM backups))"))
    return {"backups": len(backups), "drills": len(drills), "syncs": len(syncs)}
