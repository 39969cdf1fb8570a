"""What a form or an import row says about a credit subject or a credit record (forest rights and
encumbrances: domain.credit.forest) (pydantic models of bounded text), and the checks that turn it into stored values or
name, in Chinese, every field that is wrong. Nothing here reads storage: whether the region lies
in the caller's jurisdiction, or the identifier is already taken, is the data layer's question.

Each `*_problems(draft, …)` answers (values, errors): `values` the typed fields to store (only
meaningful when `errors` is empty), `errors` field -> what is wrong.

Default open and share classes (Art. X11, X12) are data: `DEFAULT_CLASSES` below, by record
kind and subtype. Personal data (records of natural persons) is not open unless it was
desensitised or its holder consented (Art. X11 para. 3): a natural person's record defaults to
不予开放 except those published by law (`PUBLISHED_ANYWAY`: 双公示 administrative penalties, the
list of those refusing to perform judgments, commendations); a more open class than the
default is reached only through a reclassification by the data unit (data.credit.records.reclassify).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from domain.credit import codes
from domain.credit.publicity import period_problem, publicity_end
from domain.funds.parsing import parse_amount
from domain.identifiers import OTHER_ID_TYPES, other_id_problem, region_code_problem, resident_id_problem, uscc_problem
from domain.regions import level_of
from domain.text import put_text

#: (record kind, subtype or None) -> (open class, share class); a kind's None row is its default
DEFAULT_CLASSES: dict[tuple[str, str | None], tuple[str, str]] = {
    ("basic", None): ("unconditional", "unconditional"),  # registration data of organisations (natural: see below)
    ("good", None): ("unconditional", "unconditional"),
    ("dishonest", "admin_penalty"): ("unconditional", "unconditional"),  # 双公示: published within 7 working days
    ("dishonest", "criminal_judgment"): ("conditional", "unconditional"),
    ("dishonest", "refusal"): ("unconditional", "unconditional"),  # 失信被执行人名单
    ("dishonest", None): ("conditional", "unconditional"),
    ("transfer", None): ("conditional", "conditional"),
    ("loan", None): ("none", "conditional"),  # bank data: to authorised institutions and public bodies on request
    ("insurance", None): ("none", "conditional"),
    ("trade", None): ("conditional", "conditional"),
    ("service", None): ("conditional", "conditional"),
    ("subsidy", None): ("conditional", "unconditional"),  # 资金到户: announced in the village, shared with bodies
    ("list", None): ("unconditional", "unconditional"),  # lists of leading enterprises, model farms, cooperatives
}
#: a natural person's records open by law despite being personal data (published with IDs masked)
PUBLISHED_ANYWAY = frozenset({("dishonest", "admin_penalty"), ("dishonest", "refusal"), ("good", None)})

#: the kinds whose records carry a subtype, and from which table
SUBTYPES = {"good": codes.GOOD_TYPES, "dishonest": codes.DISHONEST_TYPES, "list": codes.LIST_TYPES}

MAX_SCHEDULE = 360


def default_classes(kind: str, subtype: str | None, natural: bool) -> tuple[str, str]:
    """The open and share class a new record of `kind`/`subtype` gets (the table above)."""
    open_, share = DEFAULT_CLASSES.get((kind, subtype)) or DEFAULT_CLASSES.get((kind, None), ("none", "none"))
    published = (kind, subtype) in PUBLISHED_ANYWAY or (kind, None) in PUBLISHED_ANYWAY
    if natural and not published:
        open_ = "none"
    return open_, share


class Draft(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


class SubjectDraft(Draft):
    kind: str = ""
    identifier: str = ""
    other_id_type: str | None = None  # for a natural person without a resident ID
    name: str = ""
    legal_rep: str = ""
    phone: str = ""
    address: str = ""
    region_code: int | str | None = None
    registered_on: dt.date | None = None


def region_value(errors: dict, value, field: str = "region_code") -> int | None:
    try:
        code = int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        code = None
    if code is None:
        errors[field] = "请选择所在村或县（12位区划代码）"
        return None
    if (why := region_code_problem(code)) is not None:
        errors[field] = why
        return None
    if level_of(code) not in (3, 5):
        errors[field] = "信用主体的所在地应为村（社区）或县级区划"
        return None
    return code


def subject_problems(d: SubjectDraft, today: dt.date) -> tuple[dict, dict[str, str]]:
    """The identifier checked by its kind (Art. X19): natural persons by resident ID (or another
    valid document), organisations and individual businesses by unified social credit code."""
    errors: dict[str, str] = {}
    v: dict = {}
    if d.kind not in codes.SUBJECT_KINDS:
        errors["kind"] = "请选择主体类型"
    raw = "".join((d.identifier or "").split()).upper()
    if d.kind in codes.NATURAL_KINDS:
        if d.other_id_type:
            v["id_type"], v["other_id_type"] = "other", d.other_id_type
            why = other_id_problem(raw, d.other_id_type) if d.other_id_type in OTHER_ID_TYPES else "证件类型不存在"
        else:
            v["id_type"], v["other_id_type"] = "resident", None
            why = resident_id_problem(raw, today)
    else:
        v["id_type"], v["other_id_type"] = "uscc", None
        why = uscc_problem(raw) if d.kind in codes.SUBJECT_KINDS else None
    if why:
        errors["identifier"] = why
    v["identifier"] = raw
    v["kind"] = d.kind
    v["name"] = put_text(errors, "name", d.name, "名称（姓名）", 200)
    v["legal_rep"] = put_text(errors, "legal_rep", d.legal_rep, "法定代表人（负责人）", 50,
                              required=d.kind in ("legal", "organisation")) or None
    phone = put_text(errors, "phone", d.phone, "联系电话", 20, required=False)
    if phone and not all(c.isdigit() or c in "-+ " for c in phone):
        errors["phone"] = "联系电话只能包含数字、空格、“-”和“+”"
    v["phone"] = phone or None
    v["address"] = put_text(errors, "address", d.address, "地址", 200, required=False) or None
    v["region_code"] = region_value(errors, d.region_code)
    if d.registered_on and d.registered_on > today:
        errors["registered_on"] = "登记日期不能晚于今天"
    v["registered_on"] = d.registered_on
    return v, errors


class RecordDraft(Draft):
    kind: str = ""
    subtype: str | None = None
    title: str = ""
    content: str = ""
    severity: str | None = None
    publicity_months: int | str | None = None
    occurred_on: dt.date | None = None
    amount: str = ""  # yuan as typed: a fine, a principal, a claim, a price, a subsidy
    document_no: str = ""
    counterparty: str = ""  # the lender of a loan, the insurer, the buyer …
    source: str = "platform"
    source_system: str = ""
    produced_by: str = ""  # 谁产生: the department that produced it
    provided_by: str = ""  # 谁提供
    responsible_by: str = ""  # 谁负责
    open_class: str | None = None  # None: the table's default
    share_class: str | None = None
    term_months: int | str | None = None  # loans
    schedule: str = ""  # loans: "YYYY-MM-DD,yuan" per line; empty: equal monthly instalments over the term
    # transfers (林权流转): the forest right transferred, the part of it (mu; empty: the whole parcel) and
    # its site class — what makes the record a price sample (data.prices.platform)
    right_id: int | str | None = None
    transfer_area: str = ""
    site_class: int | str | None = None


def _months(errors: dict, field: str, value, what: str, hi: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        n = int(str(value).strip())
    except ValueError:
        errors[field] = f"{what}应为整数（月）"
        return None
    if not 1 <= n <= hi:
        errors[field] = f"{what}应为1至{hi}个月"
        return None
    return n


def equal_schedule(start: dt.date, principal_fen: int, months: int) -> list[tuple[dt.date, int]]:
    """`months` monthly instalments from a month after `start`, adding up exactly to the principal."""
    base, rest = divmod(principal_fen, months)
    return [(codes.add_months(start, i + 1), base + (1 if i < rest else 0)) for i in range(months)]


def _schedule(errors: dict, text: str, start: dt.date | None, principal: int | None, term: int | None):
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    if not lines:
        if term and principal and start:
            return equal_schedule(start, principal, term)
        return []
    if len(lines) > MAX_SCHEDULE:
        errors["schedule"] = f"还款计划不超过{MAX_SCHEDULE}期"
        return []
    out = []
    for i, line in enumerate(lines, 1):
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        try:
            due = dt.date.fromisoformat(parts[0])
        except (ValueError, IndexError):
            errors["schedule"] = f"还款计划第{i}期：日期应为 2026-01-31"
            return []
        fen, why = parse_amount(parts[1] if len(parts) > 1 else "")
        if why:
            errors["schedule"] = f"还款计划第{i}期：{why}"
            return []
        out.append((due, fen))
    if principal is not None and sum(f for _, f in out) != principal:
        errors["schedule"] = "还款计划各期金额之和应等于贷款本金"
    if start and any(d < start for d, _ in out):
        errors["schedule"] = "还款日期不能早于放款日期"
    return sorted(out)


def record_problems(d: RecordDraft, today: dt.date, natural: bool) -> tuple[dict, dict[str, str]]:
    """A record's stored values (category, publicity end, fen, classes, loan schedule) or its errors."""
    errors: dict[str, str] = {}
    v: dict = {"kind": d.kind}
    if d.kind not in codes.RECORD_KINDS:
        errors["kind"] = "请选择信用记录类别"
        return v, errors
    v["category"] = codes.category_of(d.kind)
    subtype = d.subtype or None
    if d.kind in SUBTYPES:
        if subtype not in SUBTYPES[d.kind]:
            errors["subtype"] = "请选择" + codes.kind_label(d.kind) + "的具体类型：" + "、".join(SUBTYPES[d.kind].values())
    elif subtype:
        errors["subtype"] = f"{codes.kind_label(d.kind)}不分具体类型"
    v["subtype"] = subtype if d.kind in SUBTYPES else None
    v["title"] = put_text(errors, "title", d.title, "记录名称（事由）", 200)
    v["content"] = put_text(errors, "content", d.content, "内容", 2000, required=False) or None
    if d.occurred_on is None:
        errors["occurred_on"] = "请填写发生（决定）日期"
    elif d.occurred_on > today:
        errors["occurred_on"] = "发生（决定）日期不能晚于今天"
    v["occurred_on"] = d.occurred_on
    v["severity"] = v["publicity_until"] = None
    months = _months(errors, "publicity_months", d.publicity_months, "公示期", 36)
    if d.kind == "dishonest":
        if d.severity not in codes.SEVERITIES:
            errors["severity"] = "失信信息须注明严重程度（轻微、一般、严重）"
        elif (why := period_problem(d.severity, months)) is not None:
            errors["publicity_months"] = why
        elif d.occurred_on is not None:
            v["publicity_until"] = publicity_end(d.severity, d.occurred_on, months)
        v["severity"] = d.severity if d.severity in codes.SEVERITIES else None
    elif d.severity or months:
        errors["severity" if d.severity else "publicity_months"] = "只有失信信息有严重程度和公示期"
    amount = None
    if (d.amount or "").strip():
        amount, why = parse_amount(d.amount)
        if why:
            errors["amount"] = why
    elif d.kind in ("loan", "subsidy"):
        errors["amount"] = "请填写金额（元）" if d.kind == "subsidy" else "请填写贷款本金（元）"
    v["amount_fen"] = amount
    v["document_no"] = put_text(errors, "document_no", d.document_no, "文书号", 100, required=False) or None
    v["counterparty"] = put_text(errors, "counterparty", d.counterparty, "贷款机构" if d.kind == "loan" else "相对方",
                                 100, required=d.kind == "loan") or None
    if d.source not in codes.SOURCES:
        errors["source"] = "数据来源应为：" + "、".join(codes.SOURCES.values())
    v["source"] = d.source
    v["source_system"] = put_text(errors, "source_system", d.source_system, "来源系统", 100,
                                  required=d.source == "external") or None
    v["produced_by"] = put_text(errors, "produced_by", d.produced_by, "产生数据的部门", 100)
    v["provided_by"] = put_text(errors, "provided_by", d.provided_by, "提供单位", 100, required=False) or None
    v["responsible_by"] = put_text(errors, "responsible_by", d.responsible_by, "负责单位", 100, required=False) or None
    open_d, share_d = default_classes(d.kind, v["subtype"], natural)
    v["open_class"], v["share_class"] = d.open_class or open_d, d.share_class or share_d
    if v["open_class"] not in codes.OPEN_CLASSES:
        errors["open_class"] = "开放属性应为：" + "、".join(codes.OPEN_CLASSES.values())
    elif natural and codes.more_open(open_d, v["open_class"]):
        errors["open_class"] = "个人信息不予开放：须经脱敏处理或权利人同意后，由数据管理单位调整开放属性"
    if v["share_class"] not in codes.SHARE_CLASSES:
        errors["share_class"] = "共享属性应为：" + "、".join(codes.SHARE_CLASSES.values())
    v["term_months"] = v["schedule"] = None
    if d.kind == "loan":
        term = _months(errors, "term_months", d.term_months, "贷款期限", 360)
        if term is None and "term_months" not in errors:
            errors["term_months"] = "请填写贷款期限（月）"
        v["term_months"] = term
        v["schedule"] = _schedule(errors, d.schedule, d.occurred_on, amount, term)
    elif (d.schedule or "").strip() or d.term_months not in (None, ""):
        errors["schedule"] = "只有融资贷款有期限和还款计划"
    v["transfer"] = _transfer(errors, d)
    return v, errors


def _transfer(errors: dict, d: RecordDraft) -> dict | None:
    """A transfer's forest right, area and site class (the record's `detail`), or None."""
    given = d.right_id not in (None, "") or (d.transfer_area or "").strip() or d.site_class not in (None, "")
    if d.kind != "transfer":
        if given:
            errors["right_id"] = "只有林权流转记录可以关联流转的林权"
        return None
    if not given:
        return None
    out: dict = {}
    try:
        out["right_id"] = int(str(d.right_id).strip())
    except ValueError:
        errors["right_id"] = "请选择流转的林权"
    area = (d.transfer_area or "").strip()
    if area:
        try:
            part = Decimal(area)
        except ArithmeticError:
            part = None
        if part is None or not part.is_finite() or part <= 0 or part.as_tuple().exponent < -2 or part > 10**7:
            errors["transfer_area"] = "流转面积应为大于 0 的亩数（最多两位小数）"
        else:
            out["area_mu"] = str(part)
    if d.site_class not in (None, ""):
        try:
            site = int(str(d.site_class).strip())
        except ValueError:
            site = 0
        if not 1 <= site <= 5:
            errors["site_class"] = "立地等级应为 1 至 5"
        else:
            out["site_class"] = site
    return out
