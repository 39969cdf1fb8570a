"""The forestry credit population (issue 15, item 10): deterministic credit subjects, their records,
loans with repayments, forest rights by parcel unit, encumbrances, import batches on a document,
authorisations for the demo bank and portrait views — for one province on the real region tree.

Scales (`CREDIT_SCALES`): `test` (a few hundred subjects in the test townships), `demo` (30,000 over
the province's villages, a third of them in the demo county) and `province` (1,000,000: the
benchmark, several million records and forest-rights parcels). Frames are built with numpy and
polars (data/demo/credit_records.py, credit_rights.py) and written with `data.bulk.ingest` (ADBC;
COPY on PostgreSQL). The same seed gives the same population.

`generate_credit` needs the region tree in the database; when the collective economy is there too,
a third of the natural persons are its members (the demo member first: the `demo-subject` login)
and the contracted collective 林地 become their contractors' forest rights (`resource_id`).
`python -m data.demo --credit-only [--scale province]` adds it to an existing database.
"""
from __future__ import annotations

import datetime as dt
import time

import numpy as np
import polars as pl
from sqlalchemy import func, select, text, update

from data import bulk
from data.db import engine_for
from data.models import CreditSubject, Region, User
from data.regions import load_region_tree

from .credit_records import (CREDIT_SCALES, DEFAULT_PROVINCE, DEMO_BANK, PROVINCES, existing_people, next_id,
                             record_frames, repayment_frame, subject_frame)
from .credit_rights import authorisation_frames, batch_frames, encumbrance_frame, right_frame

__all__ = ["CREDIT_SCALES", "DEMO_BANK", "generate_credit", "credit_villages"]

RECORD_COLUMNS = ["id", "subject_id", "region_code", "category", "kind", "subtype", "title", "content", "severity",
                  "occurred_on", "publicity_until", "amount_fen", "document_no", "counterparty", "source",
                  "source_system", "produced_by", "open_class", "share_class", "reclass_rule", "masked", "batch_id",
                  "status", "ended_on", "detail"]


def credit_villages(tree, scale: str, demo_county: int, test_roots: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The villages subjects live in and each one's weight: the test townships at `test`, the whole
    province elsewhere (`demo`: a third of the weight on the demo county)."""
    if scale == "test":
        v = pl.concat([tree.descendants(r, level=5) for r in test_roots]).unique("code")["code"].sort().to_numpy()
        return v, np.full(len(v), 1 / len(v))
    v = tree.descendants(tree.root, level=5)["code"].sort().to_numpy()
    share = CREDIT_SCALES[scale].demo_share
    local = (v >= demo_county) & (v < demo_county + 1_000_000)
    if not share or not local.any():
        return v, np.full(len(v), 1 / len(v))
    w = np.where(local, share / local.sum(), (1 - share) / max((~local).sum(), 1))
    return v, w / w.sum()


def _demo_person(engine) -> dict | None:
    """The demo member's own person (the `demo-subject` login is the same resident ID)."""
    with engine.connect() as c:
        try:
            row = c.execute(text("SELECT m.id_number, m.name, o.region_code FROM users u JOIN members m ON m.id = u.member_id "
                                 "JOIN collective_orgs o ON o.id = m.org_id WHERE u.username = 'demo-member'")).first()
        except Exception:
            row = None
    return dict(identifier=row[0], name=row[1], region_code=int(row[2])) if row else None


def _evaluate(url: str, as_of: dt.date) -> dict:
    """Scores for the whole population (data.credit.evaluate.reevaluate_all)."""
    from data.credit.evaluate import reevaluate_all

    return reevaluate_all(url, as_of)


def _user_ids(engine) -> dict[str, int]:
    with engine.connect() as c:
        return dict(c.execute(select(User.username, User.id)).all())


def generate_credit(url: str, province: int, scale: str, today: dt.date, seed: int, demo_county: int,
                    test_roots: list[int] | None = None, log=print) -> dict:
    """Adds the credit population of `scale` to the database at `url` (its region tree and users in
    place; the credit tables empty). Returns counts and timings."""
    t0 = time.perf_counter()
    engine = engine_for(url)
    with engine.connect() as c:
        if c.execute(select(func.count()).select_from(CreditSubject)).scalar():
            raise RuntimeError("数据库已有林业信用数据")
        if not c.execute(select(func.count()).select_from(Region)).scalar():
            raise RuntimeError("数据库没有行政区划：请先生成演示数据")
    rng = np.random.default_rng([seed, 15])
    tree = load_region_tree(province)
    pdata = PROVINCES.get(province, DEFAULT_PROVINCE)
    villages, weights = credit_villages(tree, scale, demo_county, test_roots or [demo_county])
    lo, hi = (int(villages.min()), int(villages.max())) if scale == "test" else (tree.root, tree.root + 10**10 - 1)
    members, contractors = existing_people(engine, lo, hi)
    if contractors is not None:  # the contractors named by a valid identifier of a known kind
        contractors = contractors.filter(pl.col("id_type").is_in(["resident", "uscc"]))
        if scale == "province":
            contractors = None
    person = _demo_person(engine)
    users = _user_ids(engine)
    subjects = subject_frame(rng, villages, weights, CREDIT_SCALES[scale].subjects, members, contractors, person, today)
    with engine.connect() as c:
        first = {t: next_id(c, t) for t in ("credit_subjects", "credit_records", "forest_rights", "attachments",
                                             "credit_import_batches", "credit_authorisations")}
    subjects = subjects.with_columns(id=pl.int_range(first["credit_subjects"], first["credit_subjects"] + pl.len(),
                                                     dtype=pl.Int64))
    now = dt.datetime.combine(today, dt.time(8), dt.UTC)
    counties = sorted({int(v) // 1_000_000 * 1_000_000 for v in villages.tolist()})
    handler = users.get("demo-credit-handler") or users.get("demo-forestry") or next(iter(users.values()), None)
    batches, attachments = batch_frames([(c, tree.name(c)) for c in counties], tree.root, today, pdata["short"],
                                        first["credit_import_batches"], first["attachments"], handler)
    county_names = {c // 1_000_000: tree.name(c) for c in counties}
    loans, others = record_frames(rng, subjects, today, pdata["short"], county_names, batches)
    log_step = _stepper(log, t0)
    log_step("frames", f"{subjects.height:,} 个信用主体")
    loans = loans.with_columns(id=pl.int_range(first["credit_records"], first["credit_records"] + pl.len(), dtype=pl.Int64))
    repayments, loans = repayment_frame(rng, loans, today)
    others = others.with_columns(id=pl.int_range(first["credit_records"] + loans.height,
                                                 first["credit_records"] + loans.height + pl.len(), dtype=pl.Int64))
    records = pl.concat([loans, others], how="diagonal_relaxed").with_columns(
        masked=pl.lit(False), status=pl.lit("active"), ended_on=pl.lit(None, pl.Date),
        reclass_rule=pl.lit(None, pl.Utf8))
    for col in RECORD_COLUMNS:
        if col not in records.columns:
            records = records.with_columns(pl.lit(None).alias(col))
    records = records.select(RECORD_COLUMNS).with_columns(
        detail=pl.col("detail").struct.json_encode(), content=pl.col("content").cast(pl.Utf8),
        publicity_until=pl.col("publicity_until").cast(pl.Date), severity=pl.col("severity").cast(pl.Utf8),
        subtype=pl.col("subtype").cast(pl.Utf8), batch_id=pl.col("batch_id").cast(pl.Int64),
        amount_fen=pl.col("amount_fen").cast(pl.Int64), counterparty=pl.col("counterparty").cast(pl.Utf8),
        source_system=pl.col("source_system").cast(pl.Utf8), document_no=pl.col("document_no").cast(pl.Utf8))
    rows = records.filter(pl.col("batch_id").is_not_null()).group_by("batch_id").len()
    batches = batches.join(rows, left_on="id", right_on="batch_id", how="left").with_columns(
        rows=pl.col("len").fill_null(0)).drop("len", "year")
    rights = right_frame(rng, subjects, province, pdata["species"], pdata["p"], today, contractors, first["forest_rights"])
    encumbrances = encumbrance_frame(rng, rights, loans, today)
    d_lo, d_hi = (lo, hi) if scale == "test" else (demo_county, demo_county + 999_999)
    live = {"test": 30, "demo": 300, "province": 400}[scale]
    auths, views = authorisation_frames(rng, subjects, loans, d_lo, d_hi, today, DEMO_BANK, users.get("demo-bank"), live)
    auths = auths.with_columns(id=pl.col("id") + first["credit_authorisations"] - 1)
    if views.height:
        views = views.with_columns(authorisation_id=pl.col("authorisation_id") + first["credit_authorisations"] - 1)
    log_step("records", f"{records.height:,} 条信用记录，{repayments.height:,} 期还款，{rights.height:,} 宗林权")
    provenance = dict(provided_by="演示数据生成器", responsible_by="数据管理单位")
    bulk.ingest(engine, "attachments", attachments)
    bulk.ingest(engine, "credit_subjects", bulk.add_record_columns(subjects, now, **provenance))
    bulk.ingest(engine, "credit_import_batches", bulk.add_record_columns(batches, now, **provenance))
    bulk.ingest(engine, "credit_records", bulk.add_record_columns(records, now, **provenance))
    bulk.ingest(engine, "credit_repayments", repayments)
    bulk.ingest(engine, "forest_rights", bulk.add_record_columns(rights, now, **provenance))
    bulk.ingest(engine, "forest_encumbrances", encumbrances)
    bulk.ingest(engine, "credit_authorisations", auths)
    if views.height:
        bulk.ingest(engine, "credit_portrait_views", views)
    log_step("written")
    if person:  # the demo member's own credit account
        sid = int(subjects.filter(pl.col("identifier") == person["identifier"])["id"][0])
        with engine.begin() as c:
            c.execute(update(User).where(User.username == "demo-subject").values(credit_subject_id=sid))
    if engine.dialect.name == "postgresql":
        with engine.begin() as c:
            c.execute(text("ANALYZE"))
    scored = _evaluate(url, today)
    log_step("scores", f"已评价 {scored['count']:,} 个信用主体")
    dishonest = records.filter(pl.col("kind") == "dishonest")
    return dict(subjects=subjects.height, records=records.height, repayments=repayments.height, rights=rights.height,
                encumbrances=encumbrances.height, authorisations=auths.height, views=views.height,
                batches=batches.height, dishonest=dishonest.height,
                overdue_loans=int((loans["state"] == "overdue").sum()), evaluated=scored['count'],
                seconds=round(time.perf_counter() - t0, 1))


def _stepper(log, t0):
    def step(name: str, note: str = "") -> None:
        log(f"[credit] {name:<8} {time.perf_counter() - t0:6.1f} s  {note}")
    return step
