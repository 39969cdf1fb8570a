"""Deterministic demo data for one province: `python -m data.demo --scale demo|test|province`.

Scales: `test` (three townships, two years: the test suite), `demo` (every village of the
province for three years: light detail everywhere — monthly summary vouchers (an income, a
spending and a depreciation voucher a month), a few assets, resources, contracts and
meetings — and full detail in the demo county: `make run`), `province` (every village, ten
years, > 20 million ledger lines: the benchmark). The same seed gives the same data.
"""
from __future__ import annotations

import argparse
import os
import datetime as dt
import time
import uuid
from dataclasses import dataclass

import numpy as np
import polars as pl
from sqlalchemy import func, select, text

from data import bulk
from data.db import engine_for, transaction, upgrade
from data.models import Base, Region, Setting, User
from data.regions import load_region_tree
from domain import clock
from domain.regions import TOWNSHIP, truncate
from settings import Settings

from .business import business_frames
from .meetings import fit_to_roll, plant_same_person, with_people
from .ledger import Ledger, generate_ledger
from .orgs import org_frames
from .payments import payment_frames
from .progress import Progress


@dataclass(frozen=True)
class Detail:
    """How much a village gets: vouchers a month (mean), members on the roll, record density."""
    vouchers_per_month: float
    members_per_village: int
    density: float


@dataclass(frozen=True)
class Scale(Detail):
    months: int = 36
    #: the villages outside the full-detail roots (None: the scale covers only its roots)
    light: Detail | None = None


SCALES = {
    "test": Scale(months=24, vouchers_per_month=4, members_per_village=8, density=0.5),
    "demo": Scale(months=36, vouchers_per_month=6, members_per_village=16, density=1.0,
                  light=Detail(vouchers_per_month=1.0, members_per_village=6, density=0.2)),
    "province": Scale(months=120, vouchers_per_month=7.6, members_per_village=6, density=0.5),
}

#: The demo logins `make run` prints (all share the DEMO_PASSWORD setting).
DEMO_LOGINS = [
    ("demo-province", "省级领导：全省驾驶舱（只读）"),
    ("demo-admin", "省级平台管理员"),
    ("demo-admin-b", "省级平台管理员（第二人：审批 demo-admin 提出的申请）"),
    ("demo-city", "市级平台管理员"),
    ("demo-county", "县级组织管理员（县级官员）"),
    ("demo-township", "乡镇代理会计"),
    ("demo-township-head", "乡镇主要领导"),
    ("demo-secretary", "村书记（理事长）"),
    ("demo-supervisor", "村集体监事长"),
    ("demo-village", "村报账员（出纳）"),
    ("demo-bank", "金融机构用户"),
    ("demo-member", "集体经济组织成员"),
    ("demo-forestry", "省级林业主管部门（林业信用统计、采集）"),
    ("demo-credit-handler", "数据管理单位经办部门"),
    ("demo-credit-deputy", "数据管理单位分管领导"),
    ("demo-credit-head", "数据管理单位主要领导"),
    ("demo-county-forestry", "县级林业主管部门（演示县）"),
    ("demo-enforcement", "林业执法部门（演示县）"),
    ("demo-public-body", "其他公共管理和服务机构（省市场监督管理局）"),
    ("demo-subject", "信用主体（即 demo-member 本人：林权权利人）"),
    ("demo-bank-b", "另一家金融机构（无任何授权）"),
]

#: share of villages with each planted fault (at least one village each, at every scale)
PLANT = {"test": 0.01, "demo": 0.01, "province": 0.004}

TABLE_ORDER = ["collective_orgs", "village_profiles", "households", "members", "bank_accounts", "meetings", "resolutions",
               "assets", "asset_events", "trade_listings", "bids", "contracts", "contract_instalments", "contract_receipts",
               "resources", "annual_checks", "disclosures"]
RECORD_TABLES = {"collective_orgs", "village_profiles", "households", "members", "bank_accounts", "meetings", "resolutions",
                 "assets", "trade_listings", "contracts", "resources", "annual_checks", "disclosures", "vouchers"}


def scale_roots(settings: Settings, scale: str) -> list[int]:
    """Which subtrees get full detail at a scale (with a `light` tier, the rest of the province
    gets light detail)."""
    tree = load_region_tree(settings.province)
    if scale == "province":
        return [tree.root]
    county = settings.demo_county
    if scale == "demo":
        return [county]
    towns = tree.children(county)["code"].to_list()
    city = tree.frame.filter(pl.col("code") == county)["parent"][0]
    other = [c for c in tree.children(city)["code"].to_list() if c != county and tree.children(c).height][0]
    return towns[:2] + tree.children(other)["code"].to_list()[:1]


def demo_users(settings: Settings, villages: pl.DataFrame, member_of_demo_village: int | None) -> list[dict]:
    tree = load_region_tree(settings.province)
    county = settings.demo_county
    first_village = int(villages.filter((pl.col("code") >= county) & (pl.col("code") < county + 1_000_000))["code"][0])
    township = first_village // 1000 * 1000
    city = county // 100_000_000 * 100_000_000
    other_villages = villages.filter((pl.col("code") < county) | (pl.col("code") >= county + 1_000_000))
    rows = [  # username, display name, role, region, other columns
        ("demo-province", "省级领导（演示）", "province_leader", tree.root, {}),
        ("demo-admin", "省级平台管理员（演示）", "province_admin", tree.root, {}),
        # a second one: nobody decides their own request, and above the province there is no one
        ("demo-admin-b", "省级平台管理员（复核，演示）", "province_admin", tree.root, {}),
        ("demo-city", f"{tree.name(city)}平台管理员（演示）", "city_admin", city, {}),
        ("demo-county", f"{tree.name(county)}组织管理员（演示）", "county_admin", county, {}),
        ("demo-township", f"{tree.name(township)}代理会计（演示）", "township_accountant", township, {}),
        ("demo-township-head", f"{tree.name(township)}主要领导（演示）", "township_head", township, {}),
        ("demo-secretary", f"{tree.name(first_village)}书记（演示）", "village_secretary", first_village, {}),
        ("demo-supervisor", f"{tree.name(first_village)}监事长（演示）", "village_supervisor", first_village, {}),
        ("demo-village", f"{tree.name(first_village)}报账员（演示）", "village_cashier", first_village, {}),
        ("demo-bank", "合作金融机构（演示）", "bank_user", tree.root, {"institution": "合作金融机构"}),
        ("demo-member", f"{tree.name(first_village)}成员（演示）", "member", first_village,
         {"member_id": member_of_demo_village}),
        # the forestry side (issue 15): the bureau, the data management unit, the county, a public body
        ("demo-forestry", "省林业局（演示）", "forestry_bureau", tree.root, {}),
        ("demo-credit-handler", "数据管理单位经办部门（演示）", "credit_handler", tree.root, {}),
        ("demo-credit-deputy", "数据管理单位分管领导（演示）", "credit_deputy", tree.root, {}),
        ("demo-credit-head", "数据管理单位主要领导（演示）", "credit_head", tree.root, {}),
        ("demo-county-forestry", f"{tree.name(county)}林业局（演示）", "county_forestry", county, {}),
        ("demo-enforcement", f"{tree.name(county)}林业执法大队（演示）", "law_enforcement", county, {}),
        ("demo-public-body", "省市场监督管理局（演示）", "public_body", tree.root, {"institution": "省市场监督管理局"}),
        # the demo member's own credit account (credit_subject_id set when the credit population exists)
        ("demo-subject", f"{tree.name(first_village)}林权权利人（演示）", "credit_subject", first_village, {}),
        ("demo-bank-b", "其他银行（演示）", "bank_user", tree.root, {"institution": "其他银行（演示）"}),
    ]
    if other_villages.height:
        other_county = int(other_villages["code"][0]) // 1_000_000 * 1_000_000
        rows.append(("demo-county-b", f"{tree.name(other_county)}组织管理员（演示）", "county_admin", other_county, {}))
    return [dict(username=u, display_name=d, role=r, region_code=int(c), member_id=None, institution=None) | extra
            for u, d, r, c, extra in rows]


def has_data(settings: Settings) -> dict | None:
    engine = engine_for(settings.database_url)
    try:
        with engine.connect() as c:
            row = c.execute(select(Setting.value).where(Setting.key == "dataset")).first()
    except Exception:
        return None
    return row[0] if row else None


@dataclass
class DemoFrames:
    """Every generated table but the users, in memory."""
    ledger: Ledger
    frames: dict[str, pl.DataFrame]
    requests: pl.DataFrame  # payment_requests (their requester is set when the users exist)
    planted: dict[str, list[int]]  # fault -> village indexes
    first: dt.date  # the first day of the ledger


def detail_of(spec: Scale, full: np.ndarray) -> Detail:
    """Per-village detail: the scale's own where `full`, its light tier elsewhere."""
    light = spec.light or spec
    return Detail(*(np.where(full, getattr(spec, f), getattr(light, f))
                    for f in ("vouchers_per_month", "members_per_village", "density")))


def demo_frames(rng: np.random.Generator, province: int, villages: pl.DataFrame, spec: Scale, today: dt.date,
                plant: float, full: np.ndarray | None = None, progress=lambda step: None) -> DemoFrames:
    """The ledger and the business records of `villages` up to `today` (the same generator state
    gives the same frames). `full`: which villages get the scale's full detail (all by default)."""
    end_period = today.year * 100 + today.month
    codes = villages["code"].to_numpy()
    org_ids = np.arange(1, villages.height + 1)
    d = spec if full is None or full.all() else detail_of(spec, full)
    ledger = generate_ledger(rng, codes, org_ids, end_period, spec.months, d.vouchers_per_month, last_day=today.day,
                             plant=plant, summary=None if d is spec else ~full)
    progress("ledger")
    frames = org_frames(rng, villages, ledger.wealth_fen, d.members_per_village, today)
    first_period = int(ledger.vouchers["period"].min())
    first = dt.date(first_period // 100, first_period % 100, 1)
    business = business_frames(rng, province, villages, ledger.wealth_fen, first, today, d.density)
    progress("business")
    frames.update({k: pl.DataFrame(v, infer_schema_length=None) for k, v in business.items() if v})
    paying = payment_frames(rng, ledger, frames, today, plant)
    progress("payments")
    planted = {**ledger.planted, **paying.pop("planted")}
    requests = paying.pop("payment_requests")
    frames.update(paying)
    fit_to_roll(frames)
    planted["same_person_decision"] = plant_same_person(frames, requests)
    return DemoFrames(ledger, frames, requests, planted, first)


def generate(settings: Settings, scale: str = "demo", *, today: dt.date | None = None, log=print,
             warning_history: bool = True) -> dict:
    """Create the schema and fill an empty database with demo data for `settings.province`.

    `warning_history`: give the engine's warnings months of handling history (data/demo/
    warning_history.py); False leaves them as the engine's one run raised them (its own tests)."""
    spec = SCALES[scale]
    today = today or clock.today()
    t0 = time.perf_counter()
    progress = Progress(log)
    url = settings.database_url
    upgrade(url)
    from data.admin.audit_log import use_head_file

    use_head_file(url, settings.data_dir)
    engine = engine_for(url)
    with engine.connect() as c:
        if c.execute(select(func.count()).select_from(Region)).scalar():
            raise RuntimeError("数据库已有数据：请先清空（--reset）再生成演示数据")
    rng = np.random.default_rng(settings.demo_seed)
    tree = load_region_tree(settings.province)
    bulk.ingest(engine, "regions", tree.frame.select("code", "name", "level", "parent")
                .with_columns(base_data_locked=pl.lit(False)))
    roots = scale_roots(settings, scale)
    detailed = pl.concat([tree.descendants(r, level=5) for r in roots]).unique("code").sort("code")
    villages = tree.descendants(tree.root, level=5).sort("code") if spec.light else detailed
    full = villages["code"].is_in(detailed["code"].implode()).to_numpy()
    nv = villages.height
    progress("start", f"{scale}：{nv:,} 个村，其中 {int(full.sum()):,} 个村完整明细，{spec.months} 个月至 {today:%Y-%m}")
    end_period = today.year * 100 + today.month
    now = clock.now()
    made = demo_frames(rng, settings.province, villages, spec, today, PLANT[scale], full, progress)
    ledger, frames, requests, first = made.ledger, made.frames, made.requests, made.first
    del made
    members = frames["members"]
    first_village = next(u["region_code"] for u in demo_users(settings, villages, None) if u["username"] == "demo-village")
    org_of_village = int(frames["collective_orgs"].filter(pl.col("region_code") == first_village)["id"][0])
    member_id = int(members.filter((pl.col("org_id") == org_of_village) & ~pl.col("is_official"))["id"][0])
    from domain.admin.passwords import hash_password

    pw_hash = hash_password(settings.demo_password)
    for table in TABLE_ORDER:
        if table == "meetings":  # the users after the members they may be, before the meetings they record
            with transaction(url) as s:
                for u in demo_users(settings, villages, member_id):
                    s.add(User(password_hash=pw_hash, **u))
            with engine.connect() as c:
                ids = dict(c.execute(select(User.username, User.id)).all())
            frames["meetings"] = with_people(frames["meetings"], {
                "secretary": ids["demo-secretary"], "cashier": ids["demo-village"], "supervisor": ids["demo-supervisor"]},
                now)
        if table in frames:
            f = frames[table]
            if table in RECORD_TABLES:
                f = bulk.add_record_columns(f, now, provided_by="演示数据生成器", responsible_by="村集体经济组织")
            bulk.ingest(engine, table, f)
    progress("records")
    vouchers = bulk.add_record_columns(ledger.vouchers, now, provided_by="演示数据生成器", responsible_by="乡镇代理会计")
    vouchers = vouchers.with_columns(status=pl.lit("posted"), posted_by_id=pl.lit(None, pl.Int64),
                                     posted_at=pl.lit(now), reverses_id=pl.lit(None, pl.Int64))
    bulk.ingest(engine, "vouchers", vouchers)
    progress("vouchers", f"{ledger.vouchers.height:,} 张")
    bulk.ingest(engine, "voucher_lines", ledger.lines.with_columns(summary=pl.lit(None, pl.Utf8)))
    progress("lines", f"{ledger.lines.height:,} 条")
    generation = uuid.uuid4().hex
    with transaction(url) as s:
        meta = dict(scale=scale, seed=settings.demo_seed, generation=generation, province=settings.province,
                    villages=nv, ledger_lines=ledger.lines.height, end_period=end_period, today=today.isoformat(),
                    generated_at=now.isoformat())
        s.merge(Setting(key="dataset", value=meta))
        s.merge(Setting(key="ledger_generation", value={"id": generation}))
    with engine.connect() as c:  # the generated requests were entered by the demo village's cashier
        cashier = c.execute(select(User.id).where(User.username == "demo-village")).scalar_one()
    bulk.ingest(engine, "payment_requests", bulk.add_record_columns(
        requests.with_columns(requested_by_id=pl.lit(cashier, pl.Int64)), now, provided_by="演示数据生成器",
        responsible_by="村报账员"))
    if engine.dialect.name == "postgresql":
        with engine.begin() as c:
            c.execute(text("ANALYZE"))
    from data.query import QueryLayer

    QueryLayer(settings).build_snapshot_from_frame(ledger.lines, generation)
    progress("snapshot")
    # 阳光公开: the disclosures' workflow and content from the books, before the one warning run sees them
    from .disclosure import generate as disclosures

    made_d = disclosures(url, settings.data_dir, today, settings.demo_seed, ledger.lines, ledger.vouchers)
    del ledger, frames, requests, members, vouchers  # the engine reads its own frames: free the generator's
    progress("disclosure", f"{made_d['disclosures']:,} 份，最近一季 {made_d['overdue_quarter']}")
    from .credit import generate_credit  # the forestry credit population (issue 15)

    meta["credit"] = generate_credit(url, settings.province, scale, today, settings.demo_seed, settings.demo_county,
                                     test_roots=roots, log=lambda *_: None)
    progress("credit", f"{meta['credit']['subjects']:,} 个信用主体，{meta['credit']['records']:,} 条信用记录，"
                       f"{meta['credit']['rights']:,} 宗林权")
    from .prices import generate_prices  # the price samples (issue 16): sales from a known true index, costs

    meta["prices"] = generate_prices(url, settings.province, scale, today, settings.demo_seed, settings.demo_county,
                                     log=lambda *_: None)
    progress("prices", f"{meta['prices']['sales']:,} 宗林权成交样本（{meta['prices']['counties']} 个县），"
                       f"{meta['prices']['costs']:,} 条营林成本观测，{meta['prices']['seconds']} s")
    from .credit_punished import plant  # counterparties of the villages on the joint-punishment list

    meta["credit"]["punished_counterparties"] = plant(url, today)
    # the supervision rules over the new data: the demo opens with its warnings
    from data.supervision.engine import run as run_warnings

    summary = run_warnings(url, settings.audit_key, today=today, kind="full", data_dir=settings.data_dir)
    meta["warnings"] = summary["raised"]
    progress("warnings", f"{summary['rules']} 条规则，{summary['raised']:,} 条预警")
    if warning_history:  # as if the platform had been running: raised over the months, most handled
        from .warning_history import apply as apply_history

        hist = apply_history(engine, today=today, start=first, seed=settings.demo_seed, province=settings.province)
        meta["warning_history"] = {k: hist[k] for k in ("status", "escalated", "events")}
        progress("history", f"{hist['events']:,} 条处置记录，{hist['escalated']} 条升级")
    from .imports import generate as generate_imports

    progress("imports", f"{generate_imports(settings, today)} 条导入记录")
    from .basedata import apply as apply_basedata

    based = apply_basedata(engine, url, settings.audit_key, demo_county=settings.demo_county, seed=settings.demo_seed,
                           password_hash=pw_hash)
    meta["basedata"] = based
    progress("basedata", f"{based['villages']:,} 个村的土地分类，{based['locked']} 个县结束试运行，"
                         f"{based['changes']} 项变更、{based['corrections']} 项更正")
    from .sharing import apply as apply_sharing  # applications for data, keys in use, the API call log

    township = truncate(first_village, TOWNSHIP)
    meta["sharing"] = {k: v for k, v in apply_sharing(settings, today, now, township).items() if k in ("keys", "calls")}
    progress("sharing", f"{meta['sharing']['keys']} 个接口密钥，{meta['sharing']['calls']} 次调用")
    from .ops import generate_ops  # a year of backups and drills, last year's national sync (records)

    meta["ops"] = generate_ops(engine, today, sqlite=settings.is_sqlite, province=settings.province, villages=nv)
    progress("ops", f"{meta['ops']['backups']} 条备份记录，{meta['ops']['drills']} 次恢复演练")
    from .registers import generate as generate_registers

    meta["registers"] = generate_registers(url, settings.audit_key, today, now)
    from domain.registers.kinds import REGISTERS

    progress("registers", "、".join(f"{REGISTERS[k].title} {v} 条" for k, v in meta["registers"].items()))
    with transaction(url) as s:
        s.merge(Setting(key="dataset", value=meta))
    log(f"[demo] 演示数据已生成，用时 {time.perf_counter() - t0:.1f} s")
    return meta


def reset(settings: Settings) -> None:
    """Drop everything (schema included) so that the database can be generated anew."""
    engine = engine_for(settings.database_url)
    from data.admin.audit_log import use_head_file

    use_head_file(settings.database_url, settings.data_dir).unlink(missing_ok=True)  # the log's signed head
    if settings.is_sqlite:
        engine.dispose()
        path = settings.database_url.split("///", 1)[-1]
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(path + suffix)
            except FileNotFoundError:
                pass
        engine_for.cache_clear()
    else:
        with engine.begin() as c:
            Base.metadata.drop_all(c)
            c.execute(text("DROP TABLE IF EXISTS alembic_version"))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Generate deterministic demo data")
    ap.add_argument("--scale", choices=sorted(SCALES), default=None)
    ap.add_argument("--reset", action="store_true", help="drop existing data first")
    ap.add_argument("--credit-only", action="store_true",
                    help="add only the forestry credit population to an existing database (its credit tables empty)")
    args = ap.parse_args(argv)
    settings = Settings.from_env()
    scale = args.scale or settings.demo_scale
    if args.credit_only:
        from .credit import generate_credit

        print(generate_credit(settings.database_url, settings.province, scale, clock.today(), settings.demo_seed,
                              settings.demo_county, test_roots=scale_roots(settings, scale)))
        return
    if args.reset:
        reset(settings)
    generate(settings, scale)

