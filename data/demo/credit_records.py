"""The credit population's subjects and records as polars frames (data/demo/credit.py writes them):
valid identifiers, a heavy tail of dishonest records, good records, market data, subsidies on
import batches, loans with monthly or quarterly repayments."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl
from sqlalchemy import text

from domain.citations import FOREST_LAW_PENALTY
from domain.identifiers import org_code_check_char, uscc_check_char

from . import people

#: the demo bank's institution (the demo-bank user's) and the other lenders
DEMO_BANK = "合作金融机构"
BANKS = [DEMO_BANK, "中国农业银行", "农村商业银行", "中国邮政储蓄银行", "中国建设银行", "村镇银行"]
INSURERS = ["中国人民财产保险", "中华联合财产保险", "中国人寿财产保险"]
#: province → the short name on documents and the dominant species (data, per province)
PROVINCES = {
    36: dict(short="赣", species=["杉木", "马尾松", "毛竹", "油茶"], p=[0.4, 0.25, 0.2, 0.15]),
    22: dict(short="吉", species=["落叶松", "红松", "白桦", "杨树"], p=[0.35, 0.2, 0.2, 0.25]),
}
DEFAULT_PROVINCE = dict(short="林", species=["杉木", "马尾松", "杨树", "阔叶混交"], p=[0.3, 0.3, 0.2, 0.2])
SUBSIDIES = ["生态公益林补偿资金", "天然林保护补助", "造林补贴", "森林抚育补贴", "林业贷款贴息"]
DISHONEST_TITLES = {"admin_penalty": ["滥伐林木", "盗伐林木", "非法占用林地", "违规运输木材", "擅自改变林地用途"],
                    "refusal": ["拒不履行行政处罚决定", "拒不履行法院判决"],
                    "criminal_judgment": ["滥伐林木罪", "非法占用农用地罪"]}
GOOD_TITLES = {"commendation": "林业生产先进个人（单位）表彰", "public_welfare": "义务植树公益活动",
               "volunteer": "森林防火志愿服务"}


@dataclass(frozen=True)
class CreditScale:
    subjects: int
    demo_share: float  # share of the subjects in the demo county (the rest over the scale's villages)


CREDIT_SCALES = {"test": CreditScale(300, 0.0), "demo": CreditScale(30_000, 0.35),
                 "province": CreditScale(1_000_000, 0.0)}


def next_id(c, table: str) -> int:
    return int(c.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar()) + 1


def resident_ids(rng, counties6: np.ndarray) -> np.ndarray:
    """Valid resident IDs (GB 11643) whose address code is the given county, vectorised."""
    n = len(counties6)
    start = np.datetime64("1950-01-01")
    births = start + rng.integers(0, 365 * 54, n).astype("timedelta64[D]")
    seq = rng.integers(1, 1000, n)
    ymd = births.astype("datetime64[D]").astype(str)
    body = np.char.add(np.char.add(counties6.astype(str), np.char.replace(ymd, "-", "")),
                       np.char.zfill(seq.astype(str), 3))
    digits = np.frombuffer("".join(body.tolist()).encode(), dtype=np.uint8).reshape(n, 17) - 48
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    check = np.array(list("10X98765432"))[(digits * weights).sum(axis=1) % 11]
    return np.char.add(body, check)


def usccs(counties6: np.ndarray, prefixes: np.ndarray, first: int) -> list[str]:
    """Valid unified social credit codes (GB 32100), the organisation code numbered from `first`."""
    out = []
    for i, (c, p) in enumerate(zip(counties6.tolist(), prefixes.tolist())):
        org = f"{first + i:08d}"
        body = f"{p}{c:06d}{org}{org_code_check_char(org)}"
        out.append(body + uscc_check_char(body))
    return out


def existing_people(engine, lo: int, hi: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Members (id number, name, village) and contracted collective 林地 with their contractor, if
    the collective economy is there."""
    with engine.connect() as c:
        try:
            m = c.execute(text("SELECT m.id_number, m.name, o.region_code FROM members m JOIN collective_orgs o "
                               "ON o.id = m.org_id WHERE o.region_code BETWEEN :lo AND :hi ORDER BY m.id"),
                          dict(lo=lo, hi=hi)).all()
            r = c.execute(text("SELECT r.id, r.region_code, r.area_mu, r.parcel_no, k.counterparty, "
                               "k.counterparty_id_type, k.counterparty_id, k.signed_on, k.end_on "
                               "FROM resources r JOIN contracts k ON k.id = r.contract_id "
                               "WHERE r.type = '林地' AND r.contracted AND k.counterparty_id IS NOT NULL "
                               "AND r.region_code BETWEEN :lo AND :hi ORDER BY r.id"), dict(lo=lo, hi=hi)).all()
        except Exception:
            m, r = [], []
    members = pl.DataFrame(m, schema=["identifier", "name", "region_code"], orient="row") if m else \
        pl.DataFrame(schema={"identifier": pl.Utf8, "name": pl.Utf8, "region_code": pl.Int64})
    cols = ["resource_id", "region_code", "area_mu", "parcel_no", "name", "id_type", "identifier", "signed_on", "end_date"]
    res = pl.DataFrame([tuple(x) for x in r], schema=cols, orient="row", infer_schema_length=None) if r else None
    return members, res


def subject_frame(rng, villages: np.ndarray, weights: np.ndarray, n: int, members: pl.DataFrame,
                  contractors: pl.DataFrame | None, demo_person: dict | None, today: dt.date) -> pl.DataFrame:
    """The subjects: ~87 % natural persons (a share of them the collective members), the rest legal
    persons, cooperatives and individual businesses; the demo member first; one per identifier."""
    kind = rng.choice(["natural", "legal", "organisation", "individual_business"], n, p=[0.87, 0.04, 0.05, 0.04])
    region = villages[rng.choice(len(villages), n, p=weights)]
    counties6 = region // 1_000_000
    natural = kind == "natural"
    ident = np.empty(n, dtype=object)
    ident[natural] = resident_ids(rng, counties6[natural])
    prefixes = np.select([kind == "legal", kind == "organisation"], ["91", "93"], "92")
    ident[~natural] = usccs(counties6[~natural], prefixes[~natural], first=int(rng.integers(10_000_000, 20_000_000)))
    names = np.array(people.names(rng, n), dtype=object)
    words = rng.choice(people.COMPANY_WORDS, n)
    suffix = np.select([kind == "legal", kind == "organisation"], ["林业开发有限公司", "林业专业合作社"], "林产品经营部")
    org_names = np.char.add(np.char.add(words.astype(str), np.char.mod("%d", rng.integers(1, 99, n))), suffix)
    names[~natural] = org_names[~natural]
    frame = pl.DataFrame({"kind": kind, "region_code": region.astype(np.int64), "identifier": ident.astype(str),
                          "name": names.astype(str)})
    # a third of the natural persons are the members of the villages' collectives (linked records)
    take = members.sample(n=min(members.height, int(natural.sum() * 0.3)), seed=int(rng.integers(1 << 30)))
    if take.height:
        slots = np.flatnonzero(natural)[: take.height]
        frame = frame.with_row_index("i").join(
            take.with_columns(i=pl.Series(slots, dtype=pl.UInt32)), on="i", how="left", suffix="_m").select(
            "kind", region_code=pl.coalesce("region_code_m", "region_code"),
            identifier=pl.coalesce("identifier_m", "identifier"), name=pl.coalesce("name_m", "name"))
    extra = []
    if demo_person:
        extra.append(pl.DataFrame([{"kind": "natural", **demo_person}]))
    if contractors is not None and contractors.height:
        extra.append(contractors.select(
            kind=pl.when(pl.col("id_type") == "resident").then(pl.lit("natural")).otherwise(pl.lit("organisation")),
            region_code=pl.col("region_code").cast(pl.Int64), identifier="identifier", name="name"))
    frame = pl.concat([*extra, frame], how="diagonal_relaxed").unique("identifier", keep="first", maintain_order=True)
    h = frame.height
    org = frame["kind"] != "natural"
    reg = today - dt.timedelta(days=365 * 3)
    return frame.with_columns(
        id_type=pl.when(pl.col("kind") == "natural").then(pl.lit("resident")).otherwise(pl.lit("uscc")),
        other_id_type=pl.lit(None, pl.Utf8),
        legal_rep=pl.when(org).then(pl.Series(people.names(rng, h))).otherwise(None),
        phone=pl.Series([f"1{p}" for p in rng.integers(3_000_000_000, 9_999_999_999, h)]),
        address=pl.lit(None, pl.Utf8),
        registered_on=pl.lit(reg) - pl.duration(days=pl.Series(rng.integers(0, 3650, h))),
        statement=pl.lit(None, pl.Utf8), statement_at=pl.lit(None, pl.Datetime("us", "UTC")),
        score=pl.lit(None, pl.Int32), grade=pl.lit(None, pl.Utf8), unrated=pl.lit(True),
        evaluated_at=pl.lit(None, pl.Datetime("us", "UTC")))


def _days_back(rng, n: int, today: dt.date, days: int = 4 * 365) -> pl.Series:
    return pl.Series(np.datetime64(today) - rng.integers(1, days, n).astype("timedelta64[D]")).cast(pl.Date)


def authority_code(county6: int) -> str:
    """A county forestry bureau's unified social credit code (a state organ, 11 + the county's 6 digits)."""
    org = f"{county6 % 10**6:06d}{county6 % 97:02d}"
    body = f"11{county6:06d}{org}{org_code_check_char(org)}"
    return body + uscc_check_char(body)


def _records(subjects: pl.DataFrame, idx: np.ndarray, kind: str, category: str, **cols) -> pl.DataFrame:
    base = subjects[idx].select(subject_id="id", region_code="region_code", county=pl.col("region_code") // 1_000_000)
    return base.with_columns(kind=pl.lit(kind), category=pl.lit(category), **{
        k: (pl.Series(v) if isinstance(v, (np.ndarray, list)) else v if isinstance(v, pl.Series | pl.Expr) else pl.lit(v))
        for k, v in cols.items()})


def _draw_subjects(rng, n: int, share: float, geometric: float) -> np.ndarray:
    """Subject row numbers for a kind of record: `share` of the subjects, each 1 + Geometric times."""
    has = np.flatnonzero(rng.random(n) < share)
    return np.repeat(has, rng.geometric(geometric, len(has)))


def record_frames(rng, subjects: pl.DataFrame, today: dt.date, short: str, county_names: dict[int, str],
                  batches: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every record but the loans' repayments: (the loans, everything else)."""
    n = subjects.height
    natural = (subjects["kind"] == "natural").to_numpy()
    dept = pl.col("county").replace_strict(county_names, default="林业局", return_dtype=pl.Utf8) + "林业局"
    out = []
    # dishonest: most subjects none, a few many; severities minor > ordinary > serious, over 4 years
    i = _draw_subjects(rng, n, 0.12, 0.45)
    sev = rng.choice(["minor", "ordinary", "serious"], len(i), p=[0.55, 0.33, 0.12])
    sub = rng.choice(list(DISHONEST_TITLES), len(i), p=[0.85, 0.1, 0.05])
    titles = np.array([DISHONEST_TITLES[s][k % len(DISHONEST_TITLES[s])] for s, k in
                       zip(sub.tolist(), rng.integers(0, 10, len(i)).tolist())])
    months = pl.col("severity").replace_strict({"minor": "3mo", "ordinary": "12mo", "serious": "36mo"})
    d = _records(subjects, i, "dishonest", "public", subtype=sub, title=titles, severity=sev,
                 occurred_on=_days_back(rng, len(i), today),
                 amount_fen=pl.when(pl.Series(sub == "admin_penalty")).then(
                     pl.Series(rng.integers(500, 50_000, len(i)) * 100)).otherwise(None),
                 document_no=pl.Series([f"{short}林罚决字〔{2022 + k % 5}〕{k}号" for k in rng.integers(1, 9999, len(i))]),
                 source="external", source_system="行政执法信息系统", open_class="unconditional",
                 share_class="unconditional")
    # the 双公示 fields an administrative penalty carries (CF_YJ, CF_CFLB, CF_CFJGDM): the law, the penalty,
    # and the deciding county bureau's unified social credit code (a state organ's: 11…)
    authority = pl.col("county").map_elements(authority_code, return_dtype=pl.Utf8)
    penalty = pl.col("subtype") == "admin_penalty"
    d = d.with_columns(detail=pl.when(penalty).then(pl.struct(
        legal_basis=pl.lit(FOREST_LAW_PENALTY),
        penalty_type=pl.when(pl.col("amount_fen").is_not_null()).then(pl.lit("罚款")).otherwise(pl.lit("警告")),
        authority_code=authority)).otherwise(None))
    out.append(d.with_columns(publicity_until=pl.col("occurred_on").dt.offset_by(months).dt.offset_by("-1d"),
                              content=pl.col("title") + "，依法作出处理决定"))
    # good records
    i = _draw_subjects(rng, n, 0.08, 0.7)
    sub = rng.choice(list(GOOD_TITLES), len(i))
    out.append(_records(subjects, i, "good", "public", subtype=sub, title=[GOOD_TITLES[s] for s in sub.tolist()],
                        occurred_on=_days_back(rng, len(i), today), source="platform", open_class="unconditional",
                        share_class="unconditional"))
    # registration of the organisations
    i = np.flatnonzero(~natural)
    out.append(_records(subjects, i, "basic", "public", title="市场主体登记信息", source="external",
                        source_system="市场主体登记系统", occurred_on=subjects[i]["registered_on"],
                        open_class="unconditional", share_class="unconditional"))
    # market data: insurance claims, transfers, element trades, industry services
    for kind, share, title, lo, hi, cp in (
            ("insurance", 0.05, "森林保险理赔", 1_000, 80_000, INSURERS),
            ("transfer", 0.06, "林地经营权流转", 5_000, 500_000, ["县农村产权交易中心"]),
            ("trade", 0.03, "林木采伐指标交易", 2_000, 200_000, ["县农村产权交易中心"]),
            ("service", 0.02, "林业社会化服务（技术培训）", 200, 5_000, ["县林业技术推广站"])):
        i = _draw_subjects(rng, n, share, 0.8)
        out.append(_records(subjects, i, kind, "market", title=title, occurred_on=_days_back(rng, len(i), today),
                            amount_fen=rng.integers(lo, hi, len(i)) * 100, counterparty=rng.choice(cp, len(i)),
                            source="platform", open_class="conditional", share_class="conditional"))
    # subsidies paid to households (资金到户): batch imports on the county's document, per year
    i = np.repeat(np.flatnonzero(natural & (rng.random(n) < 0.45)), 1)
    i = np.repeat(i, rng.integers(1, 5, len(i)))
    years = today.year - rng.integers(0, 4, len(i))
    s = _records(subjects, i, "subsidy", "market", subtype=rng.choice(SUBSIDIES, len(i)),
                 occurred_on=pl.Series([dt.date(int(y), 6, 30) for y in years]),
                 amount_fen=rng.integers(50, 3_000, len(i)) * 100, source="import", open_class="conditional",
                 share_class="unconditional", year=years)
    s = s.join(batches.filter(pl.col("kind") == "subsidy").select("id", county=pl.col("region_code") // 1_000_000,
                                                                    year="year"), on=["county", "year"], how="left")
    out.append(s.rename({"id": "batch_id"}).with_columns(title=pl.col("subtype") + "（资金到户）").drop("year"))
    # lists of leading enterprises, model forest farms and cooperatives (one province document a year)
    i = np.flatnonzero(~natural & (rng.random(n) < 0.1))
    lists = batches.filter(pl.col("kind") == "list").sort("year")
    pick = rng.integers(0, lists.height, len(i))
    out.append(_records(subjects, i, "list", "market", subtype=rng.choice(["provincial_leading", "model_farm", "model_coop"],
                                                                            len(i), p=[0.3, 0.3, 0.4]),
                        title="入选林业龙头企业、示范林场、示范合作社名单",
                        occurred_on=pl.Series([dt.date(int(y), 12, 1) for y in lists["year"].to_numpy()[pick]]),
                        batch_id=lists["id"].to_numpy()[pick], source="import", open_class="unconditional",
                        share_class="unconditional"))
    # loans: mortgage and credit loans from a handful of banks
    i = _draw_subjects(rng, n, 0.18, 0.85)
    org = ~natural[i]
    principal = np.where(org, rng.integers(50, 500, len(i)) * 1_000_000, rng.integers(3, 50, len(i)) * 1_000_000)
    term = rng.choice([12, 24, 36], len(i))
    loans = _records(subjects, i, "loan", "market", subtype=rng.choice(["mortgage_loan", "credit_loan"], len(i)),
                     occurred_on=_days_back(rng, len(i), today, 3 * 365), amount_fen=principal,
                     counterparty=rng.choice(BANKS, len(i), p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.1]), source="external",
                     source_system="金融机构信贷系统", open_class="none", share_class="conditional",
                     term=term, step=rng.choice([1, 3], len(i), p=[0.6, 0.4]),
                     behaviour=rng.choice(["on_time", "late", "overdue"], len(i), p=[0.85, 0.11, 0.04]))
    loans = loans.with_columns(title=pl.when(pl.col("subtype") == "mortgage_loan").then(pl.lit("林权抵押贷款"))
                               .otherwise(pl.lit("林农信用贷款")),
                               document_no=pl.format("借字第{}号", pl.int_range(1, pl.len() + 1)))
    others = pl.concat(out, how="diagonal_relaxed").with_columns(produced_by=dept)
    return loans.with_columns(produced_by=dept), others


def repayment_frame(rng, loans: pl.DataFrame, today: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Monthly or quarterly instalments: most paid on time, some late, a few overdue and open.
    Returns (repayments, the loans with their detail and status)."""
    k = loans.select("id", "region_code", "occurred_on", "amount_fen", "term", "step", "behaviour").with_columns(
        stop=pl.Series(rng.random(loans.height))).with_columns(
        n=pl.col("term") // pl.col("step")).with_columns(k=pl.int_ranges(1, pl.col("n") + 1)).explode("k")
    months = pl.col("occurred_on").dt.year() * 12 + pl.col("occurred_on").dt.month() - 1 + pl.col("k") * pl.col("step")
    month1 = pl.date(months // 12, months % 12 + 1, 1)  # the due month, the loan's day clamped to its end
    k = k.with_columns(due_on=pl.date(months // 12, months % 12 + 1,
                                      pl.min_horizontal(pl.col("occurred_on").dt.day(), month1.dt.month_end().dt.day())),
                       due_fen=(pl.col("amount_fen") * (1 + 0.05 * pl.col("term") / 12) / pl.col("n")).round().cast(pl.Int64))
    h = k.height
    late = rng.integers(5, 60, h)
    roll = rng.random(h)
    t = pl.lit(today)
    # an overdue loan stops paying from a random instalment (`stop`) among those already due
    k = k.with_columns(due_count=(pl.col("due_on") <= t).sum().over("id"))
    k = k.with_columns(roll=pl.Series(roll < 0.3), late=pl.Series(late), early=pl.Series(rng.integers(0, 5, h)))
    unpaid_from = (pl.col("due_count") * pl.col("stop")).floor() + 1
    paid_on = (pl.when(pl.col("due_on") > t).then(None)
               .when((pl.col("behaviour") == "overdue") & (pl.col("k") >= unpaid_from)).then(None)
               .when((pl.col("behaviour") == "late") & pl.col("roll"))
               .then(pl.col("due_on") + pl.duration(days=pl.col("late")))
               .otherwise(pl.col("due_on") - pl.duration(days=pl.col("early"))))
    k = k.with_columns(paid_on=paid_on).with_columns(
        paid_on=pl.when(pl.col("paid_on") > t).then(None).otherwise("paid_on"))
    k = k.with_columns(paid_fen=pl.when(pl.col("paid_on").is_null()).then(0).otherwise("due_fen"))
    status = k.group_by("id").agg(
        overdue=((pl.col("due_on") < t) & pl.col("paid_on").is_null()).any(),
        open=pl.col("paid_on").is_null().any(), late=(pl.col("paid_on") > pl.col("due_on")).sum(),
        end=pl.col("due_on").max(), outstanding=pl.col("due_fen").filter(pl.col("paid_on").is_null()).sum())
    loans = loans.join(status, on="id", how="left").with_columns(
        state=pl.when("overdue").then(pl.lit("overdue")).when("open").then(pl.lit("open")).otherwise(pl.lit("settled")))
    loans = loans.with_columns(detail=pl.struct(
        term_months="term", schedule=pl.when(pl.col("step") == 1).then(pl.lit("monthly")).otherwise(pl.lit("quarterly")),
        rate=pl.lit("5.00%"), state="state", due_end="end", late_instalments="late", outstanding_fen="outstanding"))
    reps = k.select("region_code", "due_on", "due_fen", "paid_on", "paid_fen", record_id="id")
    return reps, loans
