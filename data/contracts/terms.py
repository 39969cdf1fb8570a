"""What a contract writes besides itself: its payment schedule, its number, its scans, and the
subject it lets (a resource marked contracted to the counterparty until the end, an asset leased).
Shared by signing, renewal and a trading award."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from data import attachments
from data.errors import AccountError
from data.models import Asset, AssetEvent, CollectiveOrg, Contract, ContractInstalment, Resource
from domain import contracts as rules
from domain.permissions import Actor

Upload = tuple[str, bytes]  # (file name, content)


def add_files(s, actor: Actor, contract_id: int, files: list[Upload] | None) -> list[int]:
    """Store the scans of a contract, all or none (a bad file refuses the whole write)."""
    if problem := attachments.files_problem(files):
        raise AccountError({"attachments": problem})
    return [attachments.add(s, actor, "contract", contract_id, name, content) for name, content in files or []]


def write_instalments(s, c: Contract, plan: list[tuple[dt.date, int]]) -> list[tuple[dt.date, int]]:
    """The contract's instalments, numbered from 1, each (due date, amount in fen) of `plan`."""
    for i, (due, fen) in enumerate(plan, start=1):
        s.add(ContractInstalment(contract_id=c.id, region_code=c.region_code, seq=i, due_on=due, amount_fen=fen,
                                 received_fen=0))
    return plan


def write_schedule(s, c: Contract, frequency: str) -> list[tuple[dt.date, int]]:
    """The schedule of a signed contract: its amount over its term at `frequency`."""
    return write_instalments(s, c, rules.schedule(c.start_on, c.end_on, c.amount_fen, frequency))


def number(s, org: CollectiveOrg, signed_on: dt.date) -> str:
    """The next contract number of the organisation in the year of signing (HT2026-123456-001)."""
    prefix = f"HT{signed_on.year}-{int(org.region_code) % 10**6:06d}-"
    taken = s.scalar(select(func.count()).select_from(Contract).where(Contract.org_id == org.id,
                                                                       Contract.number.like(f"{prefix}%")))
    return f"{prefix}{taken + 1:03d}"


def subject_of(s, c: Contract):
    """The resource or asset the contract lets, or None."""
    model = {"resource": Resource, "asset": Asset}.get(c.subject_type or "")
    return s.get(model, c.subject_id) if model and c.subject_id else None


def let_resource(resource: Resource, c: Contract) -> None:
    """Mark the resource contracted to the contract's counterparty until its end."""
    resource.contracted, resource.contractor, resource.contract_id = True, c.counterparty, c.id
    resource.contracted_until = c.end_on


def let(s, actor: Actor, c: Contract, target) -> None:
    """Mark the contract's subject as let: a resource contracted, an asset leased (with its event)."""
    if isinstance(target, Resource):
        let_resource(target, c)
    elif isinstance(target, Asset):
        target.status, target.resolution_id = "leased", c.resolution_id
        s.add(AssetEvent(asset_id=target.id, region_code=target.region_code, date=c.start_on, kind="lease",
                         original_value_fen=target.original_value_fen,
                         net_value_fen=target.original_value_fen - target.accumulated_depreciation_fen,
                         amount_fen=c.amount_fen, resolution_id=c.resolution_id, note=f"资产出租（合同 {c.number}）",
                         by_id=actor.user_id))
