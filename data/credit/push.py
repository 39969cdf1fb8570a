"""The push of public credit data to 信用中国 (双公示, Art. X28): the records of a period in the
field layout of domain.credit.push, validated row by row, written as one package (per table a CSV
and an XLSX, the validation report and a manifest with every file's SHA-256) to the outbox, and
recorded (`credit_pushes`) with the counts, the report and the package's SHA-256.

Offline by design like the national sync: "pushed" means written to DATA_DIR/outbox/credit, from
where the data management unit hands it to 信用中国（江西）; nothing here opens a connection.
The files are rendered by the caller (`render(table, title, fields, rows) -> {name: bytes}`, the
one export writer components.export in the app), so the formula neutralisation is the platform's.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from data.admin import audit_log
from data.db import reading, transaction
from data.errors import AccountError
from data.models import CreditPush, CreditRecord, CreditSubject, utcnow
from data.scoped import scoped
from domain.clock import CST
from domain.credit import push as layout
from domain.permissions import Action, ensure

FORMAT = "jx-forestry-sgs"
VERSION = "1.0.0"
Render = Callable[[str, str, tuple, list[dict]], dict[str, bytes]]


def _day(value, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        raise AccountError({field: "请输入yyyy-mm-dd格式的日期"}) from None


def period_of(date_from, date_to) -> tuple[dt.date, dt.date]:
    lo, hi = _day(date_from, "date_from"), _day(date_to, "date_to")
    if lo > hi:
        raise AccountError({"date_to": "截止日期不能早于起始日期"})
    if (hi - lo).days > 366 * 3:
        raise AccountError({"date_to": "一次推送的期间不能超过三年"})
    return lo, hi


def records(url: str, who, lo: dt.date, hi: dt.date) -> list[dict]:
    """The unconditional-open records decided in [lo, hi] of the caller's jurisdiction, with their subjects."""
    stmt = scoped(select(CreditRecord, CreditSubject.name, CreditSubject.kind, CreditSubject.id_type,
                         CreditSubject.identifier, CreditSubject.legal_rep)
                  .join(CreditSubject, CreditSubject.id == CreditRecord.subject_id)
                  .where(CreditRecord.open_class == "unconditional", CreditRecord.kind.in_(("dishonest", "basic")),
                         CreditRecord.occurred_on.between(lo, hi)).order_by(CreditRecord.id), CreditRecord, who)
    out = []
    with reading(url) as s:
        for rec, name, kind, id_type, identifier, legal_rep in s.execute(stmt):
            out.append({c: getattr(rec, c) for c in ("id", "kind", "subtype", "title", "content", "occurred_on",
                                                      "publicity_until", "amount_fen", "document_no", "produced_by",
                                                      "open_class", "status", "detail")}
                       | {"subject_name": name, "subject_kind": kind, "id_type": id_type, "identifier": identifier,
                          "legal_rep": legal_rep})
    return out


def validate(url: str, who, date_from, date_to) -> dict:
    """The validation report of a period before anything is written: rows per table, rejections."""
    ensure(who, Action.CREDIT_PUSH_EXPORT)
    lo, hi = period_of(date_from, date_to)
    result = layout.validate(records(url, who, lo, hi))
    return {**result, "period_from": lo.isoformat(), "period_to": hi.isoformat()}


def _text_rows(rows: list[dict]) -> list[dict]:
    return [{k: format(v, "f") if isinstance(v, Decimal) else ("" if v is None else v) for k, v in r.items()} for r in rows]


def _entry(name: str, data: bytes, rows: int | None = None) -> dict:
    out = {"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    return out if rows is None else {**out, "rows": rows}


def generate(cfg, who, date_from, date_to, render: Render) -> dict:
    """Validate, write the package to the outbox, record the push; returns it as a row."""
    ensure(who, Action.CREDIT_PUSH_EXPORT)
    result = validate(cfg.database_url, who, date_from, date_to)
    now = utcnow()
    files: dict[str, bytes] = {}
    tables = []
    for code, (title, fields) in layout.TABLES.items():
        rows = _text_rows(result["rows"][code])
        made = render(code, title, fields, rows)
        files.update(made)
        tables += [{**_entry(n, b, len(rows)), "table": code, "title": title} for n, b in made.items()]
    report = {"period_from": result["period_from"], "period_to": result["period_to"], "counts": result["counts"],
              "rejected": result["rejected"]}
    files["validation_report.json"] = json.dumps(report, ensure_ascii=False, indent=2).encode()
    manifest = {"format": FORMAT, "format_version": VERSION, "generated_at": now.astimezone(CST).isoformat(timespec="seconds"),
                "period": [result["period_from"], result["period_to"]], "region": who.scope.root, "tables": tables,
                "files": [_entry(n, b) for n, b in files.items()],
                "fields": {c: [f.code for f in fs] for c, (_, fs) in layout.TABLES.items()}}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        for name, data in files.items():
            z.writestr(name, data)
    blob = buf.getvalue()
    name = f"{FORMAT}-{result['period_from']}-{result['period_to']}-{now.astimezone(CST):%Y%m%dT%H%M%S%f}.zip"
    out = Path(cfg.outbox_dir) / "credit"
    out.mkdir(parents=True, exist_ok=True)
    (out / f".{name}.tmp").write_bytes(blob)
    (out / f".{name}.tmp").replace(out / name)
    digest = hashlib.sha256(blob).hexdigest()
    with transaction(cfg.database_url) as s:
        row = CreditPush(region_code=who.scope.root, period_from=dt.date.fromisoformat(result["period_from"]),
                         period_to=dt.date.fromisoformat(result["period_to"]), counts=result["counts"], report=report,
                         package_name=name, package_sha256=digest, by_id=who.user_id, by_name=who.username, at=now)
        s.add(row)
        s.flush()
        c = result["counts"]
        audit_log.record(s, cfg.audit_key, actor=who.username, actor_id=who.user_id, type="credit_push",
                         description=f"生成双公示推送数据包 {name}：行政许可{c['XK']['pushed']}条、"
                                     f"行政处罚{c['CF']['pushed']}条，"
                                     f"未通过校验{len(result['rejected'])}条", result="success",
                         region_code=who.scope.root, ip=getattr(who, "ip", None),
                         detail={"push_id": row.id, "sha256": digest})
        return _row(row)


def _row(r: CreditPush) -> dict:
    return {"id": r.id, "period_from": r.period_from, "period_to": r.period_to, "counts": r.counts, "report": r.report,
            "package_name": r.package_name, "package_sha256": r.package_sha256, "by_name": r.by_name, "at": r.at,
            "pushed": sum(v["pushed"] for v in r.counts.values()), "rejected": sum(v["rejected"] for v in r.counts.values())}


def pushes(url: str, who, limit: int = 200) -> list[dict]:
    ensure(who, Action.CREDIT_PUSH_EXPORT)
    with reading(url) as s:
        return [_row(r) for r in s.scalars(scoped(select(CreditPush), CreditPush, who)
                                           .order_by(CreditPush.id.desc()).limit(limit))]


def package_file(cfg, who, push_id) -> tuple[str, bytes]:
    """A recorded push's package from the outbox (its SHA-256 checked against the record), logged."""
    ensure(who, Action.CREDIT_PUSH_EXPORT)
    with reading(cfg.database_url) as s:
        r = s.get(CreditPush, int(push_id))
        if r is None or not who.scope.contains(r.region_code):
            raise AccountError("该推送记录不存在或不在您的管辖范围内")
        name, digest, rows = r.package_name, r.package_sha256, sum(v["pushed"] for v in r.counts.values())
    try:
        blob = (Path(cfg.outbox_dir) / "credit" / Path(name).name).read_bytes()
    except OSError:
        raise AccountError("数据包已不在发件箱中（已报送归档）") from None
    if hashlib.sha256(blob).hexdigest() != digest:
        raise AccountError("数据包校验和与推送记录不符，已拒绝下载")
    audit_log.log_export(cfg.database_url, cfg.audit_key, who.scope, who.username, f"双公示推送数据包 {name}", rows,
                         getattr(who, "ip", None))
    return name, blob
