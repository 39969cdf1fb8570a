"""Data-sharing applications in the system of record (Art. J23–J24; Art. X39–X44): register,
attach the signed commitment, assess the risk, decide. An approval issues the application's API
key in the same transaction; the key's clear text is returned once and never stored."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data import attachments
from data.admin import audit_log
from data.db import reading, transaction
from data.errors import AccountError
from data.models import Attachment, DataApiKey, DataRequest, utcnow
from data.regions import load_region_tree
from data.scoped import in_scope, load_for_write
from domain import approvals
from domain.permissions import NOUNS, Action, Actor, ensure, may
from domain.regions import province_root
from domain.sharing import applications as rules
from domain.sharing import keys
from domain.sharing.catalogue import asks_personal, scope_text
from domain.supervision.workdays import add_working_days

NOUN = NOUNS["data_request"]


def _audit(s, key, actor: Actor, description: str, result: str, region: int, detail: dict) -> None:
    audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="data_sharing",
                     description=description, result=result, region_code=region, ip=actor.ip, detail=detail)


def register(url: str, key: str, province: int, actor: Actor, d: rules.Draft, cidrs_text, rate,
             today: dt.date) -> int:
    """Register an application: a provincial administrator for an external unit (named in the
    draft), a city or county administrator for its own unit."""
    ensure(actor, Action.DATA_REQUEST_CREATE)
    tree = load_region_tree(province)
    external = actor.level == 1
    if not external:
        d.unit = tree.name(actor.scope.root)
    errors = rules.draft_problems(d, today, lambda c: c in tree, province_root(province))
    cidrs, problem = keys.parse_cidrs(cidrs_text)
    if problem:
        errors["allowed_ips"] = problem
    if not isinstance(rate, int) or not rules.RATE_MIN <= rate <= rules.RATE_MAX:
        errors["rate"] = f"每分钟调用上限须为{rules.RATE_MIN}–{rules.RATE_MAX}的整数"
    if errors:
        raise AccountError(errors)
    personal = bool(d.personal and asks_personal(d.scope))
    with transaction(url, actor) as s:
        row = DataRequest(
            region_code=actor.scope.root, applicant_kind="external" if external else "region", unit=d.unit.strip(),
            contact=d.contact.strip(), purpose=d.purpose.strip(), scope={k: list(v) for k, v in d.scope.items()},
            regions=sorted(set(d.regions)), data_from=d.data_from, data_to=d.data_to, valid_until=d.valid_until,
            personal=personal, allowed_ips=cidrs, rate_per_minute=rate, received_on=today,
            answer_due=rules.answer_due(today, add_working_days), status="submitted", registered_by_id=actor.user_id,
            collected_by_id=actor.user_id, provided_by=d.unit.strip()[:100], responsible_by=actor.username)
        s.add(row)
        s.flush()
        _audit(s, key, actor, f"登记数据共享申请 #{row.id}：{row.unit}，{scope_text(row.scope)[:200]}",
               "submitted", actor.scope.root, {"data_request_id": row.id, "regions": row.regions})
        return row.id


def attach_commitment(url: str, key: str, actor: Actor, request_id, filename: str, content: bytes) -> int:
    """Attach the signed confidentiality commitment (a PDF) to a pending application."""
    ensure(actor, Action.DATA_REQUEST_CREATE)
    name = attachments.clean_name(filename)
    if not name.lower().endswith(".pdf") or not content.startswith(b"%PDF"):
        raise AccountError({"commitment": f"请上传签署的{rules.COMMITMENT}（PDF文件）"})
    with transaction(url, actor) as s:
        row = load_for_write(s, DataRequest, request_id, actor, noun=NOUN)
        if row.status not in ("submitted", "assessed"):
            raise AccountError({"commitment": "该申请已处理，不能再上传"})
        att = attachments.add(s, actor, "data_request", row.id, name, content)
        _audit(s, key, actor, f"上传数据共享申请 #{row.id} 的{rules.COMMITMENT}：{name}", "success", row.region_code,
               {"data_request_id": row.id, "attachment_id": att})
        return att


def assess(url: str, key: str, actor: Actor, request_id, version, level, notes) -> None:
    """Record the risk assessment (Art. J23 (二)); not by whoever registered the application."""
    errors = rules.assessment_problems(level, notes)
    with transaction(url, actor) as s:
        row = load_for_write(s, DataRequest, request_id, actor, version, noun=NOUN, action=Action.DATA_REQUEST_ASSESS)
        if row.status not in ("submitted", "assessed"):
            raise AccountError({"risk_level": "该申请已处理，不能再评估"})
        if errors:
            raise AccountError(errors)
        row.risk_level, row.risk_notes = level, str(notes).strip()
        row.assessed_by_id, row.assessed_at, row.status = actor.user_id, utcnow(), "assessed"
        _audit(s, key, actor, f"评估数据共享申请 #{row.id} 风险：{rules.RISK_LEVELS[level]}", "success",
               row.region_code, {"data_request_id": row.id, "risk_level": level})


def _has_commitment(s, request_id: int) -> bool:
    return s.scalar(select(Attachment.id).where(Attachment.owner_type == "data_request",
                                                Attachment.owner_id == request_id).limit(1)) is not None


def decide(url: str, key: str, actor: Actor, request_id, version, approve: bool, opinion) -> tuple[str, str | None]:
    """Approve (issuing the key: its clear text is returned, once) or refuse with reasons."""
    errors: dict[str, str] = {}
    opinion = approvals.opinion_of(errors, approve, opinion)
    with transaction(url, actor) as s:
        row = load_for_write(s, DataRequest, request_id, actor, version, noun=NOUN, action=Action.DATA_REQUEST_DECIDE)
        problem = rules.decision_problems(row.status, _has_commitment(s, row.id), approve)
        if problem:
            raise AccountError(problem)
        if errors:
            raise AccountError(errors)
        row.status = "approved" if approve else "rejected"
        row.decided_by_id, row.decided_at, row.decision_comment = actor.user_id, utcnow(), opinion
        token = None
        if approve:
            token = keys.new_token()
            s.add(DataApiKey(request_id=row.id, token_sha256=keys.digest(token), token_prefix=keys.shown_prefix(token),
                             status="active", expires_on=row.valid_until, allowed_ips=list(row.allowed_ips),
                             rate_per_minute=row.rate_per_minute, issued_by_id=actor.user_id,
                             collected_by_id=actor.user_id, responsible_by=actor.username))
        _audit(s, key, actor, f"{'批准' if approve else '驳回'}数据共享申请 #{row.id}（{row.unit}）"
               + ("，签发接口密钥" if approve else "") + (f"；审批意见：{opinion[:100]}" if opinion else ""),
               row.status, row.region_code, {"data_request_id": row.id})
        return row.status, token


def listing(url: str, actor: Actor, tree) -> list[dict]:
    """The applications the caller's jurisdiction holds (the province: all), newest first."""
    with reading(url) as s:
        q = select(DataRequest).where(in_scope(DataRequest.region_code, actor)).order_by(DataRequest.id.desc())
        rows = list(s.scalars(q))
        with_files = set(s.scalars(select(Attachment.owner_id).where(
            Attachment.owner_type == "data_request", Attachment.owner_id.in_([r.id for r in rows]))))
        out = []
        for r in rows:
            res = rules.resource(r.region_code, r.registered_by_id)
            out.append({
                "id": r.id, "version": r.version, "region_code": int(r.region_code), "unit": r.unit,
                "contact": r.contact, "purpose": r.purpose,
                "kind": "外部单位" if r.applicant_kind == "external" else "市县", "scope": scope_text(r.scope),
                "regions": "、".join(tree.name(c) for c in r.regions), "period": f"{r.data_from} 至 {r.data_to}",
                "valid_until": r.valid_until.isoformat(), "personal": "明文" if r.personal else "脱敏",
                "allowed_ips": "，".join(r.allowed_ips), "rate": r.rate_per_minute,
                "received_on": r.received_on.isoformat(), "answer_due": r.answer_due.isoformat(),
                "risk": rules.RISK_LEVELS.get(r.risk_level or "", ""), "risk_notes": r.risk_notes or "",
                "status": r.status, "state": rules.STATES.get(r.status, r.status), "opinion": r.decision_comment or "",
                "commitment": "已上传" if r.id in with_files else "未上传",
                "assessable": r.status in ("submitted", "assessed") and may(actor, Action.DATA_REQUEST_ASSESS, res),
                "decidable": r.status in ("submitted", "assessed") and may(actor, Action.DATA_REQUEST_DECIDE, res)})
        return out
