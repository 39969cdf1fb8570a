"""Credit fixtures for tests, written straight through the models (no workflow): valid identifiers,
a subject, a record, a forest right, an authorisation. Tests of a workflow use its data functions."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from data.db import transaction
from data.models import CreditAuthorisation, CreditRecord, CreditSubject, ForestRight
from domain.credit.codes import category_of
from domain.identifiers import org_code_check_char, resident_id_check_char, uscc_check_char

_seq = itertools.count(1)


def resident_id(county: int, birth: dt.date = dt.date(1975, 6, 1), n: int | None = None) -> str:
    """A valid resident ID of someone born in `county` (a 6-digit or 12-digit code)."""
    n = next(_seq) if n is None else n
    birth += dt.timedelta(days=n // 999)  # 999 order codes a day: the next day after them, never a repeat
    body = f"{str(county)[:6]}{birth:%Y%m%d}{n % 999 + 1:03d}"
    return body + resident_id_check_char(body)


def uscc(county: int, n: int | None = None, kind: str = "91") -> str:
    """A valid unified social credit code of an enterprise (91…) registered in `county`."""
    n = next(_seq) if n is None else n
    org = f"{n:08d}"
    body = f"{kind}{str(county)[:6]}{org}{org_code_check_char(org)}"
    return body + uscc_check_char(body)


def unit_code(county: int, n: int | None = None, feature: str = "JE", fixture: str = "L") -> str:
    n = next(_seq) if n is None else n
    return f"{str(county)[:6]}001002{feature}{n % 99999 + 1:05d}{fixture}{n % 10**8:08d}"


def make_subject(settings, region: int, *, name: str = "张林生", kind: str = "natural", identifier: str | None = None,
                 **extra) -> int:
    id_type = "resident" if kind == "natural" else "uscc"
    identifier = identifier or (resident_id(region) if id_type == "resident" else uscc(region))
    with transaction(settings.database_url) as s:
        row = CreditSubject(region_code=region, kind=kind, id_type=id_type, identifier=identifier, name=name, **extra)
        s.add(row)
        s.flush()
        return row.id


def make_record(settings, subject_id: int, kind: str, occurred_on: dt.date, *, title: str = "测试记录",
                produced_by: str = "县林业局", source: str = "platform", **extra) -> int:
    with transaction(settings.database_url) as s:
        subject = s.get(CreditSubject, subject_id)
        row = CreditRecord(subject_id=subject_id, region_code=subject.region_code, category=category_of(kind), kind=kind,
                           title=title, occurred_on=occurred_on, source=source, produced_by=produced_by, **extra)
        s.add(row)
        s.flush()
        return row.id


def make_right(settings, subject_id: int, *, area_mu: str = "35.50", **extra) -> int:
    with transaction(settings.database_url) as s:
        subject = s.get(CreditSubject, subject_id)
        values = dict(unit_code=unit_code(subject.region_code), right_type="contracting", forest_type="timber",
                      species="杉木", age_class="middle", stand_age=14, stock_m3=Decimal("210.40"), lon=115.9, lat=28.7)
        values.update(extra)
        row = ForestRight(subject_id=subject_id, region_code=subject.region_code, area_mu=Decimal(area_mu), **values)
        s.add(row)
        s.flush()
        return row.id


def authorise(settings, subject_id: int, institution: str, *, purpose: str = "mortgage_loan",
              valid_from: dt.date, valid_until: dt.date) -> int:
    with transaction(settings.database_url) as s:
        subject = s.get(CreditSubject, subject_id)
        row = CreditAuthorisation(subject_id=subject_id, region_code=subject.region_code, institution=institution,
                                  purpose=purpose, valid_from=valid_from, valid_until=valid_until)
        s.add(row)
        s.flush()
        return row.id


# ---- lane F: the people of the credit request workflows (applications, corrections, transfers)


def forestry_user(settings, username: str, role: str, region: int, *, institution: str | None = None,
                  subject_id: int | None = None):
    """An account of `role` at `region` (made once; password PASSWORD), with its institution or
    its credit subject, as an Actor."""
    from sqlalchemy import select

    from data.models import User
    from domain.admin import passwords
    from tests.support.app import PASSWORD
    from tests.support.business import actor

    with transaction(settings.database_url) as s:
        if s.scalar(select(User.id).where(User.username == username)) is None:
            s.add(User(username=username, display_name=username, role=role, region_code=region,
                       password_hash=passwords.hash_password(PASSWORD), institution=institution,
                       credit_subject_id=subject_id))
    return actor(settings, username)


class RequestsEnv:
    """A copy of the session's test database with the app on it, a village, a credit subject with
    its own account, a public body, the data unit's handling department (two), deputy and head,
    the provincial bureau and the county forestry bureau; `client(name)` signs one in."""

    def __init__(self, tmp):

        from sqlalchemy import select

        from data.models import CollectiveOrg
        from domain.regions import COUNTY, province_root, truncate
        from tests.support.app import generate_test_data, make_settings
        from tests.support.http import app_on

        self.settings = generate_test_data(make_settings(tmp))  # its own, as generated
        self.app = app_on(self.settings)
        with transaction(self.settings.database_url) as s:
            self.village = int(s.scalar(select(CollectiveOrg.region_code).where(CollectiveOrg.region_code.between(
                self.settings.demo_county, self.settings.demo_county + 10**6 - 1)).order_by(CollectiveOrg.region_code)))
        self.county = truncate(self.village, COUNTY)
        self.province = province_root(self.settings.province)
        self.subject_id = make_subject(self.settings, self.village, name="李林生")
        self.other_subject = make_subject(self.settings, self.village, name="王木根")
        st = self.settings
        self.users = {
            "subject": forestry_user(st, "f.subject", "credit_subject", self.village, subject_id=self.subject_id),
            "public": forestry_user(st, "f.public", "public_body", self.province, institution="省市场监督管理局"),
            "handler": forestry_user(st, "f.handler", "credit_handler", self.province),
            "handler2": forestry_user(st, "f.handler2", "credit_handler", self.province),
            "deputy": forestry_user(st, "f.deputy", "credit_deputy", self.province),
            "head": forestry_user(st, "f.head", "credit_head", self.province),
            "bureau": forestry_user(st, "f.bureau", "forestry_bureau", self.province),
            "county": forestry_user(st, "f.county", "county_forestry", self.county),
        }
        self._clients: dict = {}

    @property
    def url(self) -> str:
        return self.settings.database_url

    @property
    def key(self) -> str:
        return self.settings.audit_key

    def forget_clients(self) -> None:
        self._clients.clear()

    def client(self, name: str):
        from tests.support.http import sign_in

        if name not in self._clients:
            self._clients[name] = sign_in(self.app.server, self.users[name].username)
        return self._clients[name]
