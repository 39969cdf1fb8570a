"""Uses of forestry credit data (issue 15, lane E): the joint-punishment list as of a date (the
publicity boundary, masking by viewer), inspection plans by grade (sizes within the bands,
reproducible from the seed), the 双公示 push (fines in 万元, bad rows rejected with reasons, only
unconditional-open records), open and shared data (no other class leaks, natural persons masked)
and the data API's credit datasets."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from components.credit_uses import push_files
from data.credit import inspection as plans
from data.credit import open as open_data
from data.credit import push as pushes
from data.credit.punishment import punished
from data.db import transaction
from data.errors import AccountError
from data.models import CreditPush, CreditSubject, InspectionPlan, InspectionPlanItem
from domain.credit import inspection as rules
from domain.credit import push as layout
from domain.permissions import PermissionDenied
from domain.regions import COUNTY, TOWNSHIP, truncate
from tests.conftest import TODAY
from tests.support.business import actor, own_database, user_at
from tests.support.credit import make_record, make_subject, resident_id, uscc

AUTHORITY = uscc(360100, 7, kind="11")  # a state organ's credit code (11…)


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return own_database(tmp_path_factory, "credit-uses")


@pytest.fixture(scope="module")
def place(settings):
    """A village of the demo county and its township, county (the credit data's regions)."""
    village = actor(settings, "demo-village").scope.root
    return {"village": village, "township": truncate(village, TOWNSHIP), "county": truncate(village, COUNTY)}


@pytest.fixture(scope="module")
def who(settings, place):
    return {"county": user_at(settings, "cu-county", "county_forestry", place["county"]),
            "public": user_at(settings, "cu-public", "public_body", truncate(place["village"], 1)),
            "enforcer": user_at(settings, "cu-enforcer", "law_enforcement", place["county"]),
            "handler": user_at(settings, "cu-handler", "credit_handler", truncate(place["village"], 1)),
            "member": actor(settings, "demo-member"),
            "other_county": user_at(settings, "cu-county-b", "county_forestry", place["county"] + 10**8)}


# ---------------------------------------------------------------- the joint-punishment list


@pytest.fixture(scope="module")
def listed(settings, place):
    v = place["village"]
    person = make_subject(settings, v, name="李失信", identifier=resident_id(v))
    firm = make_subject(settings, v, name="某某林业有限公司", kind="legal", identifier=uscc(v))
    end = dt.date(2026, 12, 31)
    rec = {"person": make_record(settings, person, "dishonest", dt.date(2026, 1, 1), title="滥伐林木", subtype="admin_penalty",
                                 severity="ordinary", publicity_until=end, document_no="林罚〔2026〕1号"),
           "firm": make_record(settings, firm, "dishonest", dt.date(2025, 6, 1), title="拒不履行", subtype="refusal",
                               severity="serious", publicity_until=dt.date(2028, 5, 31)),
           "later": make_record(settings, firm, "dishonest", dt.date(2027, 1, 5), severity="ordinary",
                                publicity_until=dt.date(2027, 12, 31)),
           "repaired": make_record(settings, person, "dishonest", dt.date(2026, 2, 1), severity="serious",
                                   publicity_until=dt.date(2029, 1, 31), status="repaired"),
           "good": make_record(settings, person, "good", dt.date(2026, 3, 1), subtype="volunteer")}
    return {"person": person, "firm": firm, "end": end, **{f"r_{k}": i for k, i in rec.items()}}


def test_credit_uses001_the_list_on_a_date_with_the_publicity_boundary(settings, who, listed):
    url = settings.database_url
    on_last_day = {r["id"] for r in punished(url, who["county"], listed["end"])}
    assert {listed["r_person"], listed["r_firm"]} <= on_last_day
    assert not {listed["r_later"], listed["r_repaired"], listed["r_good"]} & on_last_day
    day_after = {r["id"] for r in punished(url, who["county"], listed["end"] + dt.timedelta(days=1))}
    assert listed["r_person"] not in day_after and listed["r_firm"] in day_after
    # before a decision it is not on the list; a later decision joins on its own day
    assert listed["r_later"] in {r["id"] for r in punished(url, who["county"], dt.date(2027, 1, 5))}
    assert listed["r_firm"] not in {r["id"] for r in punished(url, who["county"], dt.date(2025, 5, 31))}


def test_credit_uses002_the_list_masks_by_viewer_and_keeps_to_the_jurisdiction(settings, who, listed):
    url = settings.database_url
    rows = {r["id"]: r for r in punished(url, who["county"], TODAY)}
    person = rows[listed["r_person"]]
    assert person["name"] == "李失信" and "*" in person["identifier"]  # an official: name, number masked
    assert rows[listed["r_firm"]]["name"] == "某某林业有限公司" and "*" not in rows[listed["r_firm"]]["identifier"]
    public = {r["id"]: r for r in punished(url, who["public"], TODAY)}
    assert public[listed["r_person"]]["name"] != "李失信" and "*" in public[listed["r_person"]]["name"]
    assert public[listed["r_firm"]]["name"] == "某某林业有限公司"  # an organisation's name is not personal data
    assert not {listed["r_person"], listed["r_firm"]} & {r["id"] for r in punished(url, who["other_county"], TODAY)}
    with pytest.raises(PermissionDenied):
        punished(url, who["member"], TODAY)


# ---------------------------------------------------------------- inspection plans


def test_credit_uses003_sizes_per_grade_within_the_bands_and_reproducible():
    pop = {"A": list(range(1, 201)), "B": list(range(1001, 1101)), "C": list(range(2001, 2051)),
           "D": list(range(3001, 3021)), rules.UNRATED: list(range(4001, 4031))}
    rates, errors = rules.parse_rates({})
    assert not errors
    first = rules.draw(pop, rates, "seed-1")
    for g, ids in first.items():
        lo, hi = rules.BANDS[g]
        assert len(ids) == rules.size(rates[g], len(pop[g])) and set(ids) <= set(pop[g]) and len(set(ids)) == len(ids)
        assert lo <= Decimal(100 * len(ids)) / len(pop[g]) <= hi + Decimal(100) / len(pop[g])  # ceil adds < one
    assert rules.size(Decimal(5), 20) == 1 and rules.size(Decimal(5), 21) == 2 and rules.size(Decimal(80), 0) == 0
    # the same seed and population (in any order) give the same plan; another seed another one
    shuffled = {g: list(reversed(v)) for g, v in pop.items()}
    assert rules.draw(shuffled, rates, "seed-1") == first
    assert rules.draw(pop, rates, "seed-2") != first
    # rates outside their bands are refused, per grade
    _, errors = rules.parse_rates({"A": "6", "C": "20", "D": "abc", "B": "20"})
    assert set(errors) == {"A", "C", "D"} and "0%至5%" in errors["A"] and "21%至60%" in errors["C"]


def test_credit_uses004_a_plan_is_stored_with_its_seed_and_redrawn_from_it(settings, who, place):
    url, key = settings.database_url, settings.audit_key
    t = place["township"]
    for i in range(30):
        make_subject(settings, place["village"], name=f"检查对象{i}", identifier=resident_id(t, n=500 + i),
                     grade="ABCD"[i % 4], unrated=False)
    plan = plans.create(url, key, who["enforcer"], t, "2026Q4", {"D": "100"})
    assert len(plan["seed"]) == 32 and plan["rates"]["D"] == "100"
    with transaction(url) as s:
        row = s.get(InspectionPlan, plan["id"])
        drawn = s.scalar(select(func.count()).select_from(InspectionPlanItem).where(InspectionPlanItem.plan_id == row.id))
        assert row.population["D"] >= 7 and row.sizes["D"] == row.population["D"]  # 100 %: every D subject
        assert drawn == sum(row.sizes.values()) and row.created_by == "cu-enforcer"
    again = plans.redraw(url, who["enforcer"], plan["id"])
    assert again["same_population"] and again["drawn"] == plans.stored(url, plan["id"])
    # given the same seed, a new plan draws the same subjects; another seed draws others
    same = plans.create(url, key, who["enforcer"], t, "2026Q4", {"D": "100"}, seed=plan["seed"])
    assert plans.stored(url, same["id"]) == plans.stored(url, plan["id"])
    items = plans.items(url, who["enforcer"], plan["id"])
    assert items and all("*" in i["identifier"] for i in items if i["name"].startswith("检查对象"))
    before = _count(settings, InspectionPlan)
    with pytest.raises(AccountError) as bad:
        plans.create(url, key, who["enforcer"], t, "2026年", {"A": "50"})
    assert set(bad.value.errors) == {"period", "rate_A"} and _count(settings, InspectionPlan) == before
    with pytest.raises(PermissionDenied):
        plans.create(url, key, who["county"], t, "2026Q4")


def _count(settings, model) -> int:
    with transaction(settings.database_url) as s:
        return s.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- the 双公示 push


def test_credit_uses005_fines_in_wan_exactly():
    assert layout.fen_to_wan(200_000) == Decimal("0.2")  # 2,000 yuan
    assert layout.fen_to_wan(1) == Decimal("0.000001") and layout.fen_to_wan(123_456_789) == Decimal("123.456789")
    assert layout.fen_to_wan(0) == 0 and layout.fen_to_wan(None) is None


@pytest.fixture(scope="module")
def push_data(settings, place):
    v = place["village"]
    firm = make_subject(settings, v, name="赣林木业有限公司", kind="legal", identifier=uscc(v), legal_rep="王法人")
    person = make_subject(settings, v, name="赵某", identifier=resident_id(v))
    day = dt.date(2026, 3, 10)
    cf = dict(subtype="admin_penalty", severity="ordinary", publicity_until=dt.date(2027, 3, 9), document_no="林罚〔2026〕5号",
              content="罚款人民币贰仟元", amount_fen=200_000, open_class="unconditional",
              detail={"legal_basis": "《森林法》第七十四条", "authority_code": AUTHORITY})
    ids = {"good": make_record(settings, firm, "dishonest", day, title="违法采伐", **cf),
           "person": make_record(settings, person, "dishonest", day, title="滥伐林木", **cf),
           "no_doc": make_record(settings, firm, "dishonest", day, title="缺文书号", **{**cf, "document_no": None}),
           "bad_code": make_record(settings, firm, "dishonest", day, title="机关代码错",
                                   **{**cf, "detail": {"legal_basis": "x", "authority_code": "123"}}),
           "closed": make_record(settings, firm, "dishonest", day, title="不开放", **{**cf, "open_class": "conditional"}),
           "licence": make_record(settings, firm, "basic", day, title="林木采伐许可证", subtype="licence",
                                  document_no="采伐〔2026〕9号", content="采伐杉木50立方米", open_class="unconditional",
                                  detail={"authority_code": AUTHORITY, "valid_until": "2026-12-31"})}
    return ids


def test_credit_uses006_the_push_rejects_bad_rows_with_reasons_and_pushes_only_open_ones(settings, who, push_data):
    result = pushes.validate(settings.database_url, who["handler"], "2026-03-01", "2026-03-31")
    cf = {r["CF_WSH"]: r for r in result["rows"]["CF"]}
    good = next(r for r in result["rows"]["CF"] if r["CF_WFXW"] == "违法采伐")
    assert good["CF_NR_FK"] == Decimal("0.2") and good["CF_JDRQ"] == "2026-03-10" and good["CF_GSJZQ"] == "2027-03-09"
    assert good["CF_XDR_SHXYM"] and good["CF_FRDB"] == "王法人" and good["CF_XDR_LB"] == "法人及非法人组织"
    person = next(r for r in result["rows"]["CF"] if r["CF_WFXW"] == "滥伐林木")
    assert person["CF_XDR_LB"] == "自然人" and "*" in person["CF_XDR_ZJHM"] and not person["CF_XDR_SHXYM"]
    assert "林罚〔2026〕5号" in cf
    rejected = {r["record_id"]: r["reasons"] for r in result["rejected"]}
    assert any("CF_WSH" in m and "不能为空" in m for m in rejected[push_data["no_doc"]])
    assert any("CF_CFJGDM" in m for m in rejected[push_data["bad_code"]])
    pushed_titles = {r["CF_WFXW"] for r in result["rows"]["CF"]}
    assert "不开放" not in pushed_titles and push_data["closed"] not in rejected  # never even considered
    assert [r["XK_XKWS"] for r in result["rows"]["XK"]] == ["林木采伐许可证"]
    assert result["rows"]["XK"][0]["XK_YXQZI"] == "2026-12-31"
    # the shared test database also holds the demo's credit population: count only this test's records
    own = set(push_data.values())
    assert {i for i in rejected if i in own} == {push_data["no_doc"], push_data["bad_code"]}
    assert result["counts"]["CF"]["rejected"] + result["counts"]["XK"]["rejected"] == len(result["rejected"])
    # a row with a bad date and a negative fine
    row = layout.build_row("CF", {"title": "x", "occurred_on": "2026/3/1", "amount_fen": -1, "subject_kind": "natural",
                                  "id_type": "resident", "subject_name": "某"})
    problems = layout.row_problems("CF", row)
    assert any("CF_JDRQ" in p and "yyyy-mm-dd" in p for p in problems) and any("不能为负数" in p for p in problems)


def test_credit_uses007_the_package_is_written_with_its_manifest_and_recorded(settings, who, push_data):
    row = pushes.generate(settings, who["handler"], "2026-03-01", "2026-03-31", push_files)
    name, blob = pushes.package_file(settings, who["handler"], row["id"])
    z = zipfile.ZipFile(io.BytesIO(blob))
    manifest = json.loads(z.read("manifest.json"))
    import hashlib

    for f in manifest["files"]:
        assert hashlib.sha256(z.read(f["name"])).hexdigest() == f["sha256"]
    assert {"CF.csv", "CF.xlsx", "XK.csv", "XK.xlsx", "validation_report.json"} <= set(z.namelist())
    csv = z.read("CF.csv").decode("utf-8-sig")
    assert "CF_NR_FK" in csv.splitlines()[0] and '"0.2"' in csv
    with transaction(settings.database_url) as s:
        rec = s.get(CreditPush, row["id"])
        assert rec.package_sha256 == hashlib.sha256(blob).hexdigest()
        # the demo's credit population shares the database: this test's own rejected records, all recorded
        own = set(push_data.values())
        assert {r["record_id"] for r in rec.report["rejected"] if r["record_id"] in own} == \
            {push_data["no_doc"], push_data["bad_code"]}
        assert rec.counts["CF"]["rejected"] + rec.counts["XK"]["rejected"] == len(rec.report["rejected"])
    with pytest.raises(PermissionDenied):
        pushes.generate(settings, who["county"], "2026-03-01", "2026-03-31", push_files)


# ---------------------------------------------------------------- open and shared data


@pytest.fixture(scope="module")
def classed(settings, place):
    v = place["village"]
    person = make_subject(settings, v, name="孙开放", identifier=resident_id(v))
    firm = make_subject(settings, v, name="开放林场有限公司", kind="legal", identifier=uscc(v))
    day = dt.date(2026, 5, 1)
    ids = {}
    for cls in ("none", "conditional", "unconditional"):
        for share in ("none", "conditional", "unconditional"):
            ids[(cls, share)] = make_record(settings, firm, "good", day, title=f"开放{cls}共享{share}", subtype="commendation",
                                            open_class=cls, share_class=share)
    ids["person"] = make_record(settings, person, "good", day, title="志愿服务", subtype="volunteer", content="孙开放 身份证…",
                                open_class="unconditional", share_class="unconditional", masked=True)
    ids["expired"] = make_record(settings, firm, "dishonest", dt.date(2024, 1, 1), severity="ordinary",
                                 publicity_until=dt.date(2024, 12, 31), open_class="unconditional",
                                 share_class="unconditional")
    return ids


def test_credit_uses008_open_data_carries_no_other_class_and_masks_persons(settings, who, classed):
    rows = open_data.open_records(settings.database_url, who["county"], settings.province, as_of=TODAY)
    got = {r["id"] for r in rows}
    assert {classed[("unconditional", s)] for s in ("none", "conditional", "unconditional")} <= got
    assert not {classed[(c, s)] for c in ("none", "conditional") for s in ("none", "conditional", "unconditional")} & got
    assert classed["expired"] not in got  # a dishonest record after its publicity is published no more
    person = next(r for r in rows if r["id"] == classed["person"])
    assert person["subject_name"] != "孙开放" and "*" in person["identifier"] and person["masked"]
    with transaction(settings.database_url) as s:
        kinds = set(s.scalars(select(CreditSubject.kind)))
    assert "natural" in kinds


def test_credit_uses009_shared_data_for_public_bodies_only_unconditional(settings, who, classed):
    rows = open_data.shared_records(settings.database_url, who["public"], as_of=TODAY)
    got = {r["id"] for r in rows}
    assert {classed[(c, "unconditional")] for c in ("none", "conditional", "unconditional")} <= got
    assert not {classed[(c, s)] for c in ("none", "conditional", "unconditional") for s in ("none", "conditional")} & got
    person = next(r for r in rows if r["id"] == classed["person"])
    assert person["subject_name"] == "孙开放" and "*" in person["identifier"]
    with pytest.raises(PermissionDenied):
        open_data.shared_records(settings.database_url, who["county"], as_of=TODAY)


# ---------------------------------------------------------------- the data API's credit datasets

CREDIT_FIELDS = ["region_code", "kind", "title", "occurred_on", "subject_name", "identifier"]


def _key(settings, scope: dict, region: int, personal: bool) -> str:
    from data.sharing import requests as applications
    from domain.sharing.applications import Draft

    url, key = settings.database_url, settings.audit_key
    admin, other = actor(settings, "demo-admin"), actor(settings, "demo-admin-b")
    d = Draft(unit="江西省某公共管理机构", contact="张主任 0791-88888888", purpose="履行职责核查林业信用", scope=scope,
              regions=[region], data_from=dt.date(2020, 1, 1), data_to=TODAY, valid_until=TODAY + dt.timedelta(days=90),
              personal=personal)
    rid = applications.register(url, key, settings.province, admin, d, "127.0.0.1/32", 600, TODAY)
    applications.attach_commitment(url, key, admin, rid, "保密责任书.pdf", b"%PDF-1.4 signed")
    applications.assess(url, key, other, rid, None, "low", "仅无条件开放、共享数据")
    status, token = applications.decide(url, key, other, rid, None, True, "同意")
    assert status == "approved"
    return token


def test_credit_uses010_the_api_serves_open_and_shared_credit_records_by_class(settings, place, classed):
    from tests.support.http import app_on

    client = app_on(settings).server.test_client()
    token = _key(settings, {"credit_open_records": CREDIT_FIELDS, "credit_shared_records": CREDIT_FIELDS},
                 place["county"], personal=True)
    auth = {"Authorization": f"Bearer {token}"}
    r = client.get("/api/v1/datasets/credit_open_records?limit=1000", headers=auth)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    titles = {row["title"] for row in body["rows"]}
    assert {"开放unconditional共享none", "开放unconditional共享unconditional", "志愿服务"} <= titles
    assert not any(t.startswith(("开放none", "开放conditional")) for t in titles)
    person = next(row for row in body["rows"] if row["title"] == "志愿服务")
    assert body["masked"] is True and person["subject_name"] != "孙开放" and "*" in person["identifier"]  # always masked
    r = client.get("/api/v1/datasets/credit_shared_records?limit=1000", headers=auth)
    rows = r.get_json()["rows"]
    titles = {row["title"] for row in rows}
    assert {"开放none共享unconditional", "开放conditional共享unconditional"} <= titles
    assert not any(t.endswith(("共享none", "共享conditional")) for t in titles)
    assert next(row for row in rows if row["title"] == "志愿服务")["subject_name"] == "孙开放"  # personal data granted
    # a key granted only the open records is refused the shared ones
    only_open = _key(settings, {"credit_open_records": CREDIT_FIELDS}, place["county"], personal=False)
    r = client.get("/api/v1/datasets/credit_shared_records", headers={"Authorization": f"Bearer {only_open}"})
    assert r.status_code == 403 and "未获批使用数据集" in r.get_json()["error"]
    spec = client.get("/api/v1/openapi.json").get_json()
    op = spec["paths"]["/api/v1/datasets/credit_open_records"]["get"]
    assert "无条件开放" in op["description"] and "一律脱敏" in str(spec["components"]["schemas"]["credit_open_records"])
