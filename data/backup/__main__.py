"""`python -m data.backup`: back up now, list the backups, check one, or restore one (a drill).

    python -m data.backup backup
    python -m data.backup list
    python -m data.backup check 12
    python -m data.backup restore 12 --yes
"""
from __future__ import annotations

import argparse

from settings import Settings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m data.backup", description="数据库备份与恢复演练")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("backup", help="立即备份")
    sub.add_parser("list", help="列出备份")
    p = sub.add_parser("check", help="校验一个备份（不改动数据库）")
    p.add_argument("id", type=int)
    p = sub.add_parser("restore", help="从备份恢复（先备份当前数据，校验失败自动回滚）")
    p.add_argument("id", type=int)
    p.add_argument("--yes", action="store_true", help="确认恢复")
    args = ap.parse_args(argv)
    cfg = Settings.from_env()
    from data.db import transaction, upgrade

    upgrade(cfg.database_url)
    from data.backup import restore, store
    from data.models import Backup

    if args.cmd == "backup":
        row = store.run_backup(cfg, None, "manual")
        print(f"#{row['id']} {row['status_label']} {row['filename']} {row['sha256']}\n{row['check_result']}")
        return 0 if row["status"] == "ok" else 1
    if args.cmd == "list":
        from sqlalchemy import select

        with transaction(cfg.database_url) as s:
            for b in s.scalars(select(Backup).order_by(Backup.id)):
                row = store.backup_row(b)
                print(f"#{row['id']:<5} {row['started_at'][:19]} {row['kind_label']:<6} {row['status_label']:<8} "
                      f"{row['size_bytes']:>12,} {row['sha256'][:16]} {row['filename']}")
        return 0
    if args.cmd == "check":
        with transaction(cfg.database_url) as s:
            b = s.get(Backup, args.id)
        if b is None:
            print(f"备份 #{args.id} 不存在")
            return 1
        checks = restore.Check()
        ok = restore.check_file(cfg, b, checks)
        for c in checks:
            print(f"{'✓' if c['ok'] else '✗'} {c['check']}：{c['detail']}")
        return 0 if ok else 1
    if not args.yes:
        print("恢复会替换当前数据库（恢复前自动备份当前数据）；确认请加 --yes")
        return 2
    row = restore.restore(cfg, None, args.id)
    for c in row["checks"]:
        print(f"{'✓' if c['ok'] else '✗'} {c['check']}：{c['detail']}")
    print(row["result_label"], row["message"])
    return 0 if row["result"] == "restored" else 1


if __name__ == "__main__":
    raise SystemExit(main())
