"""The credit population's forest rights by parcel unit (valid 28-character unit codes of the
parcel's county, species per province, stock, age class, a point in the county and some simplified
polygons), their mortgages and restriction notes, the import batches' authoritative documents, the
authorisations for the demo bank and the portrait views.

Locations: the county's centroid from the shipped county boundaries (data/maps.py, the mean of the
largest ring's vertices), or the city's, or the province's mean, plus a deterministic offset of up
to ±0.08° — close to, not guaranteed inside, the county outline."""
from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache

import numpy as np
import polars as pl

from data.maps import load_geojson

AGE_BY_YEARS = [(10, "young"), (20, "middle"), (30, "near_mature"), (50, "mature"), (999, "over_mature")]
STOCK_PER_MU = {"young": 0.8, "middle": 3.5, "near_mature": 6.0, "mature": 8.5, "over_mature": 9.0}  # m³ per mu
FOREST_TYPES = {"杉木": "timber", "马尾松": "timber", "毛竹": "economic", "油茶": "economic", "落叶松": "timber",
                "红松": "protection", "白桦": "protection", "杨树": "timber"}


def _ring_centre(geometry: dict) -> tuple[float, float] | None:
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    ring = max((p[0] for p in polys), key=len, default=None)
    if not ring:
        return None
    a = np.asarray(ring, dtype=float)
    return float(a[:, 0].mean()), float(a[:, 1].mean())


@cache
def centres(province: int) -> dict[int, tuple[float, float]]:
    """12-digit county or city code → (lon, lat)."""
    out = {}
    for level in (2, 3):
        for f in load_geojson(province, level)["features"]:
            c = _ring_centre(f["geometry"])
            if c:
                out[int(f["id"])] = c
    return out


def locate(province: int, counties: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) centres of the given 12-digit county codes."""
    known = centres(province)
    fallback = tuple(np.mean(list(known.values()), axis=0)) if known else (116.0, 28.0)
    lon, lat = np.empty(len(counties)), np.empty(len(counties))
    for c in np.unique(counties):
        centre = known.get(int(c)) or known.get(int(c) // 100_000_000 * 100_000_000) or fallback
        sel = counties == c
        lon[sel], lat[sel] = centre
    return lon, lat


def right_frame(rng, subjects: pl.DataFrame, province: int, species: list[str], p: list[float], today: dt.date,
                contractors: pl.DataFrame | None, first_id: int) -> pl.DataFrame:
    """Forest rights: half the natural persons hold 1–3 parcels, most organisations 1–5; the
    contracted collective 林地 become their contractors' contracting rights (`resource_id`)."""
    n = subjects.height
    natural = (subjects["kind"] == "natural").to_numpy()
    holds = np.where(natural, rng.random(n) < 0.5, rng.random(n) < 0.7)
    count = np.where(natural, rng.integers(1, 4, n), rng.integers(1, 6, n)) * holds
    i = np.repeat(np.arange(n), count)
    h = len(i)
    nat = natural[i]
    frame = subjects[i].select(subject_id="id", region_code="region_code").with_columns(
        resource_id=pl.lit(None, pl.Int64),
        area=pl.Series(np.where(nat, rng.lognormal(3.0, 0.8, h), rng.lognormal(5.5, 1.0, h)).clip(1, 20_000)),
        right_type=pl.Series(np.where(nat, rng.choice(["contracting", "management", "use"], h, p=[0.6, 0.25, 0.15]),
                                      rng.choice(["use", "management"], h))))
    if contractors is not None and contractors.height:
        ids = dict(zip(subjects["identifier"].to_list(), subjects["id"].to_list()))
        own = contractors.with_columns(subject_id=pl.col("identifier").replace_strict(ids, default=None, return_dtype=pl.Int64))
        own = own.filter(pl.col("subject_id").is_not_null()).select(
            "subject_id", region_code=pl.col("region_code").cast(pl.Int64), resource_id=pl.col("resource_id").cast(pl.Int64),
            area=pl.col("area_mu").cast(pl.Float64).clip(1, 20_000), right_type=pl.lit("contracting"))
        frame = pl.concat([own, frame], how="vertical_relaxed")
    h = frame.height
    county = (frame["region_code"].to_numpy() // 1_000_000) * 1_000_000
    # unit codes: the parcel's county, cadastral zone/sub-zone from the township and a running number
    seq = frame.with_columns(c=pl.Series(county)).select(pl.int_range(pl.len()).over("c"))[:, 0].to_numpy()
    town = (frame["region_code"].to_numpy() // 1000) % 1000
    feature = np.where(frame["right_type"].to_numpy() == "ownership", "JC", "JE")
    code = [f"{c // 1_000_000:06d}{t % 1000:03d}{s // 99_999 + 1:03d}{f}{s % 99_999 + 1:05d}L{s + 1:08d}"
            for c, t, s, f in zip(county.tolist(), town.tolist(), seq.tolist(), feature.tolist())]
    sp = rng.choice(species, h, p=p)
    age = rng.integers(3, 60, h)
    age_class = np.select([age < b for b, _ in AGE_BY_YEARS], [k for _, k in AGE_BY_YEARS], "over_mature")
    stock = frame["area"].to_numpy() * np.vectorize(STOCK_PER_MU.get)(age_class) * rng.uniform(0.7, 1.3, h)
    lon, lat = locate(province, county)
    lon = lon + rng.uniform(-0.08, 0.08, h)
    lat = lat + rng.uniform(-0.06, 0.06, h)
    poly = rng.random(h) < 0.2
    d = 0.004
    polygon = [f"[[{x - d:.5f},{y - d:.5f}],[{x + d:.5f},{y - d:.5f}],[{x + d:.5f},{y + d:.5f}],"
               f"[{x - d:.5f},{y + d:.5f}],[{x - d:.5f},{y - d:.5f}]]" if q else None
               for x, y, q in zip(lon.tolist(), lat.tolist(), poly.tolist())]
    start = np.datetime64(today) - rng.integers(200, 20 * 365, h).astype("timedelta64[D]")
    years = rng.choice([30, 50, 70], h)
    short = [f"第{k:07d}号" for k in range(first_id, first_id + h)]
    return frame.with_columns(
        id=pl.int_range(first_id, first_id + h, dtype=pl.Int64), unit_code=pl.Series(code),
        certificate_no=pl.Series(short), area_mu=pl.col("area").round(2).cast(pl.Utf8),
        forest_type=pl.Series(np.vectorize(FOREST_TYPES.get)(sp)), species=pl.Series(sp),
        age_class=pl.Series(age_class), stand_age=pl.Series(age), stock_m3=pl.Series(stock.round(2)).cast(pl.Utf8),
        lon=pl.Series(lon.round(5)), lat=pl.Series(lat.round(5)), polygon=pl.Series(polygon, dtype=pl.Utf8),
        valid_from=pl.Series(start).cast(pl.Date),
        valid_until=(pl.Series(start).cast(pl.Date).dt.offset_by(pl.Series([f"{y}y" for y in years]))),
        batch_id=pl.lit(None, pl.Int64)).drop("area")


def encumbrance_frame(rng, rights: pl.DataFrame, loans: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """Mortgage loans on one of the borrower's parcels (released when settled), and a few
    restriction notes (Art. X47(3)); neither changes the right's ownership data."""
    first = rights.group_by("subject_id").agg(right_id=pl.col("id").min(), rc=pl.col("region_code").first())
    m = loans.filter(pl.col("subtype") == "mortgage_loan").join(first, on="subject_id", how="inner").select(
        "right_id", region_code="rc", kind=pl.lit("mortgage"), holder="counterparty", amount_fen="amount_fen",
        registered_on="occurred_on", until="end",
        released_on=pl.when(pl.col("state") == "settled").then(pl.col("end")).otherwise(None),
        note=pl.lit("林权抵押登记"), loan_record_id="id")
    pick = rights.filter(pl.Series(rng.random(rights.height) < 0.004))
    r = pick.select(right_id="id", region_code="region_code", kind=pl.lit("restriction"), holder=pl.lit(None, pl.Utf8),
                    amount_fen=pl.lit(None, pl.Int64),
                    registered_on=pl.lit(today) - pl.duration(days=pl.Series(rng.integers(10, 700, pick.height))),
                    until=pl.lit(None, pl.Date), released_on=pl.lit(None, pl.Date),
                    note=pl.Series(rng.choice(["人民法院查封登记（限制处分）", "权属争议，暂停流转备注"], pick.height)),
                    loan_record_id=pl.lit(None, pl.Int64))
    now = dt.datetime.combine(today, dt.time(9), dt.UTC)
    return pl.concat([m, r], how="vertical_relaxed").with_columns(
        created_by_id=pl.lit(None, pl.Int64), created_at=pl.lit(now).cast(pl.Datetime("us", "UTC")))


def document(title: str, number: str) -> bytes:
    """The authoritative document behind a batch (a small text stand-in for the scanned file)."""
    return f"{title}\n{number}\n（演示数据：有权机关正式文件的扫描件）\n".encode()


def batch_frames(counties: list[tuple[int, str]], province_root: int, today: dt.date, short: str, first_id: int,
                 first_attachment: int, user_id: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One 资金到户 batch per county and year (4 years) and one province list a year, each on its
    document (an attachment). Returns (batches, attachments)."""
    rows = [("subsidy", code, y, f"{name}{y}年度林业补助资金到户发放清单", f"{short}林财字〔{y}〕{k + 1}号", f"{name}林业局")
            for k, (code, name) in enumerate(counties) for y in range(today.year - 3, today.year + 1)]
    rows += [("list", province_root, y, f"{y}年度林业龙头企业、示范林场和示范合作社名单", f"{short}林改字〔{y}〕8号",
              "省林业局") for y in range(today.year - 3, today.year + 1)]
    now = dt.datetime.combine(today, dt.time(9), dt.UTC)
    b, a = [], []
    for k, (kind, region, year, title, number, issuer) in enumerate(rows):
        content = document(title, number)
        fname = f"{number}.pdf"
        b.append(dict(id=first_id + k, region_code=region, kind=kind, year=year, document_title=title, document_no=number,
                      issued_by=issuer, issued_on=dt.date(year, 6, 1) if kind == "subsidy" else dt.date(year, 11, 20),
                      attachment_id=first_attachment + k, filename=fname, sha256=hashlib.sha256(content).hexdigest(),
                      rows=0, imported_by_id=user_id))
        a.append(dict(id=first_attachment + k, owner_type="credit_import_batch", owner_id=first_id + k, filename=fname,
                      content_type="application/pdf", size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                      content=content, uploaded_by_id=user_id, uploaded_at=now))
    return pl.DataFrame(b), pl.DataFrame(a)


def authorisation_frames(rng, subjects: pl.DataFrame, loans: pl.DataFrame, region_lo: int, region_hi: int,
                         today: dt.date, bank: str, viewer_id: int | None, live: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Authorisations for the demo bank in the demo county (its borrowers first): `live` live ones,
    a tenth as many revoked and as many expired; one to three portrait views under each."""
    local = subjects.filter(pl.col("region_code").is_between(region_lo, region_hi))
    borrowers = loans.filter(pl.col("counterparty") == bank)["subject_id"].unique()
    ordered = pl.concat([local.filter(pl.col("id").is_in(borrowers.implode())), local.filter(~pl.col("id").is_in(
        borrowers.implode()))]).select("id", "region_code")
    n = min(ordered.height, live + 2 * max(live // 10, 3))
    pick = ordered.head(n)
    state = np.array(["live"] * min(live, n) + ["revoked", "expired"] * n)[:n]
    start = np.datetime64(today) - rng.integers(30, 400, n).astype("timedelta64[D]")
    until = np.where(state == "expired", np.datetime64(today) - rng.integers(1, 25, n).astype("timedelta64[D]"),
                     np.datetime64(today) + rng.integers(30, 700, n).astype("timedelta64[D]"))
    granted = pl.Series(start).cast(pl.Datetime("us")).dt.replace_time_zone("UTC") + pl.duration(hours=2)
    auths = pick.select(subject_id="id", region_code="region_code").with_columns(
        institution=pl.lit(bank), purpose=pl.Series(rng.choice(["mortgage_loan", "credit_loan", "insurance",
                                                                 "interest_subsidy"], n, p=[0.5, 0.3, 0.1, 0.1])),
        valid_from=pl.Series(start).cast(pl.Date), valid_until=pl.Series(until).cast(pl.Date),
        granted_by_id=pl.lit(None, pl.Int64), granted_at=granted,
        revoked_at=pl.when(pl.Series(state == "revoked")).then(granted + pl.duration(days=20)).otherwise(None),
        revoked_by_id=pl.lit(None, pl.Int64))
    auths = auths.with_columns(id=pl.int_range(1, n + 1, dtype=pl.Int64))
    if viewer_id is None or not n:
        return auths, pl.DataFrame()
    views = auths.with_columns(times=pl.Series(rng.integers(1, 4, n))).with_columns(
        t=pl.int_ranges(0, "times")).explode("t").select(
        "subject_id", "region_code", viewer_id=pl.lit(viewer_id, pl.Int64), institution="institution", purpose="purpose",
        authorisation_id="id", viewed_at=pl.col("granted_at") + pl.duration(days=pl.col("t") * 3 + 1),
        kind=pl.lit("screen"))
    return auths, views
