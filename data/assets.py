"""Assets in the system of record: the register within a scope and the acts on an asset
(disposal, lease, pledge) that need a meeting resolution; each act is one transaction with its
asset event and security-log entry; a stale edit is refused."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from data.admin import audit_log
from data.db import reading, transaction
from data.errors import AccountError
from data.supervision.engine import runs_after_write
from data.meetings import resolution_facts
from data.models import Asset, AssetEvent, CollectiveOrg, Meeting, Resolution, Voucher, VoucherLine, utcnow
from data.scoped import in_scope, load_for_write, org_for_write, scoped
from domain import assets as rules
from domain.funds.vouchers import assert_balanced
from domain.money import period_label, period_of, yuan
from domain.permissions import Action, Actor, ensure


def _row(a: Asset) -> dict:
    return {"id": a.id, "org_id": a.org_id, "region_code": int(a.region_code), "code": a.code, "name": a.name,
            "category": rules.CATEGORY_LABELS.get(a.category, a.category), "category_code": a.category,
            "operating": a.operating, "operating_label": "经营性" if a.operating else "非经营性",
            "original_value_fen": a.original_value_fen, "accumulated_fen": a.accumulated_depreciation_fen,
            "net_value_fen": a.original_value_fen - a.accumulated_depreciation_fen,
            "acquired_on": a.acquired_on.isoformat(), "useful_life_months": a.useful_life_months,
            "residual_rate_bp": a.residual_rate_bp, "location": a.location or "", "custodian": a.custodian or "",
            "status": a.status, "status_label": rules.STATUS_LABELS.get(a.status, a.status), "version": a.version}


def list_assets(url: str, actor: Actor, limit: int = 5000) -> list[dict]:
    with reading(url) as s:
        q = scoped(select(Asset), Asset, actor).order_by(Asset.region_code, Asset.code).limit(limit)
        return [_row(a) for a in s.scalars(q)]


def resolutions_for(url: str, actor: Actor, org_id: int) -> list[dict]:
    """Passed resolutions of an organisation in the actor's jurisdiction (for citing)."""
    with reading(url) as s:
        q = (select(Resolution, Meeting.held_on).join(Meeting, Meeting.id == Resolution.meeting_id)
             .where(Resolution.org_id == org_id, Resolution.passed.is_(True), in_scope(Meeting.region_code, actor))
             .order_by(Meeting.held_on.desc()))
        return [{"id": r.id, "label": f"{held_on} {r.number} {r.subject}", "decision_type": r.decision_type}
                for r, held_on in s.execute(q).all()]


#: an asset act -> the action that takes it
ACT_ACTIONS = {"dispose": Action.ASSET_DISPOSE, "lease": Action.ASSET_LEASE, "pledge": Action.ASSET_PLEDGE}


@runs_after_write("assets", "asset_id")
def act(url: str, key: str, actor: Actor, asset_id: int, action: str, resolution_id: int | None,
        on_date: dt.date | None, expected_version: int, today: dt.date, amount_fen: int | None = None) -> str:
    """Dispose of, lease or pledge an asset. Returns the new status."""
    act_action = ACT_ACTIONS.get(action, Action.ASSET_DISPOSE)
    ensure(actor, act_action)
    with transaction(url, actor) as s:
        asset = load_for_write(s, Asset, asset_id, actor, expected_version, noun="该资产", action=act_action)
        errors = rules.action_problems(action, asset.status, on_date, today)
        res = resolution_facts(s, resolution_id)
        if action in rules.ACTIONS:  # every problem at once, not one per attempt
            problem = rules.resolution_problem(res, org_id=asset.org_id, asset_id=asset.id, action=action,
                                               on_date=on_date or today)
            if problem:
                errors.setdefault("resolution", problem)
        if errors:
            raise AccountError(errors)
        decision, status, label = rules.ACTIONS[action]
        net = asset.original_value_fen - asset.accumulated_depreciation_fen
        asset.status, asset.resolution_id = status, resolution_id
        if action == "dispose":
            asset.disposed_on = on_date
        s.add(AssetEvent(asset_id=asset.id, region_code=asset.region_code, date=on_date, kind=decision,
                         original_value_fen=asset.original_value_fen, net_value_fen=0 if action == "dispose" else net,
                         amount_fen=amount_fen, resolution_id=resolution_id, note=f"资产{label}", by_id=actor.user_id))
        audit_log.log_change(s, key, actor, asset.region_code,
                             f"资产{label}：{asset.code} {asset.name}（引用决议 #{resolution_id}）",
                             asset_id=asset.id, action=action)
        return status


# ---------------------------------------------------------------- asset cards (新增 / 更正)

def save_card(url: str, key: str, actor: Actor, asset_id: int | None, draft: rules.CardDraft, today: dt.date,
              expected_version: int | None = None, files: list[tuple[str, bytes]] | tuple = ()) -> int:
    """新增资产卡片 (asset_id None) or 更正 an existing card (with the version the user opened), with
    its invoice/photo files, in one transaction. Every problem at once; a stale edit is refused.
    Returns the asset id."""
    from data import attachments

    ensure(actor, Action.ASSET_CARD_SAVE)
    values, errors = rules.card_problems(draft, today)
    if problem := attachments.files_problem(files):
        errors["attachments"] = problem
    with transaction(url, actor) as s:
        asset = None
        if asset_id is not None:  # a correction, of the version the user opened (none: refused as stale)
            asset = load_for_write(s, Asset, asset_id, actor, -1 if expected_version is None else expected_version,
                                   noun="该资产", action=Action.ASSET_CARD_SAVE, stale="该资产卡片已被他人修改，请刷新后再操作")
            if asset.status == "disposed":
                errors["_"] = "该资产已处置，卡片不能再更正"
        org = None
        if values["org_id"] is not None:
            org = org_for_write(s, values["org_id"], actor, Action.ASSET_CARD_SAVE)
            if asset is not None and org.id != asset.org_id:
                errors["org_id"] = "资产卡片不能改到另一个集体经济组织（请办理处置和新增）"
        if org is not None and values["code"] and "org_id" not in errors:
            dup = s.scalar(select(Asset.id).where(Asset.org_id == org.id, Asset.code == values["code"],
                                                  Asset.id != (asset.id if asset else -1)).limit(1))
            if dup is not None:
                errors["code"] = f"本组织已有编号为“{values['code']}”的资产卡片"
        if asset is not None and values["original_value_fen"] is not None and "original_value" not in errors \
                and values["original_value_fen"] < asset.accumulated_depreciation_fen:
            errors["original_value"] = f"原值不能低于已计提的累计折旧 {yuan(asset.accumulated_depreciation_fen)} 元"
        if errors:
            raise AccountError(errors)
        fields = ("code", "name", "category", "operating", "original_value_fen", "acquired_on", "useful_life_months",
                  "residual_rate_bp", "location", "custodian")
        if asset is None:
            asset = Asset(org_id=org.id, region_code=org.region_code, status="in_use", accumulated_depreciation_fen=0,
                          collected_by_id=actor.user_id, provided_by=actor.username,
                          **{f: values[f] for f in fields})
            s.add(asset)
            s.flush()
            s.add(AssetEvent(asset_id=asset.id, region_code=asset.region_code, date=asset.acquired_on, kind="acquire",
                             original_value_fen=asset.original_value_fen, net_value_fen=asset.original_value_fen,
                             amount_fen=asset.original_value_fen, note="新增资产卡片", by_id=actor.user_id))
            what = "新增资产卡片"
        else:
            changed = [f for f in fields if getattr(asset, f) != values[f]]
            for f in changed:
                setattr(asset, f, values[f])
            if "original_value_fen" in changed:
                s.add(AssetEvent(asset_id=asset.id, region_code=asset.region_code, date=today, kind="correction",
                                 original_value_fen=asset.original_value_fen, net_value_fen=asset.net_value_fen,
                                 note="更正资产卡片原值", by_id=actor.user_id))
            s.flush()
            what = "更正资产卡片"
        for name, content in files:
            attachments.add(s, actor, "asset", asset.id, name, content)
        audit_log.log_change(s, key, actor, asset.region_code,
                             f"{what}：{org.name} {asset.code} {asset.name}，原值 {yuan(asset.original_value_fen)} 元"
                             + (f"，附件 {len(files)} 个" if files else ""), asset_id=asset.id)
        return asset.id


def card_detail(url: str, actor: Actor, asset_id: int) -> dict:
    """One card with its files, valuation events and record history (who changed what, when)."""
    from data import attachments
    from data.history import history

    with reading(url) as s:
        asset = load_for_write(s, Asset, asset_id, actor, noun="该资产")
        row = _row(asset)
        org = s.get(CollectiveOrg, asset.org_id)
        row["org_name"] = org.name if org else ""
        row["monthly_fen"] = rules.monthly_fen(asset)
        row["residual_fen"] = rules.residual_fen(asset)
        row["files"] = attachments.list_for(s, actor.scope, "asset", asset.id)
        row["events"] = [{"date": e.date.isoformat(), "kind": e.kind, "original_value_fen": e.original_value_fen,
                          "net_value_fen": e.net_value_fen, "amount_fen": e.amount_fen, "note": e.note or ""}
                         for e in s.scalars(select(AssetEvent).where(AssetEvent.asset_id == asset.id)
                                            .order_by(AssetEvent.date.desc(), AssetEvent.id.desc()).limit(100))]
    row["history"] = history(url, actor.scope, "assets", asset_id)
    return row


# ---------------------------------------------------------------- depreciation run (计提折旧)

def depreciation_preview(url: str, actor: Actor, org_id: int, period: int) -> list[dict]:
    """The charges a run for `period` would make, per asset (nothing written)."""
    with reading(url) as s:
        org = org_for_write(s, org_id, actor)
        return [{"id": a.id, "code": a.code, "name": a.name, "account": rules.expense_account(a),
                 "fen": rules.charge_for(a, period)}
                for a in s.scalars(select(Asset).where(Asset.org_id == org.id).order_by(Asset.code))
                if rules.charge_for(a, period)]


def run_depreciation(url: str, key: str, actor: Actor, org_id: int, period: int | None, today: dt.date) -> dict:
    """计提折旧 for one organisation and month: each asset due gets its monthly charge added to its
    accumulated depreciation and an AssetEvent "depreciation"; ONE balanced voucher (Dr 401/513,
    Cr 152 累计折旧) carries the total. Refused for a future or closed month and when that month
    was already charged (idempotent). Returns {voucher_id, number, total_fen, assets}."""
    from data.funds.closing import closed_problem

    ensure(actor, Action.ASSET_DEPRECIATE)
    if period is None:
        raise AccountError({"period": "请选择计提月份"})
    if period > period_of(today):
        raise AccountError({"period": "不能计提尚未到来的月份"})
    first = dt.date(period // 100, period % 100, 1)
    last = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1) - dt.timedelta(days=1)
    day = min(last, today)
    label = period_label(period)
    with transaction(url, actor) as s:
        org = org_for_write(s, org_id, actor, Action.ASSET_DEPRECIATE)
        closed = closed_problem(s, org.id, first)
        if closed:
            raise AccountError({"period": f"{label}已结账，不能计提折旧"})
        # charged already: any posted voucher of the month crediting 累计折旧 (this run's, a manual
        # one, or history imported with the books), so a month is never charged twice
        done = s.scalar(select(Voucher).join(VoucherLine, VoucherLine.voucher_id == Voucher.id)
                        .where(Voucher.org_id == org.id, Voucher.period == period, Voucher.status == "posted",
                               VoucherLine.account_code == 152, VoucherLine.credit_fen > 0).limit(1))
        if done is not None:
            raise AccountError({"period": f"{org.name} {label}已计提折旧（第{done.number}号凭证），不能重复计提"})
        due = [(a, rules.charge_for(a, period)) for a in
               s.scalars(select(Asset).where(Asset.org_id == org.id).order_by(Asset.code))]
        due = [(a, fen) for a, fen in due if fen > 0]
        if not due:
            raise AccountError({"period": f"{org.name} {label}没有需要计提折旧的资产"})
        lines = rules.depreciation_lines([(rules.expense_account(a), fen) for a, fen in due])
        assert_balanced(lines)
        number = (s.scalar(select(func.max(Voucher.number)).where(Voucher.org_id == org.id,
                                                                  Voucher.period == period)) or 0) + 1
        summary = f"计提{label}固定资产折旧"
        voucher = Voucher(org_id=org.id, region_code=org.region_code, date=day, period=period, number=number,
                          summary=summary, status="posted", source="depreciation", posted_by_id=actor.user_id,
                          posted_at=utcnow(), collected_by_id=actor.user_id, provided_by=actor.username,
                          responsible_by=actor.username)
        s.add(voucher)
        s.flush()
        for i, (account, debit, credit) in enumerate(lines, start=1):
            s.add(VoucherLine(voucher_id=voucher.id, region_code=org.region_code, period=period, line_no=i,
                              account_code=account, debit_fen=debit, credit_fen=credit, summary=summary))
        for a, fen in due:
            a.accumulated_depreciation_fen += fen
            s.add(AssetEvent(asset_id=a.id, region_code=a.region_code, date=day, kind="depreciation",
                             original_value_fen=a.original_value_fen, net_value_fen=a.net_value_fen, amount_fen=fen,
                             note=f"计提{label}折旧（凭证 #{voucher.id}）", by_id=actor.user_id))
        total = sum(fen for _, fen in due)
        s.flush()
        audit_log.log_change(s, key, actor, org.region_code, f"计提折旧：{org.name} {label}，{len(due)} 项资产，"
                             f"合计 {yuan(total)} 元，{label}第{number}号凭证", org_id=org.id, period=period,
                             voucher_id=voucher.id)
        return {"voucher_id": voucher.id, "number": number, "total_fen": total, "assets": len(due)}


# ---------------------------------------------------------------- revaluation (重估)

@runs_after_write("assets", "asset_id")
def revalue(url: str, key: str, actor: Actor, asset_id: int, new_value: str | None, reason: str | None,
            resolution_id: int | None, on_date: dt.date | None, expected_version: int, today: dt.date) -> int:
    """重估: the assessed value becomes the asset's net value (its original value moves by the
    difference; accumulated depreciation is kept). A write-down, or a write-up from the
    organisation's decision threshold, needs a resolution that voted it. Returns the new net value."""
    ensure(actor, Action.ASSET_REVALUE)
    with transaction(url, actor) as s:
        asset = load_for_write(s, Asset, asset_id, actor, expected_version, noun="该资产", action=Action.ASSET_REVALUE)
        fen, errors = rules.revaluation_problems(new_value, reason, on_date, asset.status, today)
        org = s.get(CollectiveOrg, asset.org_id)
        old_net = asset.net_value_fen
        if fen is not None and "new_value" not in errors:
            if fen == old_net:
                errors["new_value"] = f"重估价值与现净值（{yuan(old_net)} 元）相同，无需重估"
            elif rules.revaluation_needs_resolution(old_net, fen, org.decision_threshold_fen) or resolution_id:
                problem = rules.revaluation_resolution_problem(resolution_facts(s, resolution_id), org_id=org.id,
                                                               asset_id=asset.id, on_date=on_date or today)
                if problem:
                    errors["resolution"] = problem
        if errors:
            raise AccountError(errors)
        old_original = asset.original_value_fen
        asset.original_value_fen = fen + asset.accumulated_depreciation_fen
        asset.resolution_id = resolution_id or asset.resolution_id
        s.add(AssetEvent(asset_id=asset.id, region_code=asset.region_code, date=on_date, kind="revaluation",
                         original_value_fen=asset.original_value_fen, net_value_fen=fen, amount_fen=fen - old_net,
                         resolution_id=resolution_id,
                         note=f"重估：原值 {yuan(old_original)} → {yuan(asset.original_value_fen)} 元，"
                              f"净值 {yuan(old_net)} → {yuan(fen)} 元；原因：{reason.strip()}",
                         by_id=actor.user_id))
        s.flush()
        audit_log.log_change(s, key, actor, asset.region_code,
                             f"资产重估：{asset.code} {asset.name}，净值 {yuan(old_net)} → {yuan(fen)} 元"
                             + (f"（引用决议 #{resolution_id}）" if resolution_id else ""),
                             asset_id=asset.id, old_net_fen=old_net, new_net_fen=fen)
        return fen
