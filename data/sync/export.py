"""Sync to the national platform (Art. J26): validate a year's report, write the package to the
outbox, record the sync. Offline by design: "sent" means written to DATA_DIR/outbox, from where
the province's operator hands it to the national platform; nothing here opens a connection.

A village failing a check is listed in the report and left out of the package (the manifest
names it and why); when no village passes, nothing is written and the sync is recorded as blocked.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

from jsonschema import Draft202012Validator
from sqlalchemy import select

from data.admin import audit_log
from data.backup.store import add
from data.db import reading, transaction
from data.errors import AccountError
from data.models import NationalSync, utcnow
from data.regions import load_region_tree
from data.sync import figures
from domain.clock import CST
from domain.permissions import Action, Actor, ensure
from domain.sync.schema import FORMAT_NAME, FORMAT_VERSION, TABLES, all_schemas, manifest_schema
from settings import Settings

STATUS_LABELS = {"sent": "已写入发件箱", "blocked": "已拦截（无村通过校验）", "failed": "失败"}


def _year_ok(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise AccountError({"year": "请选择年度"}) from None
    if not 2000 <= year <= 2100:
        raise AccountError({"year": "年度无效"})
    return year


def validate(cfg: Settings, actor: Actor, year) -> tuple[dict, dict[str, list[dict]]]:
    """(the validation report, the rows of every table) of the actor's region for `year`."""
    ensure(actor, Action.OPS_VIEW)
    year = _year_ok(year)
    tree = load_region_tree(cfg.province)
    region = actor.scope.root
    rows, found, villages = figures.build(figures.read(cfg.database_url, region, year), year, tree)
    return figures.report(found, villages, tree, year, region), {"rows": rows, "found": found}


def _jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
                   for r in rows).encode()


def _entry(name: str, data: bytes, rows: int | None = None) -> dict:
    out = {"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    if rows is not None:
        out["rows"] = rows
    return out


def package(cfg: Settings, report: dict, rows: dict[str, list[dict]], found: dict, now: dt.datetime) -> tuple[bytes, dict]:
    """The zip of the passing villages' rows with its manifest (validated against its own schema)."""
    files: dict[str, bytes] = {}
    tables = []
    schemas = all_schemas()
    for t in TABLES:
        kept = [r for r in rows[t.name] if r["region_code"] not in found]
        files[t.schema_file] = json.dumps(schemas[t.name], ensure_ascii=False, indent=2, sort_keys=True).encode()
        files[t.file] = _jsonl(kept)
        tables.append({**_entry(t.file, files[t.file], len(kept)), "table": t.name, "title": t.title,
                       "schema": t.schema_file})
    files["validation_report.json"] = json.dumps(report, ensure_ascii=False, indent=2).encode()
    manifest = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "province": cfg.province,
                "year": report["year"], "scope_region": report["scope_region"],
                "generated_at": now.astimezone(CST).isoformat(timespec="seconds"),
                "villages": {"total": report["villages_total"], "exported": report["villages_passed"],
                             "excluded": report["villages_failed"]},
                "tables": tables, "files": [_entry(n, b) for n, b in files.items()],
                "excluded": [{"region_code": c, "checks": sorted({p["check"] for p in ps})} for c, ps in sorted(found.items())]}
    Draft202012Validator(manifest_schema()).validate(manifest)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue(), manifest


def export(cfg: Settings, actor: Actor, year) -> dict:
    """Validate, write the package to the outbox, record the sync; returns the record as a row."""
    ensure(actor, Action.SYNC_EXPORT)
    report, data = validate(cfg, actor, year)
    now = utcnow()
    files, name, digest = [], None, None
    status = "blocked" if report["villages_passed"] == 0 else "sent"
    if status == "sent":
        blob, manifest = package(cfg, report, data["rows"], data["found"], now)
        name = f"{FORMAT_NAME}-{cfg.province}-{report['year']}-{now.astimezone(CST):%Y%m%dT%H%M%S%f}.zip"
        out = Path(cfg.outbox_dir)
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / f".{name}.tmp"
        tmp.write_bytes(blob)
        tmp.replace(out / name)
        digest = hashlib.sha256(blob).hexdigest()
        files = manifest["tables"]
    stored = {**report, "problems": report["problems"]}
    with transaction(cfg.database_url) as s:  # the catalogue is append-only: no record history
        row = add(s, NationalSync, year=report["year"], scope_region=report["scope_region"],
                  format_version=FORMAT_VERSION, status=status, villages_total=report["villages_total"],
                  villages_passed=report["villages_passed"], villages_failed=report["villages_failed"], files=files,
                  package_name=name, package_sha256=digest, report=stored, by_id=actor.user_id,
                  by_name=actor.username, at=now, collected_by_id=actor.user_id, provided_by=actor.username,
                  responsible_by="省级平台管理员")
        what = (f"写入发件箱 {name}（{report['villages_passed']} 个村，{report['villages_failed']} 个村未通过校验被排除）"
                if status == "sent" else f"全部 {report['villages_total']} 个村未通过校验，未生成数据包")
        audit_log.record(s, cfg.audit_key, actor=actor.username, actor_id=actor.user_id, type="national_sync",
                         description=f"向全国平台同步{report['year']}年度数据：{what}", result=status,
                         region_code=report["scope_region"], ip=actor.ip,
                         detail={"sync_id": row.id, "package": name, "sha256": digest})
        return _row(row)


def _row(r: NationalSync) -> dict:
    return {"id": r.id, "year": r.year, "scope_region": int(r.scope_region), "status": r.status,
            "status_label": STATUS_LABELS.get(r.status, r.status), "at": r.at.isoformat(),
            "villages_total": r.villages_total, "villages_passed": r.villages_passed,
            "villages_failed": r.villages_failed, "package_name": r.package_name or "",
            "package_sha256": r.package_sha256 or "", "by_name": r.by_name, "format_version": r.format_version,
            "files": r.files or []}


def list_syncs(url: str, actor: Actor, limit: int = 200) -> list[dict]:
    ensure(actor, Action.OPS_VIEW)
    with reading(url) as s:
        return [_row(r) for r in s.scalars(select(NationalSync).order_by(NationalSync.id.desc()).limit(limit))]


def package_file(cfg: Settings, actor: Actor, sync_id: int) -> tuple[str, bytes]:
    """The package of a sync from the outbox (its SHA-256 checked against the record), logged as an export."""
    ensure(actor, Action.SYNC_EXPORT)
    with reading(cfg.database_url) as s:
        r = s.get(NationalSync, sync_id)
        name, digest = (r.package_name, r.package_sha256) if r is not None else (None, None)
    if not name:
        raise AccountError("该同步记录没有数据包")
    path = Path(cfg.outbox_dir) / Path(name).name
    try:
        blob = path.read_bytes()
    except OSError:
        raise AccountError("数据包已不在发件箱中（已报送归档）") from None
    if hashlib.sha256(blob).hexdigest() != digest:
        raise AccountError("数据包校验和与同步记录不符，已拒绝下载")
    audit_log.log_export(cfg.database_url, cfg.audit_key, actor.scope, actor.username, f"国家平台同步数据包 {name}",
                         sum(int(f.get("rows", 0)) for f in (r.files or [])), actor.ip)
    return name, blob
