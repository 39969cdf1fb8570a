"""The credit evaluation (domain.credit.scoring, data.credit.evaluate): monotone over random record
sets (hypothesis), factors adding up to the score, grade bands at each edge, publicity expiry on
its last day and the day after (per severity), unrated subjects, and the vectorised population
path equal to the per-subject one on a generated population stored in SQLite."""
from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.credit import scoring
from domain.credit.publicity import publicity_end

AS_OF = dt.date(2026, 6, 30)
KINDS = ["basic", "good", "dishonest", "loan", "transfer", "insurance", "trade", "service", "subsidy", "list"]
SUBTYPES = {"good": ["commendation", "public_welfare", "volunteer", None], "dishonest": ["admin_penalty", "refusal"],
            "list": ["national_leading", "provincial_leading", "model_farm", "model_coop", None]}

days = st.integers(min_value=-60, max_value=1500)


@st.composite
def records(draw, kind=None, status=None):
    kind = kind or draw(st.sampled_from(KINDS))
    occurred = AS_OF - dt.timedelta(days=draw(days))
    severity = draw(st.sampled_from(["minor", "ordinary", "serious"])) if kind == "dishonest" else None
    return {"id": draw(st.integers(1, 10**9)), "kind": kind, "subtype": draw(st.sampled_from(SUBTYPES.get(kind, [None]))),
            "severity": severity, "occurred_on": occurred,
            "publicity_until": publicity_end(severity, occurred) if severity else None,
            "status": status or draw(st.sampled_from(["active"] * 5 + ["repaired", "corrected", "withdrawn"])),
            "ended_on": draw(st.none() | st.just(occurred + dt.timedelta(days=draw(st.integers(0, 500))))),
            "amount_fen": None}


@st.composite
def repayments(draw, loan_ids, kind=None):
    due = AS_OF - dt.timedelta(days=draw(st.integers(-200, 900)))
    kind = kind or draw(st.sampled_from(["on_time", "late", "open", "pending"]))
    paid_on = {"on_time": due - dt.timedelta(days=draw(st.integers(0, 30))),
               "late": due + dt.timedelta(days=draw(st.integers(1, 60))), "open": None, "pending": None}[kind]
    if kind in ("late", "open") and due >= AS_OF - dt.timedelta(days=61):
        due = AS_OF - dt.timedelta(days=62)
        paid_on = due + dt.timedelta(days=1) if kind == "late" else None
    if kind == "on_time":
        paid_on = min(paid_on, AS_OF)
        due = max(due, paid_on)
    if kind == "pending":
        due = AS_OF + dt.timedelta(days=draw(st.integers(0, 300)))
    return {"record_id": draw(st.sampled_from(loan_ids)), "due_on": due, "due_fen": 100_000, "paid_on": paid_on,
            "paid_fen": 100_000 if paid_on else 0}


@st.composite
def histories(draw):
    recs = draw(st.lists(records(), max_size=12))
    loans = [r["id"] for r in recs if r["kind"] == "loan"]
    reps = draw(st.lists(repayments(loans), max_size=12)) if loans else []
    return _unique(recs), reps


def _unique(recs):
    seen, out = set(), []
    for r in recs:
        if r["id"] not in seen:
            seen.add(r["id"])
            out.append(r)
    return out


def _new_id(recs):
    return max([r["id"] for r in recs], default=0) + 1


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------- monotone


@FAST
@given(histories(), records(kind="dishonest"))
def test_scoring001_a_dishonest_record_never_raises(history, extra):
    recs, reps = history
    before = scoring.evaluate(recs, reps, AS_OF)
    after = scoring.evaluate([*recs, {**extra, "id": _new_id(recs)}], reps, AS_OF)
    assert after.comparable <= before.comparable


@FAST
@given(histories(), st.sampled_from(["good", "list", "transfer", "trade", "service", "insurance", "subsidy"]), st.data())
def test_scoring002_a_good_or_market_record_never_lowers(history, kind, data):
    recs, reps = history
    extra = data.draw(records(kind=kind))
    before = scoring.evaluate(recs, reps, AS_OF)
    after = scoring.evaluate([*recs, {**extra, "id": _new_id(recs)}], reps, AS_OF)
    assert after.comparable >= before.comparable


@FAST
@given(histories(), st.data())
def test_scoring003_an_on_time_repayment_never_lowers_an_overdue_never_raises(history, data):
    recs, reps = history
    loan = {**data.draw(records(kind="loan", status="active")), "id": _new_id(recs), "ended_on": None,
            "occurred_on": AS_OF - dt.timedelta(days=1000)}
    recs = [*recs, loan]
    loans = [r["id"] for r in recs if r["kind"] == "loan"]
    before = scoring.evaluate(recs, reps, AS_OF)
    on_time = data.draw(repayments(loans, "on_time"))
    assert scoring.evaluate(recs, [*reps, on_time], AS_OF).comparable >= before.comparable
    for kind in ("late", "open"):
        overdue = data.draw(repayments(loans, kind))
        assert scoring.evaluate(recs, [*reps, overdue], AS_OF).comparable <= before.comparable


@FAST
@given(histories())
def test_scoring004_factors_add_up_to_the_score(history):
    e = scoring.evaluate(*history, AS_OF)
    if e.unrated:
        assert (e.score, e.grade, e.factors) == (None, None, ())
        return
    assert sum(f.points for f in e.factors) == e.score
    assert scoring.MIN_SCORE <= e.score <= scoring.MAX_SCORE
    assert e.grade == scoring.grade_of(e.score)
    assert e.factors[0].key == "base" and all(f.label for f in e.factors)
    for f in e.factors:  # every record named by a factor is the subject's own
        assert set(f.record_ids) <= {r["id"] for r in history[0]}


def test_scoring005_the_clamp_keeps_the_sum_exact():
    recs = [{"id": i, "kind": "dishonest", "severity": "serious", "occurred_on": AS_OF, "status": "active",
             "publicity_until": publicity_end("serious", AS_OF), "subtype": "admin_penalty", "ended_on": None}
            for i in range(1, 5)]
    e = scoring.evaluate(recs, [], AS_OF)
    assert e.score == 0 and e.grade == "D"
    assert [f.key for f in e.factors] == ["base", "dishonest_serious", "clamp"]
    assert e.factors[1].points == -120 and e.factors[2].points == 50
    good = [{"id": 10 + i, "kind": k, "subtype": s, "occurred_on": AS_OF, "status": "active", "ended_on": None}
            for i, (k, s) in enumerate([("good", "commendation")] * 4 + [("list", "national_leading")] * 2
                                       + [("transfer", None)] * 5 + [("subsidy", None)] * 3
                                       + [("insurance", None)] * 3 + [("loan", None)])]
    loan = good[-1]["id"]
    paid = [{"record_id": loan, "due_on": AS_OF - dt.timedelta(days=30 * k), "due_fen": 5, "paid_fen": 5,
             "paid_on": AS_OF - dt.timedelta(days=30 * k + 1)} for k in range(12)]
    e = scoring.evaluate(good, paid, AS_OF)
    points = {f.key: f.points for f in e.factors}
    assert points == {"base": 70, "good": 15, "list": 5, "market": 3, "insurance": 2, "subsidy": 2, "repay_on_time": 10,
                      "clamp": -7}
    assert e.score == 100 and e.grade == "A"


# ---------------------------------------------------------------- grades


@pytest.mark.parametrize(("grade", "edge"), [(g, lo) for g, lo in scoring.GRADES if lo > scoring.MIN_SCORE])
def test_scoring006_grade_bands_at_each_edge(grade, edge):
    worse = scoring.GRADES[[g for g, _ in scoring.GRADES].index(grade) + 1][0]
    assert scoring.grade_of(edge) == grade
    assert scoring.grade_of(edge - 1) == worse
    assert scoring.grade_of(scoring.MAX_SCORE) == "A" and scoring.grade_of(scoring.MIN_SCORE) == "D"


def test_scoring007_grade_edges_reached_through_records():
    """85 (A) and 84 (B) from good records; 55 (C) from a fresh ordinary record, 54 (D) with repayments."""
    def good(n, subtype="commendation"):
        return [{"id": i, "kind": "good", "subtype": subtype, "occurred_on": AS_OF, "status": "active", "ended_on": None}
                for i in range(1, n + 1)]
    assert (scoring.evaluate(good(3), [], AS_OF).score, scoring.evaluate(good(3), [], AS_OF).grade) == (85, "A")
    volunteers = [{**good(1)[0], "id": 9, "subtype": "volunteer"}, {**good(1)[0], "id": 10, "subtype": "volunteer"}]
    e = scoring.evaluate(good(2) + volunteers, [], AS_OF)
    assert (e.score, e.grade) == (84, "B")
    dishonest = {"id": 20, "kind": "dishonest", "severity": "ordinary", "occurred_on": AS_OF, "status": "active",
                 "publicity_until": publicity_end("ordinary", AS_OF), "ended_on": None}
    e = scoring.evaluate([dishonest], [], AS_OF)
    assert (e.score, e.grade) == (55, "C")
    late = {"record_id": 21, "due_on": AS_OF - dt.timedelta(days=40), "due_fen": 1, "paid_on": AS_OF - dt.timedelta(days=10),
            "paid_fen": 1}
    on_time = [{**late, "due_on": AS_OF - dt.timedelta(days=d), "paid_on": AS_OF - dt.timedelta(days=d)} for d in (70, 100)]
    e = scoring.evaluate([dishonest, {**dishonest, "id": 21, "kind": "loan"}], [late, *on_time], AS_OF)
    assert (e.score, e.grade) == (54, "D")
    assert {f.key: f.points for f in e.factors} == {"base": 70, "repay_on_time": 2, "dishonest_ordinary": -15, "repay_late": -3}


# ---------------------------------------------------------------- publicity


@pytest.mark.parametrize("severity", ["minor", "ordinary", "serious"])
def test_scoring008_a_record_counts_on_its_last_day_and_not_the_day_after(severity):
    decided = dt.date(2025, 1, 15)
    last = publicity_end(severity, decided)
    rec = {"id": 1, "kind": "dishonest", "severity": severity, "occurred_on": decided, "publicity_until": last,
           "status": "active", "ended_on": None}
    on_last = scoring.evaluate([rec], [], last)
    after = scoring.evaluate([rec], [], last + dt.timedelta(days=1))
    weight = scoring.SEVERITY_POINTS[severity]
    floor = -((weight * scoring.DECAY_FLOOR_PCT * 2 + 100) // 200)
    assert on_last.score == scoring.BASE + floor, on_last.factors
    assert [f.record_ids for f in on_last.factors if f.key.startswith("dishonest")] == [(1,)]
    assert after.score == scoring.BASE and not after.unrated  # still history, no longer counted
    assert scoring.evaluate([rec], [], decided).score == scoring.BASE - weight  # full weight on the decision day
    assert scoring.evaluate([rec], [], decided - dt.timedelta(days=1)).unrated  # not yet happened


def test_scoring009_decay_is_linear_and_never_below_the_floor():
    decided = dt.date(2025, 1, 1)
    rec = {"id": 1, "kind": "dishonest", "severity": "serious", "occurred_on": decided,
           "publicity_until": publicity_end("serious", decided), "status": "active", "ended_on": None}
    points = [scoring.dishonest_points("serious", decided, rec["publicity_until"], decided + dt.timedelta(days=d))
              for d in range(0, (rec["publicity_until"] - decided).days + 1, 30)]
    assert points == sorted(points) and points[0] == -30 and min(points) <= -15 and max(points) >= -30
    assert all(-30 <= p <= -15 for p in points)


def test_scoring010_repaired_withdrawn_and_ended_records_stop_counting():
    base = {"id": 1, "kind": "dishonest", "severity": "serious", "occurred_on": AS_OF - dt.timedelta(days=10),
            "publicity_until": publicity_end("serious", AS_OF - dt.timedelta(days=10)), "status": "active", "ended_on": None}
    assert scoring.evaluate([base], [], AS_OF).score < scoring.BASE
    assert scoring.evaluate([{**base, "status": "repaired"}], [], AS_OF).score == scoring.BASE
    assert scoring.evaluate([{**base, "ended_on": AS_OF}], [], AS_OF).score == scoring.BASE
    assert scoring.evaluate([{**base, "ended_on": AS_OF + dt.timedelta(days=1)}], [], AS_OF).score < scoring.BASE
    assert scoring.evaluate([{**base, "status": "withdrawn"}], [], AS_OF).unrated


def test_scoring011_unrated_subjects():
    assert scoring.evaluate([], [], AS_OF).unrated
    basic = {"id": 1, "kind": "basic", "occurred_on": AS_OF, "status": "active", "ended_on": None}
    e = scoring.evaluate([basic], [], AS_OF)
    assert (e.unrated, e.score, e.grade, e.factors) == (True, None, None, ())
    e = scoring.evaluate([basic, {**basic, "id": 2, "kind": "loan"}], [], AS_OF)
    assert (e.unrated, e.score, e.grade) == (False, 70, "B")


# ---------------------------------------------------------------- vectorised == per subject


def population(seed: int, n: int):
    """`n` subjects with random records and repayments (seeded), as dict rows."""
    rng = random.Random(seed)
    recs, reps, rid = [], [], 0
    for s in range(1, n + 1):
        for _ in range(rng.choice([0, 0, 1, 2, 3, 4, 6])):
            rid += 1
            kind = rng.choice(KINDS + ["dishonest", "loan"])
            occ = AS_OF - dt.timedelta(days=rng.randint(-30, 1500))
            sev = rng.choice(["minor", "ordinary", "serious"]) if kind == "dishonest" else None
            recs.append({"id": rid, "subject_id": s, "kind": kind, "subtype": rng.choice(SUBTYPES.get(kind, [None])),
                         "severity": sev, "occurred_on": occ, "publicity_until": publicity_end(sev, occ) if sev else None,
                         "status": rng.choice(["active"] * 6 + ["repaired", "withdrawn", "corrected"]),
                         "ended_on": occ + dt.timedelta(days=rng.randint(0, 400)) if rng.random() < 0.1 else None})
            for k in range(rng.randint(0, 8) if kind == "loan" else 0):
                due = occ + dt.timedelta(days=30 * (k + 1))
                paid = None if rng.random() < 0.2 else due + dt.timedelta(days=rng.randint(-20, 10))
                reps.append({"record_id": rid, "due_on": due, "due_fen": 10_000, "paid_on": paid,
                             "paid_fen": 10_000 if rng.random() < 0.9 else 5_000})
    return recs, reps


def test_scoring012_vectorised_frame_equals_per_subject():
    import polars as pl

    from data.credit.vectorised import evaluate_frame

    recs, reps = population(7, 400)
    frame = evaluate_frame(pl.DataFrame({"subject_id": list(range(1, 401))}), pl.DataFrame(recs, infer_schema_length=None),
                           pl.DataFrame(reps, infer_schema_length=None), AS_OF)
    loans = {r["id"]: r["subject_id"] for r in recs}
    for row in frame.iter_rows(named=True):
        s = row["subject_id"]
        e = scoring.evaluate([r for r in recs if r["subject_id"] == s], [p for p in reps if loans[p["record_id"]] == s],
                             AS_OF)
        assert (row["score"], row["grade"], row["unrated"], json.loads(row["factors"])) == \
            (e.score, e.grade, e.unrated, e.factors_json()), s
    assert set(frame["grade"].drop_nulls()) >= {"B", "C", "D"} and frame["unrated"].any()


def store(url: str, seed: int = 11, n: int = 300) -> str:
    """Migrate `url` and store a seeded population of `n` subjects in it."""
    from data.db import transaction, upgrade
    from data.models import CreditRecord, CreditRepayment, CreditSubject
    from domain.credit.codes import category_of

    upgrade(url)
    recs, reps = population(seed, n)
    region = 360121001001
    with transaction(url) as s:
        s.add_all([CreditSubject(id=i, region_code=region, kind="natural", id_type="other", identifier=f"T{i:06d}",
                                 name=f"主体{i}") for i in range(1, n + 1)])
        s.flush()
        s.add_all([CreditRecord(**r, region_code=region, category=category_of(r["kind"]),
                                title="测试", source="platform", produced_by="县林业局") for r in recs])
        s.flush()
        s.add_all([CreditRepayment(**p, region_code=region) for p in reps])
    return url


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A scratch SQLite database (migrated) holding a seeded population of 300 subjects."""
    return store(f"sqlite:///{tmp_path_factory.mktemp('credit-eval') / 'eval.db'}")


def _bulk_equals_per_subject(url: str, n: int) -> None:
    from sqlalchemy import select

    from data.credit.evaluate import evaluations, reevaluate_all
    from data.db import reading
    from data.models import CreditScore, CreditSubject

    out = reevaluate_all(url, AS_OF)
    assert out["count"] == n and out["changed"] == n and sum(out["grades"].values()) == n
    with reading(url) as s:
        bulk = {r.id: (r.score, r.grade, r.unrated) for r in s.scalars(select(CreditSubject))}
        history = {r.subject_id: r.factors for r in s.scalars(select(CreditScore))}
        per = evaluations(s, list(bulk), AS_OF)
    for sid, e in per.items():
        assert bulk[sid] == (e.score, e.grade, e.unrated), sid
        assert history[sid] == e.factors_json(), sid


def test_scoring013_reevaluate_all_equals_reevaluate_per_subject(stored):
    from sqlalchemy import func, select

    from data.credit.evaluate import reevaluate, reevaluate_all
    from data.db import reading, transaction
    from data.models import CreditScore, CreditSubject

    _bulk_equals_per_subject(stored, 300)
    again = reevaluate_all(stored, AS_OF)
    assert again["changed"] == 0  # nothing changed: no new history rows
    with transaction(stored) as s:
        reevaluate(s, [1, 2, 3], AS_OF, "repair", always=True)
    with reading(stored) as s:
        assert s.scalar(select(func.count()).select_from(CreditScore)) == 303
        newest = s.get(CreditSubject, 1).evaluated_at
    # a run that began before those writes leaves their newer results alone
    late = reevaluate_all(stored, AS_OF, at=newest - dt.timedelta(seconds=1))
    assert late["skipped"] >= 3 and late["changed"] == 0
    with reading(stored) as s:
        assert s.get(CreditSubject, 1).evaluated_at == newest
        assert s.scalar(select(func.count()).select_from(CreditSubject).where(CreditSubject.evaluated_at.is_(None))) == 0


@pytest.mark.postgres
def test_scoring014_the_bulk_path_on_postgres(postgres_server):
    _bulk_equals_per_subject(store(postgres_server.create_database("credit_eval"), seed=12, n=200), 200)


def test_scoring015_the_score_components():
    from plotly.utils import PlotlyJSONEncoder

    from components.credit_score import gauge_figure, score_factors_table, score_gauge
    from tests.support.http import text

    def wire(component):
        return json.loads(json.dumps(component, cls=PlotlyJSONEncoder))

    e = scoring.evaluate([{"id": 5, "kind": "good", "subtype": "commendation", "occurred_on": AS_OF, "status": "active",
                           "ended_on": None}], [], AS_OF)
    table = score_factors_table("pf", e.factors_json())
    shown = text(wire(table))
    assert table.id == "pf-factors" and "基础分" in shown and "+5" in shown and "#5" in shown and "75" in shown
    assert "暂无信用记录" in text(wire(score_factors_table("pf", [], unrated=True)))
    fig = gauge_figure(e.score, e.grade)
    steps = fig["data"][0]["gauge"]["steps"]
    assert [s["name"] for s in steps] == [g for g, _ in scoring.GRADES] and fig["data"][0]["value"] == 75
    assert gauge_figure(None, None)["data"] == []
    assert score_gauge("pf", 75, "B").children[0].id == "pf-gauge"
