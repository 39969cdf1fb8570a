"""A believable handling history for the demo's warnings.

The generator runs the warning engine once, at the end, so every warning would be raised on the
generation day and none handled. This pass rewrites that one run as months of a running platform:

- `raised_at`: the fault's own date from its evidence (a payment, contract, due or deadline date)
  plus a few days for the data to be entered and the hourly run to find it (a fault older than the
  data: in the data's first month); a fault without a date falls somewhere in the last 12 months
  (not before its fingerprint's period). Never before the data starts, never after today.
  `due_on` counts working days from that date by severity (`domain.supervision.lifecycle.due_date`,
  the engine's table).
- The lifecycle the platform would have written, step by step in working days and working hours
  (`domain.supervision.lifecycle.TRANSITIONS`): acknowledged and handled (with a Chinese note) by the
  village's township accountant, verified and closed by the county administrator — real demo users
  where that jurisdiction has one, else by_id None. A step planned after `cutoff` has not happened,
  so recent warnings are mostly open; about a fifth stall at a step (never handled, handled but not
  verified, verified but not closed), so older ones are mostly — not all — closed.
- A warning not handled by its deadline went one level up the day after (the escalation thread's
  "escalated" event, assigned_region = the township, a new deadline), and the township handled it
  by then. Nothing is left overdue that the escalation thread would move again on its first run.
- Every rule keeps an open warning (its newest), so each rule still shows on the open heatmap.

`plan` is pure (rows in, rows out, deterministic for a seed); `apply` reads the engine's warnings
and writes the plan with bulk Core statements: one UPDATE of warnings, one of the engine's
raise/push events' times, one INSERT of the new events (executemany).
"""
from __future__ import annotations

import calendar
import datetime as dt
import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy import and_, bindparam, insert, or_, select, update

from data.models import User, Warning, WarningEvent
from domain.permissions import Action, roles_for
from domain.regions import COUNTY, TOWNSHIP
from domain.supervision import lifecycle
from domain import clock
from domain.clock import CST, china_date
from domain.supervision.rules import DUE_WORKING_DAYS, fingerprint_period
from domain.supervision.workdays import add_working_days, is_workday

UTC = dt.UTC
#: share of warnings that stall at a step (and at which one)
STALL_SHARE = 0.22
STALL_AT = (("handle", 0.3), ("verify", 0.75), ("close", 1.0))
#: share of warnings whose handling runs past the deadline (they escalate to the township)
LATE_SHARE = 0.06
#: undated faults fall in this many days before today
SPREAD_DAYS = 365
#: roles that handle for a township (first found wins) and that verify for a county, from the action table
HANDLER_ROLES = roles_for(Action.WARNING_HANDLE, TOWNSHIP)
VERIFIER_ROLES = roles_for(Action.WARNING_VERIFY, COUNTY)

ACK_NOTE = "已签收，安排核查"
VERIFY_NOTES = ("经复核，整改材料齐全，情况属实", "经复核，整改措施已落实", "已核实整改结果，材料已归档")
CLOSE_NOTES = ("整改到位，予以关闭", None, "问题已整改，关闭预警")
HANDLE_NOTES = {
    "cash_over_limit": "已将超出限额的库存现金存入基本存款账户，重新核定现金限额并完善现金日记账。",
    "cash_payment_to_org": "经核查该笔款项确系对单位支付，已责令今后对单位付款一律通过银行转账，报账员已作书面说明。",
    "cash_not_deposited": "已将滞留现金全额存入银行账户，补登银行存款日记账，并对报账员进行提醒谈话。",
    "cash_sitting_payment": "已纠正坐支行为，收入全额入账后按审批程序重新支付，相关凭证已调整。",
    "no_resolution": "已补充召开村民代表会议履行“四议两公开”程序，会议记录和决议公开情况已归档。",
    "same_person_decision": "已由村集体监事长重新核对会议纪要和签到表，今后会议登记、确认和引用决议分别由不同人员办理。",
    "contract_expired_active": "已与承包方核对到期合同，结清欠款并办理合同终止手续，合同状态已更新。",
    "instalment_overdue": "已向承包方送达催缴通知书，逾期款项已全额收回并入账。",
    "contract_expiring": "已提醒村集体提前研究续签或重新发包事宜，拟提交村民代表会议民主决策。",
    "receivable_aged_3y": "已逐笔核对往来款项，督促债务人签订还款计划，部分款项已收回入账。",
    "receivable_aged_5y": "已清理长期挂账往来款项，确认无法收回部分按程序报批核销。",
    "contract_signed_after_start": "经核查系合同补签，已补充民主决策程序并规范先签约后履行的流程。",
    "paid_before_approval": "经核查为先支付后审批，已补办审批手续，并对相关责任人进行批评教育。",
    "supplier_registered_after_contract": "已核实合同相对方主体资格并补充证明材料，今后签约前先行核验资质。",
    "duplicate_payment": "经核对原始凭证，重复支付的款项已追回并冲正入账。",
    "official_counterparty": "已按回避制度补充民主决策程序并公示，相关交易经监事会审核属实。",
    "price_below_reserve": "已调取交易档案核查成交过程，低于底价成交的原因已书面说明并经村民代表会议确认。",
    "price_below_going_rate": "已对照本县同类资源租金水平复核，合同到期后按市场价重新发包。",
    "annual_check_not_filed": "已督促村集体补报上年度资产清查结果，清查表和盘点记录已录入系统。",
    "spending_jump": "经核查，支出增长系当月集中支付工程款所致，已附相关合同、决议和验收材料。",
    "benford": "已抽查相关支付凭证，未发现虚构支出，已要求规范金额录入和原始凭证管理。",
}
GENERIC_NOTE = "已核查有关情况并完成整改，整改材料已归档。"


def _date(value) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _plus_years(day: dt.date | None, years) -> dt.date | None:
    if day is None:
        return None
    year = day.year + int(years or 0)
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def _days(day: dt.date | None, n) -> dt.date | None:
    return day + dt.timedelta(days=int(n or 0)) if day else None


def _period_end(period) -> dt.date | None:
    p = int(period or 0)
    if p < 190001:
        return None
    y, m = divmod(p, 100)
    return dt.date(y, m, calendar.monthrange(y, m)[1])


#: the day each rule's fault became visible in the data, from its evidence (None: undated)
FAULT_DATE = {
    "cash_over_limit": lambda e: _date(e.get("since")) or _date(e.get("as_of")),
    "cash_not_deposited": lambda e: _days(_date(e.get("deadline")), 1) or _date(e.get("date")),
    "contract_expired_active": lambda e: _days(_date(e.get("end_on")), 1),
    "instalment_overdue": lambda e: _days(_date(e.get("due_on")), int(e.get("grace_days") or 0) + 1),
    "contract_expiring": lambda e: _days(_date(e.get("end_on")), -int(e.get("days") or 90)),
    "receivable_aged_3y": lambda e: _plus_years(_date(e.get("oldest_on")), e.get("years")),
    "receivable_aged_5y": lambda e: _plus_years(_date(e.get("oldest_on")), e.get("years")),
    "paid_before_approval": lambda e: max((d for d in map(_date, (e.get("paid_on"), e.get("request_date"),
                                                                  e.get("approved_on"), e.get("held_on"))) if d),
                                          default=None),
    "supplier_registered_after_contract": lambda e: _date(e.get("registered_on")) or _date(e.get("signed_on")),
    "annual_check_not_filed": lambda e: _days(_date(e.get("due_on")), 1),
    "spending_jump": lambda e: _period_end(e.get("period")),
    "price_below_reserve": lambda e: None,
    "price_below_going_rate": lambda e: None,
    "benford": lambda e: None,
}
_DATE_KEYS = ("date", "paid_on", "signed_on", "due_on", "end_on")


def fault_date(rule_id: str, evidence: dict | None) -> dt.date | None:
    """The day the fault showed in the data (None when the evidence carries no date)."""
    e = evidence or {}
    if rule_id in FAULT_DATE:
        return FAULT_DATE[rule_id](e)
    return next((d for k in _DATE_KEYS if (d := _date(e.get(k)))), None)


def _period_start(fp: str) -> dt.date | None:
    p = fingerprint_period(fp)
    if p.isdigit() and len(p) == 4:
        return dt.date(int(p), 1, 1)
    if p.isdigit() and len(p) == 6:
        return dt.date(int(p[:4]), int(p[4:]), 1)
    return None


@dataclass(frozen=True)
class Plan:
    warnings: list[dict]  # one per warning: b_id and the new values (b_ prefixed)
    events: list[dict]  # the new WarningEvent rows
    raised: list[dict]  # b_wid, b_at: the engine's raise/push events moved to raised_at


def _at(day: dt.date, minute: float, after: dt.datetime | None, gap: float) -> dt.datetime:
    """`day` at `minute` (CST minutes after midnight), but later than `after` (by 20 min–3 h)."""
    at = dt.datetime.combine(day, dt.time(int(minute) // 60, int(minute) % 60), tzinfo=CST).astimezone(UTC)
    if after is not None and at <= after:
        at = after + dt.timedelta(minutes=20 + int(gap * 160))
    return at


def _workday(day: dt.date) -> dt.date:
    """`day` if it is a working day, else the next one."""
    return day if is_workday(day) else add_working_days(day, 1)


def _work_minute(u: float) -> float:
    return 8.5 * 60 + u * 9 * 60  # 08:30–17:30


def plan(rows, users, *, today: dt.date, start: dt.date, seed: int, cutoff: dt.datetime,
         region_name=lambda code: str(code)) -> Plan:
    """The history of the engine's fresh warnings.

    rows: (id, rule_id, region_code, severity, fingerprint, evidence); users: (id, role, region_code);
    start: the first day with data; cutoff: the present moment (nothing happens after it)."""
    rows = sorted(rows, key=lambda r: r[4])  # by fingerprint: independent of insertion order

    def first(roles):  # region -> the user of the first listed role there (lowest id)
        out = {}
        for uid, _role, region in sorted((u for u in users if u[1] in roles), key=lambda u: (roles.index(u[1]), u[0])):
            out.setdefault(int(region), uid)
        return out

    handler, verifier = first(HANDLER_ROLES), first(VERIFIER_ROLES)
    rng = np.random.default_rng([int(seed), 6])
    u = rng.random((len(rows), 20))
    floor = max(start, today - dt.timedelta(days=SPREAD_DAYS))

    # first pass: dates raised, and which warning of each rule is newest (it stays open)
    raised_days = []
    for i, (_wid, rule_id, _region, _sev, fp, ev) in enumerate(rows):
        fault = fault_date(rule_id, ev)
        if fault is not None and fault >= start:
            day = fault + dt.timedelta(days=int(u[i, 0] * 6))
        elif fault is not None:  # older than the data: found in the platform's first month
            day = start + dt.timedelta(days=int(u[i, 0] * 30))
        else:
            lo = max(floor, _period_start(fp) or floor)
            lo = min(lo, today)
            day = lo + dt.timedelta(days=int(u[i, 0] * ((today - lo).days + 1)))
        raised_days.append(min(max(day, start), today))
    newest = {}
    for i, r in enumerate(rows):
        if r[1] not in newest or (raised_days[i], r[4]) > (raised_days[newest[r[1]]], rows[newest[r[1]]][4]):
            newest[r[1]] = i

    out_w, out_e, out_r = [], [], []
    for i, (wid, rule_id, region, sev, _fp, _ev) in enumerate(rows):
        x = u[i]
        region, sev = int(region), int(sev)
        township, county = region // 1000 * 1000, region // 10**6 * 10**6
        by_handler, by_verifier = handler.get(township), verifier.get(county)
        raised_day = raised_days[i]
        raised_at = dt.datetime.combine(raised_day, dt.time(int(x[1] * 24), int(x[2] * 60)), tzinfo=CST).astimezone(UTC)
        raised_at = min(raised_at, cutoff)
        window = DUE_WORKING_DAYS.get(sev, DUE_WORKING_DAYS[2])
        due = lifecycle.due_date(raised_day, sev)
        stall = None
        if x[3] < STALL_SHARE:
            stall = next(stage for stage, p in STALL_AT if x[4] < p)
        if i == newest[rule_id] and stall is None:
            stall = "verify"  # each rule keeps an open warning
        # planned working days of each step
        ack_wd = (0, 0, 1, 1, 1, 2, 3)[int(x[5] * 7)]
        if x[6] < LATE_SHARE:
            handle_wd = window - ack_wd + 1 + int(x[7] * 5)
        else:
            handle_wd = 1 + int(x[7] * max(1, window - ack_wd))
        steps = []  # (action, at, by, from, to, note)
        status, version = "pushed", 1
        assigned, escalations = region, 0
        stamps = {"acknowledged_at": None, "handled_at": None, "verified_at": None, "closed_at": None}

        def step(action, at, by, note, steps=steps, wid=wid):  # called in this iteration only
            nonlocal status, version
            after = "pushed" if action == "escalated" else lifecycle.next_status(action)
            steps.append(dict(b_wid=wid, b_at=at, b_by=by, b_action=action, b_from=status, b_to=after, b_note=note))
            status, version = after, version + 1

        ack_day = add_working_days(_workday(raised_day), ack_wd)
        ack_at = _at(ack_day, _work_minute(x[8]), raised_at, x[9])
        handle_day = add_working_days(ack_day, handle_wd)
        esc_day = due + dt.timedelta(days=1)
        esc_at = dt.datetime.combine(esc_day, dt.time(0, int(x[10] * 60)), tzinfo=CST).astimezone(UTC)
        if stall == "handle" and lifecycle.due_date(esc_day, sev) < today:
            stall = "verify"  # unhandled this long it would have gone up again: it was handled (on time)
        escalate = (handle_day > due or stall == "handle") and esc_at <= cutoff
        new_due = lifecycle.due_date(esc_day, sev) if escalate else due
        if escalate:
            handle_day = min(handle_day, new_due)  # the township handled it by the new deadline
        if ack_at <= cutoff and (not escalate or ack_at < esc_at):
            step("acknowledge", ack_at, by_handler, ACK_NOTE)
            stamps["acknowledged_at"] = ack_at
        if escalate:
            assigned, escalations = township, 1
            step("escalated", esc_at, None,
                 f"逾期未办理，升级至{region_name(township)}督办（第1次），办理期限{new_due.isoformat()}")
            ack2 = _at(add_working_days(_workday(esc_day), int(x[11] * 2)), _work_minute(x[12]), esc_at, x[9])
            if ack2 <= cutoff:
                step("acknowledge", ack2, by_handler, "已签收，乡镇督办")
                stamps["acknowledged_at"] = ack2
        handled = False
        if status == "acknowledged" and stall != "handle":
            handle_day = max(handle_day, china_date(steps[-1]["b_at"]))
            handle_at = _at(handle_day, _work_minute(x[13]), steps[-1]["b_at"], x[9])
            if handle_at <= cutoff:
                step("handle", handle_at, by_handler, HANDLE_NOTES.get(rule_id, GENERIC_NOTE))
                stamps["handled_at"], handled = handle_at, True
        if handled and stall != "verify":
            day = add_working_days(handle_day, 1 + int(x[14] * 8))
            at = _at(day, _work_minute(x[15]), steps[-1]["b_at"], x[9])
            if at <= cutoff:
                step("verify", at, by_verifier, VERIFY_NOTES[int(x[14] * 3)])
                stamps["verified_at"] = at
                if stall != "close":
                    day = add_working_days(day, int(x[16] * 3))
                    at = _at(day, _work_minute(x[17]), at, x[18])
                    if at <= cutoff:
                        step("close", at, by_verifier, CLOSE_NOTES[int(x[19] * 3)])
                        stamps["closed_at"] = at
        out_w.append(dict(b_id=wid, b_raised_at=raised_at, b_due_on=new_due, b_status=status, b_assigned=assigned,
                          b_escalations=escalations, b_version=version, **{f"b_{k}": v for k, v in stamps.items()}))
        out_r.append(dict(b_wid=wid, b_at=raised_at))
        out_e += steps
    return Plan(out_w, out_e, out_r)


def _cutoff(today: dt.date) -> dt.datetime:
    """The present moment of the generated data: now, or the end of the working day of a `today`
    that is not the real today (the test suite's fixed date)."""
    now = clock.now()
    if china_date(now) == today:
        return now
    return dt.datetime.combine(today, dt.time(18), tzinfo=CST).astimezone(UTC)


def apply(engine, *, today: dt.date, start: dt.date, seed: int, province: int,
          cutoff: dt.datetime | None = None) -> dict:
    """Give the warnings the engine has just raised (pushed, never touched) their history."""
    from data.regions import load_region_tree

    t0 = time.perf_counter()
    cutoff = cutoff or _cutoff(today)
    tree = load_region_tree(province)
    with engine.connect() as c:
        rows = c.execute(select(Warning.id, Warning.rule_id, Warning.region_code, Warning.severity,
                                Warning.fingerprint, Warning.evidence)
                         .where(Warning.status == "pushed", Warning.escalations == 0)).all()
        users = c.execute(select(User.id, User.role, User.region_code)
                          .where(User.role.in_(HANDLER_ROLES + VERIFIER_ROLES), User.is_active)).all()
    p = plan(rows, users, today=today, start=start, seed=seed, cutoff=cutoff, region_name=tree.name)
    t_plan = time.perf_counter() - t0
    w, ev = Warning.__table__, WarningEvent.__table__
    cols = ("raised_at", "due_on", "status", "escalations", "version", "acknowledged_at", "handled_at",
            "verified_at", "closed_at")
    with engine.begin() as c:
        if p.warnings:
            c.execute(update(w).where(w.c.id == bindparam("b_id"))
                      .values(assigned_region=bindparam("b_assigned"), **{k: bindparam(f"b_{k}") for k in cols}),
                      p.warnings)
            c.execute(update(ev).where(and_(ev.c.warning_id == bindparam("b_wid"),
                                            or_(ev.c.action == "raise", ev.c.action == "push")))
                      .values(at=bindparam("b_at")), p.raised)
        for i in range(0, len(p.events), 5000):
            c.execute(insert(ev).values(warning_id=bindparam("b_wid"), at=bindparam("b_at"), by_id=bindparam("b_by"),
                                        action=bindparam("b_action"), from_status=bindparam("b_from"),
                                        to_status=bindparam("b_to"), note=bindparam("b_note")),
                      p.events[i:i + 5000])
    counts: dict[str, int] = {}
    for r in p.warnings:
        counts[r["b_status"]] = counts.get(r["b_status"], 0) + 1
    return {"warnings": len(p.warnings), "events": len(p.events), "status": counts,
            "escalated": sum(r["b_escalations"] > 0 for r in p.warnings),
            "plan_s": round(t_plan, 3), "seconds": round(time.perf_counter() - t0, 3)}
