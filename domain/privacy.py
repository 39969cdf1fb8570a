"""Personal data as it leaves the server: the one decision of who sees which personal field in
clear, by viewer and purpose (SPEC §6: "masked wherever the viewer has no right to the full
value", Art. X11, X42, X55).

Personal fields are a natural person's resident ID, name, phone and bank account number. A legal
person's name and credit code (USCC) are not personal data and are always shown in clear; a
counterparty is a natural person when its ID type is ``resident`` (for a name whose ID type is not
known, e.g. a ledger line's counterparty, when it does not read as an organisation's name).

The purpose says what the output is for, the viewer's relation to the record decides which
on-screen purpose applies (`relation`), derived from the action table — nothing here names a role:

- ``handling``: the viewer does the record's work — may take its handling action (the village
  cashier entering a payment, the township accountant posting it: the withholding declaration and
  the bank transfer need the payee's full ID and account; whoever signs a contract). All in clear.
- ``review``: the viewer decides on or supervises the record — may take its decision action (the
  village secretary and supervisory-board chair approving a payment) or verify the handling of its
  warnings. The decision needs to know *who* is paid (a relative, an official?) but not the number
  the cashier has already checked: names in clear, numbers masked.
- ``statistics``: everyone else (the read-only provincial leader, a bank, dashboards, the
  cockpit, warning titles): every personal field masked.
- ``export``: a file leaves the platform's access control: never a full number; names as the
  exporter sees them on screen (`exporting`), none to a statistics viewer.
- ``log``: the security log's descriptions (read by administrators; kept for years): all masked.
- ``disclosure``: published to the members (财务公开): names in clear (a distribution list must be
  checkable by fellow villagers), numbers masked.
- ``portal``: the members' portal (成员自助查询), read on a phone, maybe over a shoulder: a member's
  own record is theirs (`portal_self`: name in clear, ID masked); every other person's name and
  number masked more strictly than elsewhere — the surname only (张*) and the ID's first three and
  last four characters (110***********002X).

The primitives are domain.identifiers' ``mask_*``; this module only decides which applies.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum

from domain.money import yuan
from domain.identifiers import mask_account, mask_name, mask_phone, mask_resident_id, resident_id_problem
from domain.permissions import Action, may


class Purpose(StrEnum):
    HANDLING = "handling"
    REVIEW = "review"
    STATISTICS = "statistics"
    EXPORT = "export"
    LOG = "log"
    DISCLOSURE = "disclosure"
    PORTAL = "portal"


class Field(StrEnum):
    RESIDENT_ID = "resident_id"
    NAME = "name"
    PHONE = "phone"
    ACCOUNT = "account"


MASKS = {Field.RESIDENT_ID: mask_resident_id, Field.NAME: mask_name, Field.PHONE: mask_phone,
         Field.ACCOUNT: mask_account}

_NUMBERS = {Field.RESIDENT_ID: False, Field.PHONE: False, Field.ACCOUNT: False}
#: The rule table: purpose -> field -> shown in clear?
CLEAR: dict[Purpose, dict[Field, bool]] = {
    Purpose.HANDLING: dict.fromkeys(Field, True),
    Purpose.REVIEW: {Field.NAME: True, **_NUMBERS},
    Purpose.STATISTICS: dict.fromkeys(Field, False),
    Purpose.EXPORT: {Field.NAME: True, **_NUMBERS},
    Purpose.LOG: dict.fromkeys(Field, False),
    Purpose.DISCLOSURE: {Field.NAME: True, **_NUMBERS},
    Purpose.PORTAL: dict.fromkeys(Field, False),
}

#: record kind -> the actions of those who handle it (need the full values to do the work)
HANDLERS: dict[str, tuple[Action, ...]] = {
    "payment_request": (Action.FUNDS_REQUEST_CREATE, Action.VOUCHER_POST),
    "contract": (Action.CONTRACT_SAVE,),
    "bid": (Action.TRADE_BID,),
    "resource": (Action.RESOURCE_SAVE,),
    "asset": (Action.ASSET_CARD_SAVE,),
    "meeting": (Action.MEETING_RECORD,),
    "roll": (Action.BASEDATA_PROPOSE, Action.BASEDATA_CORRECT),
    "warning": (),
}
#: record kind -> the actions of those who decide on it; every kind is also reviewed by whoever
#: may verify the handling of its warnings (REVIEWED_BY_ALL)
REVIEWERS: dict[str, tuple[Action, ...]] = {
    "payment_request": (Action.FUNDS_REQUEST_APPROVE_SECRETARY, Action.FUNDS_REQUEST_APPROVE_SUPERVISOR),
    "warning": (Action.WARNING_HANDLE,),
    "roll": (Action.BASEDATA_APPROVE, Action.BASEDATA_CORRECTION_APPROVE),
}
REVIEWED_BY_ALL = (Action.WARNING_VERIFY,)

#: words ending (or inside) an organisation's name: such a name is not personal data
ORG_WORDS = ("公司", "合作社", "联合社", "厂", "场", "站", "局", "中心", "委员会", "集团", "银行", "信用社", "商店",
             "超市", "店", "部", "社", "协会", "基地", "政府", "办事处", "经济组织", "村", "组", "队", "医院", "学校",
             "Co", "Ltd")
_NOTE = re.compile(r"^(.*?)([（(].*)$")  # a trailing note in brackets: 张某某（历年欠款）


def relation(who, kind: str) -> Purpose:
    """The on-screen purpose of `who` (an Actor or a Scope) on a record of `kind` it can already
    read: handling, review or statistics."""
    if any(may(who, a) for a in HANDLERS.get(kind, ())):
        return Purpose.HANDLING
    if any(may(who, a) for a in REVIEWERS.get(kind, ()) + REVIEWED_BY_ALL):
        return Purpose.REVIEW
    return Purpose.STATISTICS


def listing(who, kind: str) -> Purpose:
    """The purpose for a grid of records of `kind`: names as `relation` says, never a full number
    (an overview is no task that needs one; the record's own detail shows it to its handler)."""
    return Purpose.STATISTICS if relation(who, kind) is Purpose.STATISTICS else Purpose.REVIEW


def exporting(on_screen: Purpose) -> Purpose:
    """The purpose of a file exported from a screen shown for `on_screen`."""
    return on_screen if on_screen in (Purpose.STATISTICS, Purpose.LOG) else Purpose.EXPORT


def portal_name(s: str | None) -> str:
    """A person's name on the members' portal: the surname only (张三丰 -> 张**)."""
    return (s[0] + "*" * (len(s) - 1)) if s else ""


def portal_id(s: str | None) -> str:
    """An ID number on the members' portal: first three and last four characters (110***********002X)."""
    s = (s or "").strip()
    return s[:3] + "*" * (len(s) - 7) + s[-4:] if len(s) > 7 else "*" * len(s)


#: the portal's stricter masks (other fields as everywhere)
PORTAL_MASKS = {**MASKS, Field.NAME: portal_name, Field.RESIDENT_ID: portal_id}


def portal_self(field: Field, value) -> str:
    """A member's own field on their portal: their name in clear, numbers masked as for anyone."""
    if value is None or value == "":
        return ""
    return str(value) if Field(field) is Field.NAME else PORTAL_MASKS[Field(field)](str(value))


def clear(purpose: Purpose, field: Field) -> bool:
    return CLEAR[Purpose(purpose)][Field(field)]


def shown(field: Field, value, purpose: Purpose) -> str:
    """A personal `value` of `field` as `purpose` shows it."""
    if value is None or value == "":
        return ""
    text = str(value)
    if clear(purpose, field):
        return text
    return (PORTAL_MASKS if Purpose(purpose) is Purpose.PORTAL else MASKS)[Field(field)](text)


def reads_as_org(name: str) -> bool:
    return any(w in name for w in ORG_WORDS)


def is_person(name, id_type: str | None = None) -> bool:
    """Whether a counterparty named `name` is a natural person: by its ID type when known
    (``resident``: yes, ``uscc``: no), else by whether the name reads as an organisation's."""
    if id_type == "resident":
        return True
    if id_type == "uscc":
        return False
    return bool(name) and not reads_as_org(str(name))


def is_resident_id(number, id_type: str | None = None) -> bool:
    """Whether an ID `number` is a resident ID: by its type when known, else by its checksum."""
    if id_type:
        return id_type == "resident"
    return bool(number) and resident_id_problem(str(number)) is None


def name_shown(name, id_type: str | None, purpose: Purpose) -> str:
    """A counterparty's name: a person's as `purpose` shows it, an organisation's in clear. A
    trailing bracketed note (张某某（历年欠款）) stays readable."""
    if not name:
        return name or ""
    name = str(name)
    if not is_person(name, id_type) or clear(purpose, Field.NAME):
        return name
    mask = portal_name if Purpose(purpose) is Purpose.PORTAL else mask_name
    m = _NOTE.match(name)
    return mask(m.group(1)) + m.group(2) if m and m.group(1) else mask(name)


def id_shown(number, id_type: str | None, purpose: Purpose) -> str:
    """A counterparty's ID number: a resident ID as `purpose` shows it, a credit code in clear;
    another kind of number (passport, …) is a person's too and masked like a resident ID."""
    if not number:
        return number or ""
    if id_type == "uscc" or (not id_type and not is_resident_id(number)):
        return str(number)
    return shown(Field.RESIDENT_ID, number, purpose)


#: (name field, ID field, ID-type field) of a counterparty as records and rows carry it
PARTIES: tuple[tuple[str, str | None, str | None], ...] = (
    ("counterparty_name", "counterparty_id", "counterparty_id_type"),
    ("counterparty", "counterparty_id", "counterparty_id_type"),
    ("bidder", "bidder_id", "bidder_id_type"),
    ("contractor", None, None), ("payee", None, None), ("custodian", None, None),
)
#: keys always naming a natural person (an official found as a counterparty)
PERSON_KEYS = ("official",)


def redact(row: Mapping, purpose: Purpose, *, id_type: str | None = None,
           parties: Iterable[tuple[str, str | None, str | None]] = PARTIES) -> dict:
    """A copy of `row` (a record as a dict, a warning's evidence) with each counterparty's name
    and ID as `purpose` shows them. `id_type` applies when the row carries no ID-type field."""
    out = dict(row)
    for name_key, id_key, type_key in parties:
        kind = (row.get(type_key) if type_key else None) or id_type
        if name_key in out and isinstance(out[name_key], str):
            out[name_key] = name_shown(out[name_key], kind, purpose)
        if id_key and id_key in out and isinstance(out[id_key], str):
            out[id_key] = id_shown(out[id_key], kind, purpose)
    for key in PERSON_KEYS:
        if isinstance(out.get(key), str):
            out[key] = name_shown(out[key], "resident", purpose)
    return out


# ---------------------------------------------------------------- forestry credit portraits
#
# A credit portrait (Art. X30, X61) is read for one of these purposes; the viewer's basis decides
# which (data.credit.portrait): the subject themself, an official within their scope, or a bank
# under a live authorisation for the authorised purpose. The table below is the one place that
# says which of the portrait's fields each sees in clear; README "授权与信用画像" prints it.


class CreditPurpose(StrEnum):
    SELF = "self"  # the subject's own portrait
    SUPERVISION = "supervision"  # a forestry official within their jurisdiction
    BANK_MORTGAGE = "mortgage_loan"  # a bank under an authorisation for 林权抵押贷款 …
    BANK_CREDIT = "credit_loan"
    BANK_INSURANCE = "insurance"
    BANK_SUBSIDY = "interest_subsidy"


class CreditField(StrEnum):
    NAME = "name"  # a natural person's name (an organisation's name is never masked)
    ID = "id"  # a resident ID or another person's ID (a USCC is never masked)
    PHONE = "phone"
    ADDRESS = "address"
    LOCATION = "location"  # a parcel's exact point, polygon and unit code
    AMOUNT = "amount"  # loan principal, repayments, claims, prices, fines, encumbrances
    PARTY = "party"  # a natural person named in a record (a transfer's buyer, …)


#: purpose -> fields shown in clear; every other field is masked (see `credit_shown`, `credit_amount`,
#: `credit_location`). Banks: the name in clear (the authorisation names the applicant the bank
#: deals with), numbers and address never; the parcels' exact location only for a mortgage loan
#: (the parcel is the collateral) and insurance (the insured parcel); amounts rounded to 万元 for
#: insurance (the loan book is beyond that purpose).
CREDIT_CLEAR: dict[CreditPurpose, frozenset[CreditField]] = {
    CreditPurpose.SELF: frozenset(CreditField),
    CreditPurpose.SUPERVISION: frozenset(CreditField),
    CreditPurpose.BANK_MORTGAGE: frozenset({CreditField.NAME, CreditField.LOCATION, CreditField.AMOUNT}),
    CreditPurpose.BANK_CREDIT: frozenset({CreditField.NAME, CreditField.AMOUNT}),
    CreditPurpose.BANK_INSURANCE: frozenset({CreditField.NAME, CreditField.LOCATION}),
    CreditPurpose.BANK_SUBSIDY: frozenset({CreditField.NAME, CreditField.AMOUNT}),
}
#: a bank sees what is still published of the public credit data (a dishonest record within its
#: publicity period, nothing repaired or withdrawn) and, of a record whose open class is `none`,
#: only its kind, date, status and amount — not its content, document number or counterparty
#: (Art. X11: not opened; Art. X30: the holder's authorisation covers the portrait, not the files)
WITHHELD = "（不予开放）"


def is_bank_purpose(purpose: CreditPurpose | str) -> bool:
    return CreditPurpose(purpose) not in (CreditPurpose.SELF, CreditPurpose.SUPERVISION)


def credit_clear(purpose: CreditPurpose | str, field: CreditField | str) -> bool:
    return CreditField(field) in CREDIT_CLEAR[CreditPurpose(purpose)]


def mask_address(s: str | None) -> str:
    """An address to its first six characters (province and county, usually): 江西省南昌县****."""
    s = (s or "").strip()
    return s[:6] + "****" if len(s) > 6 else "*" * len(s)


def mask_unit_code(s: str | None) -> str:
    """A unit code to its county and cadastral zone (the first 12 characters)."""
    s = (s or "").strip()
    return s[:12] + "*" * (len(s) - 12) if len(s) > 12 else s


def credit_shown(field: CreditField | str, value, purpose: CreditPurpose | str, *, person: bool = True) -> str:
    """A personal text field of a portrait as `purpose` shows it; `person` False (an organisation's
    name or credit code) is always in clear."""
    if value is None or value == "":
        return ""
    text = str(value)
    field = CreditField(field)
    if not person or credit_clear(purpose, field):
        return text
    if field in (CreditField.NAME, CreditField.PARTY):
        return name_shown(text, None, Purpose.STATISTICS) if field is CreditField.PARTY else mask_name(text)
    if field is CreditField.ID:
        return mask_resident_id(text)
    if field is CreditField.PHONE:
        return mask_phone(text)
    if field is CreditField.ADDRESS:
        return mask_address(text)
    if field is CreditField.LOCATION:
        return mask_unit_code(text)
    return "*" * len(text)


def credit_amount(fen: int | None, purpose: CreditPurpose | str) -> dict:
    """An amount as `purpose` shows it: {"fen": exact or None, "text": 元 or "约 N 万元"}."""
    if fen is None:
        return {"fen": None, "text": ""}
    if credit_clear(purpose, CreditField.AMOUNT):
        return {"fen": int(fen), "text": f"{yuan(int(fen))} 元"}
    wan = (int(fen) + 500_000) // 1_000_000
    return {"fen": None, "text": f"约 {wan} 万元" if wan else "不足 1 万元"}


def credit_location(lon, lat, polygon, purpose: CreditPurpose | str) -> dict:
    """A parcel's location as `purpose` shows it: exact (point and polygon), or the point rounded
    to 0.01° (about 1 km) without the polygon."""
    if credit_clear(purpose, CreditField.LOCATION):
        return {"lon": lon, "lat": lat, "polygon": polygon, "exact": True}
    return {"lon": round(lon, 2) if lon is not None else None, "lat": round(lat, 2) if lat is not None else None,
            "polygon": None, "exact": False}
