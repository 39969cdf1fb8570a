"""The forestry credit demo population (issue 15, item 10): plausible counts, every identifier
valid, one subject per identifier, publicity ends by severity, overdue loans, the demo bank's
authorisations, the demo subject's link to the collective member; Jilin and Jiangxi."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import text

from data.db import engine_for
from data.demo import DEMO_LOGINS
from data.demo.credit import DEMO_BANK
from domain.credit.publicity import publicity_end
from domain.identifiers import is_valid_resident_id, is_valid_unit_code, is_valid_uscc
from tests.support.app import TODAY, province_settings


@pytest.fixture(scope="module", params=[22, 36])
def settings(request, tmp_path_factory):
    return province_settings(tmp_path_factory, request.param)


def frame(settings, sql: str) -> pl.DataFrame:
    with engine_for(settings.database_url).connect() as c:
        return pl.read_database(text(sql), c, infer_schema_length=None)


def test_credit_demo001_counts_are_plausible(settings):
    subjects = frame(settings, "SELECT kind, region_code FROM credit_subjects")
    assert 250 <= subjects.height <= 1_000
    natural = (subjects["kind"] == "natural").mean()
    assert 0.8 <= natural <= 0.95
    kinds = frame(settings, "SELECT kind, count(*) AS n FROM credit_records GROUP BY kind")
    assert set(kinds["kind"]) >= {"dishonest", "good", "loan", "subsidy", "basic", "insurance", "transfer", "list"}
    assert frame(settings, "SELECT count(*) AS n FROM forest_rights")["n"][0] >= subjects.height * 0.4
    # every subject lives in the test townships of the province
    assert (subjects["region_code"] // 10**10 == settings.province).all()


def test_credit_demo002_every_identifier_is_valid_and_unique(settings):
    s = frame(settings, "SELECT id_type, kind, identifier, region_code FROM credit_subjects")
    assert s["identifier"].n_unique() == s.height
    for id_type, kind, ident, _region in s.iter_rows():
        if id_type == "resident":
            assert kind == "natural" and is_valid_resident_id(ident), ident
        else:
            assert id_type == "uscc" and is_valid_uscc(ident), ident
    # natural persons generated here carry their county's address code (members keep their own)
    own = s.filter(pl.col("id_type") == "resident")
    county = (own["identifier"].str.slice(0, 6).cast(pl.Int64) == own["region_code"] // 10**6).mean()
    assert county > 0.5
    r = frame(settings, "SELECT unit_code, region_code FROM forest_rights")
    assert r["unit_code"].n_unique() == r.height
    assert all(is_valid_unit_code(u) for u in r["unit_code"])
    assert (r["unit_code"].str.slice(0, 6).cast(pl.Int64) == r["region_code"] // 10**6).all()  # the parcel's county


def test_credit_demo003_dishonest_records_publicity_follows_severity(settings):
    d = frame(settings, "SELECT severity, occurred_on, publicity_until FROM credit_records WHERE kind = 'dishonest'")
    assert d.height > 10
    for sev, on, until in d.iter_rows():
        on, until = dt.date.fromisoformat(str(on)), dt.date.fromisoformat(str(until))
        assert until == publicity_end(sev, on)
    counts = d["severity"].value_counts().sort("count", descending=True)["severity"].to_list()
    assert counts[0] == "minor" and counts[-1] == "serious"
    expired = sum(dt.date.fromisoformat(str(u)) < TODAY for u in d["publicity_until"])
    assert 0 < expired < d.height  # some publicity over, some still running
    per = frame(settings, "SELECT subject_id, count(*) AS n FROM credit_records WHERE kind = 'dishonest' GROUP BY subject_id")
    total = frame(settings, "SELECT count(*) AS n FROM credit_subjects")["n"][0]
    assert per.height < total * 0.3 and per["n"].max() >= 3  # most none, a few many


def test_credit_demo004_loans_repay_mostly_on_time_some_overdue(settings):
    loans = frame(settings, "SELECT id, counterparty, subtype, detail FROM credit_records WHERE kind = 'loan'")
    assert DEMO_BANK in set(loans["counterparty"]) and set(loans["subtype"]) == {"mortgage_loan", "credit_loan"}
    reps = frame(settings, "SELECT record_id, due_on, paid_on FROM credit_repayments")
    assert set(reps["record_id"]) <= set(loans["id"])
    due = reps.filter(pl.col("due_on").cast(pl.Utf8) <= TODAY.isoformat())
    overdue = due.filter(pl.col("paid_on").is_null())
    assert 0 < overdue.height < due.height * 0.2
    assert overdue["record_id"].n_unique() >= 1
    late = due.filter(pl.col("paid_on").cast(pl.Utf8) > pl.col("due_on").cast(pl.Utf8))
    assert late.height > 0
    mortgages = frame(settings, "SELECT count(*) AS n FROM forest_encumbrances WHERE kind = 'mortgage'")["n"][0]
    assert mortgages > 0


def test_credit_demo005_the_demo_bank_has_live_revoked_and_expired_authorisations(settings):
    a = frame(settings, f"SELECT institution, valid_until, revoked_at FROM credit_authorisations "
                        f"WHERE institution = '{DEMO_BANK}'")
    live = a.filter(pl.col("revoked_at").is_null() & (pl.col("valid_until").cast(pl.Utf8) >= TODAY.isoformat()))
    assert live.height >= 10
    assert a["revoked_at"].is_not_null().any()
    assert (a["valid_until"].cast(pl.Utf8) < TODAY.isoformat()).any()
    assert frame(settings, "SELECT count(*) AS n FROM credit_portrait_views")["n"][0] >= live.height


def test_credit_demo006_subsidies_rest_on_a_batch_with_its_document(settings):
    s = frame(settings, "SELECT r.batch_id, b.attachment_id, a.sha256, b.sha256 AS bsha FROM credit_records r "
                        "JOIN credit_import_batches b ON b.id = r.batch_id JOIN attachments a ON a.id = b.attachment_id "
                        "WHERE r.kind = 'subsidy'")
    n = frame(settings, "SELECT count(*) AS n FROM credit_records WHERE kind = 'subsidy'")["n"][0]
    assert s.height == n > 0 and (s["sha256"] == s["bsha"]).all()


def test_credit_demo007_forestry_users_and_the_demo_subject(settings):
    users = frame(settings, "SELECT username, role, institution, credit_subject_id, member_id FROM users")
    names = set(users["username"])
    for u in ("demo-forestry", "demo-credit-handler", "demo-credit-deputy", "demo-credit-head", "demo-county-forestry",
              "demo-enforcement", "demo-public-body", "demo-subject", "demo-bank-b"):
        assert u in names and u in {n for n, _ in DEMO_LOGINS}
    subject = users.filter(pl.col("username") == "demo-subject").row(0, named=True)
    member = users.filter(pl.col("username") == "demo-member").row(0, named=True)
    assert subject["credit_subject_id"]
    same = frame(settings, f"SELECT s.identifier, m.id_number FROM credit_subjects s, members m "
                           f"WHERE s.id = {subject['credit_subject_id']} AND m.id = {member['member_id']}")
    assert same["identifier"][0] == same["id_number"][0]
    assert users.filter(pl.col("username") == "demo-bank-b")["institution"][0] != DEMO_BANK


def test_credit_demo008_collective_forest_land_became_the_contractors_rights(settings):
    r = frame(settings, "SELECT f.subject_id, s.identifier, k.counterparty_id FROM forest_rights f "
                        "JOIN resources r ON r.id = f.resource_id JOIN contracts k ON k.id = r.contract_id "
                        "JOIN credit_subjects s ON s.id = f.subject_id")
    assert r.height > 0 and (r["identifier"] == r["counterparty_id"]).all()


def test_credit_demo009_species_are_the_provinces(settings):
    species = set(frame(settings, "SELECT DISTINCT species FROM forest_rights")["species"])
    assert species <= ({"杉木", "马尾松", "毛竹", "油茶"} if settings.province == 36 else {"落叶松", "红松", "白桦", "杨树"})


def test_credit_demo010_the_demos_penalties_are_pushable_to_credit_china(settings):
    """The demo's administrative penalties carry what 双公示 needs (处罚依据, 处罚类别, 处罚机关代码):
    the push's own validation rejects none of the generator's (the planted counterparties included)."""
    import json

    from domain.credit import push

    rows = frame(settings, "SELECT r.id, r.kind, r.subtype, r.title, r.content, r.occurred_on, r.publicity_until, "
                           "r.amount_fen, r.document_no, r.produced_by, r.open_class, r.status, r.detail, "
                           "s.name AS subject_name, s.kind AS subject_kind, s.id_type, s.identifier, s.legal_rep "
                           "FROM credit_records r JOIN credit_subjects s ON s.id = r.subject_id "
                           "WHERE r.kind = 'dishonest' AND r.subtype = 'admin_penalty'")
    assert rows.height >= 10
    records = [r | {"detail": json.loads(r["detail"]) if isinstance(r["detail"], str) else r["detail"]}
               for r in rows.to_dicts()]
    result = push.validate(records)
    assert result["rejected"] == [], result["rejected"][:3]
    assert result["counts"]["CF"]["pushed"] == rows.height
    codes = {row["CF_CFJGDM"] for row in result["rows"]["CF"]}
    assert all(is_valid_uscc(c) and c.startswith("11") for c in codes)
