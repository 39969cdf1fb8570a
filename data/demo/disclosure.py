"""Demo disclosures (阳光公开): the quarterly disclosures the business generator made for the last
four quarters are given their workflow and their content from the books (one grouped read of the
ledger, polars, one bulk write); about 1.5 % of the villages have the latest quarter not yet
published (not prepared, or stuck in review: the `disclosure_overdue` warnings); the demo
township's villages have disclosures in every state; the demo member's village has a correction
and yearly income distributions to its members (vouchers 322 → 211 → 102, posted through the books'
own writer), and the demo member has asked questions, some answered.

Demo assumption: one collective organisation per village, so the ledger lines' region code names
the organisation (the real content generator, data/disclosure/content.py, goes by organisation)."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
from sqlalchemy import delete, select, text

from data import bulk
from data.db import engine_for, transaction
from data.disclosure import content
from data.disclosure.content import CLAIMS, DEBTS, FUNDS, INCOME, SPENDING
from data.funds.ledger import Line, write_voucher
from data.models import CollectiveOrg, Disclosure, DisclosureQuestion, Member, utcnow
from data.query.reads import Reader
from domain import disclosure as rules
from domain.funds.chart import CHART
from domain.money import period_of

OVERDUE_SHARE, STUCK_SHARE = 0.008, 0.007
#: the yearly distribution to members: this share of the year's income (demo figure)
DISTRIBUTED_SHARE = 0.2


def _name(code: int) -> str:
    a = CHART.get(int(code))
    return a.name if a else str(code)


def _named(codes) -> dict[int, str]:
    return {int(c): _name(c) for c in codes}


def _listed(frame: pl.DataFrame, keys: list[str], fields: list[str], alias: str) -> pl.DataFrame:
    return frame.group_by(keys, maintain_order=True).agg(pl.struct(fields).alias(alias))


def _contents(lines: pl.DataFrame, vouchers: pl.DataFrame, orgs: pl.DataFrame, quarters: list[str]) -> pl.DataFrame:
    """(org_id, period, content JSON) of every organisation and quarter, from the ledger in memory
    (`lines`: region_code, period, account_code, debit_fen, credit_fen, voucher_id, counterparty;
    `vouchers`: id, date, summary) — the shape data/disclosure/content.py generates, in polars."""
    bounds = {q: rules.period_bounds("quarter", q) for q in quarters}
    p0, p1 = min(period_of(b[0]) for b in bounds.values()), max(period_of(b[1]) for b in bounds.values())
    # one lazy pass over the ledger: filter first, group by region (one organisation a village), join
    # the organisations only to the small grouped frames
    led = lines.lazy().select(pl.col("region_code").cast(pl.Int64), pl.col("period").cast(pl.Int64).alias("month"),
                              pl.col("account_code").cast(pl.Int64), "debit_fen", "credit_fen", "voucher_id",
                              "counterparty")
    names = _named(INCOME + SPENDING + FUNDS)
    qname = ((pl.col("month") // 100).cast(pl.String) + "Q"
             + (((pl.col("month") % 100) - 1) // 3 + 1).cast(pl.String)).alias("period")
    by_org = orgs.lazy()
    flows = (led.filter(pl.col("month").is_between(p0, p1) & pl.col("account_code").is_in(INCOME + SPENDING))
             .group_by("region_code", "month", "account_code").agg(pl.col("debit_fen").sum(), pl.col("credit_fen").sum())
             .with_columns(qname).group_by("region_code", "period", "account_code")
             .agg(pl.col("debit_fen").sum(), pl.col("credit_fen").sum())
             .join(by_org, on="region_code").drop("region_code")
             .with_columns(code=pl.col("account_code"), name=pl.col("account_code").replace_strict(names, default=""),
                           income=pl.col("account_code").is_in(INCOME))
             .with_columns(fen=pl.when(pl.col("income")).then(pl.col("credit_fen") - pl.col("debit_fen"))
                           .otherwise(pl.col("debit_fen") - pl.col("credit_fen")))
             .sort("org_id", "period", "code").collect())
    grid = orgs.select("org_id").join(pl.DataFrame({"period": quarters,
                                                    "start": [bounds[q][0].isoformat() for q in quarters],
                                                    "end": [bounds[q][1].isoformat() for q in quarters]}), how="cross")
    income = _listed(flows.filter(pl.col("income")), ["org_id", "period"], ["code", "name", "fen"], "income")
    spending = _listed(flows.filter(~pl.col("income")), ["org_id", "period"], ["code", "name", "fen"], "spending")
    totals = flows.group_by("org_id", "period").agg(
        pl.col("fen").filter(pl.col("income")).sum().alias("income_fen"),
        pl.col("fen").filter(~pl.col("income")).sum().alias("spending_fen"))
    monthly = (led.filter((pl.col("month") <= p1) & pl.col("account_code").is_in(FUNDS + CLAIMS + DEBTS))
               .group_by("region_code", "account_code", "month").agg((pl.col("debit_fen") - pl.col("credit_fen")).sum()
                                                                    .alias("b"))
               .join(by_org, on="region_code").drop("region_code").collect())
    closing = pl.concat([monthly.filter(pl.col("month") <= period_of(last)).group_by("org_id", "account_code")
                         .agg(pl.col("b").sum()).with_columns(period=pl.lit(q)) for q, (_, last) in bounds.items()])
    funds = (grid.select("org_id", "period").join(pl.DataFrame({"code": list(FUNDS)}), how="cross")
             .join(closing.rename({"account_code": "code", "b": "fen"}), on=["org_id", "period", "code"], how="left")
             .with_columns(pl.col("fen").fill_null(0), name=pl.col("code").replace_strict(names, default=""))
             .sort("org_id", "period", "code"))
    funds = _listed(funds, ["org_id", "period"], ["code", "name", "fen"], "funds")
    owed = closing.group_by("org_id", "period").agg(
        pl.col("b").filter(pl.col("account_code").is_in(CLAIMS)).sum().alias("claims_fen"),
        (-pl.col("b").filter(pl.col("account_code").is_in(DEBTS)).sum()).alias("debts_fen"))
    big = (led.filter(pl.col("month").is_between(p0, p1) & pl.col("account_code").is_in(SPENDING)
                      & (pl.col("debit_fen") >= rules.MAJOR_ITEM_FEN)).with_columns(qname)
           .join(by_org, on="region_code").collect())
    wanted = vouchers.lazy().filter(pl.col("id").is_in(big["voucher_id"].implode())).select(
        pl.col("id").alias("voucher_id"), pl.col("date").cast(pl.String).str.slice(0, 10),
        pl.col("summary").alias("voucher_summary")).collect()
    big = (big.join(wanted, on="voucher_id", how="left")
           .sort("debit_fen", descending=True).group_by("org_id", "period", maintain_order=True).head(rules.MAJOR_ITEMS)
           .select("org_id", "period", "date", account=pl.col("account_code").replace_strict(names, default=""),
                   fen="debit_fen", summary=pl.col("voucher_summary").fill_null(""),
                   counterparty=pl.col("counterparty").fill_null("")))
    major = _listed(big, ["org_id", "period"], ["date", "account", "fen", "summary", "counterparty"], "major")
    out = grid
    for part in (income, spending, totals, funds, owed, major):
        out = out.join(part, on=["org_id", "period"], how="left")
    out = out.with_columns(*[pl.col(c).fill_null(pl.lit([], dtype=out.schema[c]))
                             for c in ("income", "spending", "funds", "major")],
                           *[pl.col(c).fill_null(0) for c in ("income_fen", "spending_fen", "claims_fen", "debts_fen")],
                           distribution_fen=pl.lit(0, pl.Int64))
    keys = ["start", "end", "income", "spending", "income_fen", "spending_fen", "funds", "claims_fen", "debts_fen",
            "major", "distribution_fen"]
    return out.select("org_id", "period", content=pl.struct(keys).struct.json_encode())


def _distributions(url: str, org_id: int, today: dt.date, posted_by: int) -> int:
    """Year-end income distributions to the members of `org_id` for each full year of its books."""
    n = 0
    with transaction(url) as s:
        org = s.get(CollectiveOrg, org_id)
        years = s.execute(text("SELECT MIN(period), MAX(period) FROM voucher_lines WHERE region_code = :r"),
                          {"r": org.region_code}).one()
        if years[0] is None:
            return 0
        for year in range(int(years[0]) // 100, today.year):
            income = s.execute(text(f"SELECT COALESCE(SUM(credit_fen - debit_fen), 0) FROM voucher_lines WHERE "
                                    f"region_code = :r AND period BETWEEN {year}01 AND {year}12 AND account_code IN "
                                    f"({','.join(str(c) for c in INCOME)})"), {"r": org.region_code}).scalar()
            amount = int(int(income or 0) * DISTRIBUTED_SHARE) // 100 * 100
            if amount <= 0:
                continue
            kw = dict(posted_by=posted_by, collected_by=posted_by, provided_by="演示数据生成器", responsible_by="乡镇代理会计")
            write_voucher(s, org, dt.date(year, 12, 28), f"{year}年度收益分配（按股分配给成员）", "manual",
                          [Line(322, amount, 0), Line(211, 0, amount, counterparty="本集体成员（按股分配）")], **kw)
            write_voucher(s, org, dt.date(year, 12, 30), f"发放{year}年度成员收益分配", "manual",
                          [Line(211, amount, 0, counterparty="本集体成员（按股分配）"), Line(102, 0, amount)], **kw)
            n += 2
    return n


def generate(url: str, data_dir, today: dt.date, seed: int, lines: pl.DataFrame, vouchers: pl.DataFrame) -> dict:
    """Give the demo's disclosures their workflow and their content from the ledger (`lines`,
    `vouchers`: the generator's frames, in memory); plant the overdue ones; add the demo member's
    distributions and questions. Returns counts for the progress line."""
    rng = np.random.default_rng(seed + 14)
    engine = engine_for(url)
    reader = Reader(url, data_dir)
    users = dict(reader.read("SELECT username, id FROM users").iter_rows())
    member_user = reader.read("SELECT member_id, region_code FROM users WHERE username = 'demo-member'")
    with engine.connect() as c:
        orgs = pl.DataFrame(c.execute(select(CollectiveOrg.id, CollectiveOrg.region_code)).all(),
                            schema={"org_id": pl.Int64, "region_code": pl.Int64}, orient="row")
    demo_org = None
    if member_user.height and member_user["member_id"][0] is not None:
        with engine.connect() as c:
            demo_org = c.execute(select(Member.org_id).where(Member.id == int(member_user["member_id"][0]))).scalar()
    township = {}
    if "demo-township" in users:
        tcode = int(reader.read(f"SELECT region_code FROM users WHERE id = {users['demo-township']}")["region_code"][0])
        township = {int(o) for o, r in orgs.iter_rows() if r // 1000 * 1000 == tcode}
    if demo_org is not None and "demo-township" in users:
        _distributions(url, demo_org, today, users["demo-township"])
    old = reader.read("SELECT id, org_id, region_code, period, category, title, reviewed_by_group, published_on "
                      "FROM disclosures")
    if old.height and old.schema["published_on"] == pl.String:
        old = old.with_columns(pl.col("published_on").str.slice(0, 10).str.to_date())
    if old.height:
        old = old.with_columns(pl.col("reviewed_by_group").cast(pl.Boolean))
    quarters = sorted(set(old["period"].to_list())) if old.height else []
    contents = _contents(lines, vouchers, orgs, quarters) if quarters else pl.DataFrame(
        schema={"org_id": pl.Int64, "period": pl.String, "content": pl.String})
    if demo_org is not None:
        with transaction(url) as s:  # the demo village's own distributions as its disclosures show them
            from data.disclosure.content import distributed
            org = s.get(CollectiveOrg, demo_org)
            mine = []
            for org_id, q, text_ in contents.filter(pl.col("org_id") == demo_org).iter_rows():
                c = json.loads(text_)
                c["distribution_fen"] = distributed(s, org, *rules.period_bounds("quarter", q))
                mine.append((org_id, q, json.dumps(c, ensure_ascii=False)))
        contents = pl.concat([contents.filter(pl.col("org_id") != demo_org),
                              pl.DataFrame(mine, schema=contents.schema, orient="row")])
    latest = quarters[-1] if quarters else None
    now = utcnow()
    n = old.height
    roll = rng.random(n)
    village_roll = dict(zip(orgs["org_id"].to_list(), rng.random(orgs.height)))
    state, keep = [], []
    order = {o: i for i, o in enumerate(sorted(township))}
    stuck_states = ["draft", "reviewed", "returned", "approved"]
    for org, period, r in zip(old["org_id"].to_list(), old["period"].to_list(), roll):
        s_ = "published"
        vr = village_roll[org]
        if period == latest and org != demo_org:
            if org in township and order[org] % 5 in (1, 2, 3, 4):
                s_ = stuck_states[order[org] % 5 - 1]
            elif vr < OVERDUE_SHARE:
                s_ = None  # not prepared at all
            elif vr < OVERDUE_SHARE + STUCK_SHARE:
                s_ = stuck_states[int(r * 4) % 4]
        state.append(s_)
        keep.append(s_ is not None)
    frame = old.with_columns(state=pl.Series(state, dtype=pl.String)).filter(pl.Series(keep))
    states = frame["state"].to_list()
    published = [s_ == "published" for s_ in states]
    orgs_of = frame["org_id"].to_list()
    by_state = {"reviewed": users.get("demo-supervisor"), "approved": users.get("demo-township-head")}
    rows = frame.with_columns(
        kind=pl.lit("quarter"),
        title=pl.Series([rules.default_title("quarter", p, rules.PERIODIC) for p in frame["period"].to_list()],
                        dtype=pl.String),
        notes=pl.lit(None, pl.String),
        reviewed_by_group=pl.Series([s_ in ("reviewed", "approved", "published") for s_ in states]),
        reviewers=pl.Series(["民主理财小组：监事长及成员代表2人" if s_ in ("reviewed", "approved", "published") else None
                             for s_ in states], dtype=pl.String),
        review_opinion=pl.Series(["未见异常，同意公开" if s_ in ("reviewed", "approved", "published") else None
                                  for s_ in states], dtype=pl.String),
        decision_opinion=pl.Series([("支出明细附件不全，请补充后重新报审" if s_ == "returned" else None) for s_ in states],
                                   dtype=pl.String),
        published_on=pl.Series([min(d, today) if p and d else None
                                for d, p in zip(frame["published_on"].to_list(), published)], dtype=pl.Date),
        # the demo's people where they work: the demo village's cashier and supervisor, the demo
        # township's accountant and head; elsewhere nobody the demo has an account for
        prepared_by_id=pl.Series([(users.get("demo-village") if o == demo_org else
                                   users.get("demo-township") if o in township else None) for o in orgs_of], dtype=pl.Int64),
        reviewed_by_id=pl.Series([by_state["reviewed"] if o == demo_org and s_ in ("reviewed", "approved", "published")
                                  else None for o, s_ in zip(orgs_of, states)], dtype=pl.Int64),
        decided_by_id=pl.Series([by_state["approved"] if (o == demo_org or o in township)
                                 and s_ in ("approved", "published", "returned") else None
                                 for o, s_ in zip(orgs_of, states)], dtype=pl.Int64),
        published_by_id=pl.Series([(users.get("demo-village") if o == demo_org else
                                    users.get("demo-township") if o in township else None) if p else None
                                   for o, p in zip(orgs_of, published)], dtype=pl.Int64),
        corrects_id=pl.lit(None, pl.Int64),
    )
    rows = rows.join(contents, on=["org_id", "period"], how="left").with_columns(pl.col("content").fill_null("{}"))
    with transaction(url) as s:
        s.execute(delete(Disclosure))
    rows = bulk.add_record_columns(rows, now, provided_by="演示数据生成器", responsible_by="村集体经济组织")
    bulk.ingest(engine, "disclosures", rows)
    extra = _demo_village(url, demo_org, quarters, users, member_user, today) if demo_org else 0
    return {"disclosures": rows.height + extra, "overdue_quarter": latest}


def _demo_village(url: str, org_id: int, quarters: list[str], users: dict, member_user: pl.DataFrame,
                  today: dt.date) -> int:
    """The demo member's village: a correction of its second-latest quarter, a major-matter draft,
    and the demo member's questions (two answered, one open)."""
    if len(quarters) < 2:
        return 0
    member_id = int(member_user["member_id"][0])
    asker, village = users["demo-member"], users["demo-village"]
    with transaction(url) as s:
        wrong = s.scalar(select(Disclosure).where(Disclosure.org_id == org_id, Disclosure.period == quarters[-2]))
        fixed = Disclosure(org_id=org_id, region_code=wrong.region_code, period=wrong.period, kind="quarter",
                           category=wrong.category, title=f"更正：{wrong.title}", content=wrong.content, state="published",
                           notes="原公开的管理费用中误计入一笔应属公益支出的道路维修款，现予更正；原公开保留可查。",
                           reviewed_by_group=True, reviewers="民主理财小组：监事长及成员代表2人", review_opinion="同意更正",
                           reviewed_by_id=users.get("demo-supervisor"), decided_by_id=users.get("demo-township-head"),
                           prepared_by_id=village, published_by_id=village, corrects_id=wrong.id,
                           published_on=(wrong.published_on or today) + dt.timedelta(days=9),
                           collected_by_id=village, provided_by="演示数据生成器", responsible_by="村集体经济组织")
        s.add(fixed)
        major_day = today - dt.timedelta(days=6)
        s.add(Disclosure(org_id=org_id, region_code=wrong.region_code, period=major_day.isoformat(), kind="major",
                         category="各类资源", title="村东机动地对外发包（重大事项）公开", state="draft",
                         content=content.generate(s, s.get(CollectiveOrg, org_id), "major", major_day.isoformat()),
                         notes="经村民代表会议表决，村东机动地120亩对外公开发包，期限5年，底价每亩每年500元。",
                         reviewed_by_group=False, prepared_by_id=village, collected_by_id=village,
                         provided_by="演示数据生成器", responsible_by="村集体经济组织"))
        s.flush()
        latest = s.scalar(select(Disclosure).where(Disclosure.org_id == org_id, Disclosure.period == quarters[-1],
                                                   Disclosure.kind == "quarter"))
        at = utcnow() - dt.timedelta(days=5)
        for d, question, reply in [
            (latest, "本季度管理费用比上季度多，主要花在哪些方面？",
             "主要是村部取暖设备维修和办公用品采购，明细已在村务公开栏张贴。"),
            (fixed, "更正前后的公益支出分别是多少？", "更正后公益支出增加道路维修款，管理费用相应减少，合计不变。"),
            (latest, "年底收益分配什么时候发放？按每股多少元？", None),
        ]:
            s.add(DisclosureQuestion(disclosure_id=d.id, org_id=org_id, region_code=d.region_code, member_id=member_id,
                                     asked_by_id=asker, question=question, asked_at=at, answer=reply,
                                     answered_by_id=village if reply else None,
                                     answered_at=at + dt.timedelta(days=1) if reply else None,
                                     collected_by_id=asker, provided_by="demo-member", responsible_by="本人"))
    return 2
