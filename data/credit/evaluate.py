"""Storing credit evaluations (信用评价): one subject's after a change, or the whole population's.

- `reevaluate(session, subject_ids, as_of, reason, always=False)`: inside the caller's transaction
  (call it after any write that changes a subject's records, in the same transaction): loads the
  subjects' records and repayments, scores them with `domain.credit.scoring.evaluate`, and for
  each subject whose result changed — score, grade or unrated differ from the stored ones, or it
  was never evaluated — updates `credit_subjects` (score, grade, unrated, evaluated_at) and
  appends a `credit_scores` row with the factors. `always=True` (a credit repair, a correction)
  appends the row even when the score is unchanged, so the history shows the event; the subject's
  `evaluated_at` is set for every subject evaluated. The update is a plain UPDATE (no version
  bump: the score is the platform's, not an edit a person could collide with).
- `reevaluate_all(url, as_of, progress=None) -> {"count", "changed", "seconds", "grades"}`: the
  whole population, vectorised (`data.credit.vectorised`, the same model and arithmetic), read
  Arrow-native (`data.query.reads.Reader.read_bulk`: connectorx, on SQLite in a child process) and
  written in bulk (executemany in batches, one transaction) with the same rule for what is stored.
  A subject re-evaluated by a write since the read began (its `evaluated_at` later than the run's
  start) keeps that newer result: the run skips it (`skipped`).
- `evaluate_population(url, key, actor, as_of, progress=None)`: `reevaluate_all` for the data unit's
  button (Action.CREDIT_EVALUATE), with its security-log entry.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl
from sqlalchemy import JSON, Text, bindparam, cast, insert, select, update

from data.admin import audit_log
from data.db import transaction
from data.models import CreditRecord, CreditRepayment, CreditScore, CreditSubject, utcnow
from domain.credit import scoring
from domain.permissions import Action, ensure

REASONS = {"record_changed": "信用记录变更", "batch": "全量重新评价", "repair": "信用修复", "scheduled": "定期评价",
           "correction": "数据修正"}
BATCH = 20_000
_RECORD_COLS = ("id", "subject_id", "kind", "subtype", "severity", "occurred_on", "publicity_until", "status", "ended_on")
_REPAY_COLS = ("record_id", "due_on", "due_fen", "paid_on", "paid_fen")
Progress = Callable[[int, str], None]
#: the project root: `evaluate_population` runs `python -m data.credit.evaluate` from here
ROOT = Path(__file__).resolve().parents[2]


def _subject_rows(session, ids: list[int]) -> dict[int, dict]:
    t = CreditSubject.__table__
    q = select(t.c.id, t.c.region_code, t.c.score, t.c.grade, t.c.unrated, t.c.evaluated_at).where(t.c.id.in_(ids))
    return {r.id: dict(r._mapping) for r in session.execute(q)}


def changed(old: dict, score, grade, unrated) -> bool:
    """Is the new result worth a history row: different, or the subject never evaluated?"""
    return old["evaluated_at"] is None or (old["score"], old["grade"], bool(old["unrated"])) != (score, grade, bool(unrated))


def _bound(column, value, dialect):
    """`value` as the driver receives it for `column` (its type's bind processing, applied once)."""
    proc = column.type.bind_processor(dialect)
    return proc(value) if proc else value


def _write_sqlite(session, as_of: dt.date, reason: str, rows: list[dict], at: dt.datetime) -> None:
    """The same writes as `_write` through the driver's executemany with tuples (SQLite: no
    per-row bind processing; the shared values are processed once by their column types)."""
    h = CreditScore.__table__
    conn = session.connection()
    d = conn.dialect
    at_v, as_of_v = _bound(h.c.evaluated_at, at, d), _bound(h.c.as_of, as_of, d)
    conn.exec_driver_sql("UPDATE credit_subjects SET score = ?, grade = ?, unrated = ? WHERE id = ?",
                         [(r["score"], r["grade"], int(bool(r["unrated"])), r["id"]) for r in rows])
    conn.exec_driver_sql(
        "INSERT INTO credit_scores (subject_id, region_code, evaluated_at, as_of, score, grade, unrated, model_version, "
        "factors, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(r["id"], r["region_code"], at_v, as_of_v, r["score"], r["grade"], int(bool(r["unrated"])), scoring.MODEL_VERSION,
          r["factors"], reason) for r in rows])


def _write(session, as_of: dt.date, reason: str, rows: list[dict], evaluated: Iterable[int], at: dt.datetime) -> None:
    """Bulk-store results: `rows` (id, region_code, score, grade, unrated, factors as JSON text)
    are the changed subjects; every id in `evaluated` gets `evaluated_at`."""
    t, h = CreditSubject.__table__, CreditScore.__table__
    sqlite = session.get_bind().dialect.name == "sqlite"
    for i in range(0, len(rows), BATCH):
        chunk = rows[i:i + BATCH]
        if sqlite:
            _write_sqlite(session, as_of, reason, chunk, at)
            continue
        session.execute(update(t).where(t.c.id == bindparam("b_id")).values(
            score=bindparam("b_score"), grade=bindparam("b_grade"), unrated=bindparam("b_unrated")),
            [{"b_id": r["id"], "b_score": r["score"], "b_grade": r["grade"], "b_unrated": bool(r["unrated"])} for r in chunk])
        session.execute(insert(h).values(
            subject_id=bindparam("b_id"), region_code=bindparam("b_region"), evaluated_at=bindparam("b_at"),
            as_of=bindparam("b_as_of"), score=bindparam("b_score"), grade=bindparam("b_grade"),
            unrated=bindparam("b_unrated"), model_version=bindparam("b_model"),
            factors=cast(bindparam("b_factors", type_=Text()), JSON), reason=bindparam("b_reason")),
            [{"b_id": r["id"], "b_region": r["region_code"], "b_at": at, "b_as_of": as_of, "b_score": r["score"],
              "b_grade": r["grade"], "b_unrated": bool(r["unrated"]), "b_model": scoring.MODEL_VERSION,
              "b_factors": r["factors"], "b_reason": reason} for r in chunk])
    ids = list(evaluated)
    for i in range(0, len(ids), BATCH):
        session.execute(update(t).where(t.c.id.in_(ids[i:i + BATCH])).values(evaluated_at=at))
    # objects of these subjects already in the session must not keep the old values
    done = set(ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, CreditSubject) and obj.id in done:
            session.expire(obj, ["score", "grade", "unrated", "evaluated_at"])


def histories(session, subject_ids: Iterable[int]) -> tuple[dict[int, list[dict]], dict[int, list[dict]]]:
    """The records and the loans' repayments of each subject, as the model reads them."""
    ids = sorted({int(i) for i in subject_ids})
    records: dict[int, list[dict]] = {i: [] for i in ids}
    repayments: dict[int, list[dict]] = {i: [] for i in ids}
    r, p = CreditRecord.__table__, CreditRepayment.__table__
    for i in range(0, len(ids), 900):
        part = ids[i:i + 900]
        for row in session.execute(select(*[r.c[c] for c in _RECORD_COLS]).where(r.c.subject_id.in_(part))):
            records[row.subject_id].append(dict(row._mapping))
        q = select(r.c.subject_id, *[p.c[c] for c in _REPAY_COLS]).join(r, r.c.id == p.c.record_id)
        for row in session.execute(q.where(r.c.subject_id.in_(part))):
            repayments[row.subject_id].append(dict(row._mapping))
    return records, repayments


def evaluations(session, subject_ids: Iterable[int], as_of: dt.date) -> dict[int, scoring.Evaluation]:
    """The evaluation of each subject on `as_of`, per subject (`scoring.evaluate`), nothing written."""
    records, repayments = histories(session, subject_ids)
    return {i: scoring.evaluate(records[i], repayments[i], as_of) for i in records}


def reevaluate(session, subject_ids: Iterable[int], as_of: dt.date, reason: str = "record_changed",
               always: bool = False) -> dict[int, scoring.Evaluation]:
    """Re-evaluate `subject_ids` in the caller's transaction (see the module's docstring)."""
    if reason not in REASONS:
        raise ValueError(f"unknown evaluation reason {reason}")
    session.flush()
    results = evaluations(session, subject_ids, as_of)
    old = _subject_rows(session, list(results))
    rows = [{"id": i, "region_code": old[i]["region_code"], "score": e.score, "grade": e.grade, "unrated": e.unrated,
             "factors": json.dumps(e.factors_json(), ensure_ascii=False, separators=(",", ":"))}
            for i, e in results.items() if i in old and (always or changed(old[i], e.score, e.grade, e.unrated))]
    _write(session, as_of, reason, rows, list(old), utcnow())
    return results


# ---------------------------------------------------------------- the whole population


def _read(url: str) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    from data.query.reads import Reader

    from concurrent.futures import ThreadPoolExecutor

    sql = ("SELECT id AS subject_id, region_code, score, grade, unrated, "
           "CASE WHEN evaluated_at IS NULL THEN 1 ELSE 0 END AS never FROM credit_subjects",
           f"SELECT {', '.join(_RECORD_COLS)} FROM credit_records WHERE kind <> 'basic'",
           f"SELECT {', '.join(_REPAY_COLS)} FROM credit_repayments")
    with tempfile.TemporaryDirectory(prefix="credit-eval-") as tmp, ThreadPoolExecutor(3) as pool:
        reader = Reader(url, tmp)  # the three reads side by side (on SQLite: three child processes)
        subjects, records, repayments = pool.map(reader.read_bulk, sql)
    return subjects, records, repayments


def _empty_like(frame: pl.DataFrame, names: tuple[str, ...], dates: tuple[str, ...]) -> pl.DataFrame:
    """A read of an empty table may come back without types: give it the model's."""
    if frame.height:
        return frame
    schema = {n: (pl.Date if n in dates else pl.Int64 if n.endswith(("id", "_fen")) else pl.Utf8) for n in names}
    return pl.DataFrame(schema=schema)


def reevaluate_all(url: str, as_of: dt.date, progress: Progress | None = None, reason: str = "batch",
                   at: dt.datetime | None = None) -> dict:
    """Re-evaluate every subject (vectorised); returns count, changed, seconds and subjects per grade."""
    started = time.perf_counter()
    at = at or utcnow()  # before the read: a subject re-evaluated after it is left as it is
    note = progress or (lambda pct, text: None)
    note(5, "读取信用主体、信用记录和还款记录…")
    subjects, records, repayments = _read(url)
    records = _empty_like(records, _RECORD_COLS, ("occurred_on", "publicity_until", "ended_on"))
    repayments = _empty_like(repayments, _REPAY_COLS, ("due_on", "paid_on"))
    note(30, f"计算 {subjects.height} 个主体的信用分…")
    result = _score(subjects, records, repayments, as_of)
    old = subjects.select(pl.col("subject_id").cast(pl.Int64), pl.col("region_code").cast(pl.Int64),
                          pl.col("score").cast(pl.Int64).alias("old_score"), pl.col("grade").cast(pl.Utf8).alias("old_grade"),
                          pl.col("unrated").cast(pl.Int64).cast(pl.Boolean).alias("old_unrated"),
                          pl.col("never").cast(pl.Int64).cast(pl.Boolean))
    joined = result.join(old, on="subject_id", how="inner")
    same = ((pl.col("score").eq_missing(pl.col("old_score"))) & (pl.col("grade").eq_missing(pl.col("old_grade")))
            & (pl.col("unrated") == pl.col("old_unrated").fill_null(False)))
    todo = joined.filter(pl.col("never") | ~same).select(
        pl.col("subject_id").alias("id"), "region_code", "score", "grade", "unrated", "factors")
    note(60, f"写入 {todo.height} 个主体的新评价…")
    t = CreditSubject.__table__
    with transaction(url) as s:
        # subjects re-evaluated by a write (`reevaluate`) since the read began keep that newer result
        newer = set(s.scalars(select(t.c.id).where(t.c.evaluated_at > at)))
        rows = [r for r in todo.to_dicts() if r["id"] not in newer]
        for i in range(0, len(rows), BATCH * 5):
            _write(s, as_of, reason, rows[i:i + BATCH * 5], [], at)
            note(60 + int(35 * min(1.0, (i + BATCH * 5) / max(len(rows), 1))), f"已写入 {min(i + BATCH * 5, len(rows))} 个")
        s.execute(update(t).where(t.c.evaluated_at.is_(None) | (t.c.evaluated_at <= at)).values(evaluated_at=at))
    grades = dict(result.group_by("grade").len().sort("grade").iter_rows())
    out = {"count": subjects.height, "changed": len(rows), "skipped": len(newer),
           "seconds": round(time.perf_counter() - started, 2),
           "grades": {("unrated" if k is None else k): v for k, v in grades.items()}}
    note(100, "完成")
    return out


def _score(subjects: pl.DataFrame, records: pl.DataFrame, repayments: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    from data.credit.vectorised import evaluate_frame

    return evaluate_frame(subjects.select("subject_id"), records, repayments, as_of)


def reevaluate_all_isolated(url: str, as_of: dt.date, progress: Progress | None = None) -> dict:
    """`reevaluate_all` in a fresh interpreter, its progress read from the child's output. A
    background job is a forked copy of the server, whose polars thread pool must not be used
    after a fork (it deadlocks); a new process (fork + exec) starts clean."""
    note = progress or (lambda pct, text: None)
    cmd = [sys.executable, "-m", "data.credit.evaluate", url, as_of.isoformat(), utcnow().isoformat()]
    result = None
    with subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True) as proc:
        for line in proc.stdout:
            if not line.startswith("{"):
                continue
            msg = json.loads(line)
            if "progress" in msg:
                note(*msg["progress"])
            elif "result" in msg:
                result = msg["result"]
    if proc.returncode != 0 or result is None:
        raise RuntimeError(f"全量重新评价失败（退出码 {proc.returncode}）")
    return result


def evaluate_population(url: str, key: str, actor, as_of: dt.date, progress: Progress | None = None) -> dict:
    """The data unit's 全量重新评价: `reevaluate_all` (in its own process), then its entry in the security log."""
    ensure(actor, Action.CREDIT_EVALUATE)
    out = reevaluate_all_isolated(url, as_of, progress)
    grades = "，".join(f"{'未评级' if g == 'unrated' else g + '级'} {n}" for g, n in out["grades"].items())
    with transaction(url, actor) as s:
        audit_log.log_change(s, key, actor, actor.scope.root,
                             f"全量重新评价信用主体 {out['count']} 个（评价日 {as_of.isoformat()}），"
                             f"变化 {out['changed']} 个，用时 {out['seconds']} 秒；{grades}",
                             credit_evaluate=True, **{k: v for k, v in out.items() if k != "grades"}, grades=out["grades"])
    return out


def main(argv: list[str]) -> int:
    """python -m data.credit.evaluate URL AS_OF [AT]: one JSON line per progress step, then the result."""
    url, as_of = argv[0], dt.date.fromisoformat(argv[1])
    at = dt.datetime.fromisoformat(argv[2]) if len(argv) > 2 else None

    def progress(pct: int, text: str) -> None:
        print(json.dumps({"progress": [pct, text]}, ensure_ascii=False), flush=True)

    print(json.dumps({"result": reevaluate_all(url, as_of, progress, at=at)}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
