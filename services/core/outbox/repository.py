"""Every statement of the outbox. The relay, the sweeper, the metrics and the operators' listing
work across tenants by design and say so (`all_tenants`); a delivery runs in a session bound to
its event's tenant."""

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.outbox.models import Delivery, OutboxEvent
from services.core.queue import Lane

ACROSS_TENANTS = {"all_tenants": True}


@dataclass(frozen=True)
class Unrelayed:
    id: uuid.UUID
    tenant_id: uuid.UUID
    event_type: str


@dataclass(frozen=True)
class Due:
    id: uuid.UUID
    event_id: uuid.UUID
    tenant_id: uuid.UUID
    subscriber: str
    lane: Lane
    attempts: int


@dataclass(frozen=True)
class Parked:
    event_id: uuid.UUID
    event_type: str
    tenant_id: uuid.UUID
    subscriber: str
    attempts: int
    parked_at: datetime
    last_error: str | None
    payload: dict[str, Any]


_INSERT_EVENTS = text(
    """
    INSERT INTO platform.outbox_events
        (id, tenant_id, event_type, payload, request_id, lane, created_at, updated_at)
    SELECT gen_random_uuid(), :tenant_id, e.item ->> 'type', e.item -> 'payload', :request_id,
           :lane, now(), now()
    FROM jsonb_array_elements(CAST(:events AS jsonb)) WITH ORDINALITY AS e(item, n)
    ORDER BY e.n
    """
).bindparams(bindparam("tenant_id", type_=PgUUID(as_uuid=True)))


async def insert_events(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    lane: Lane,
    request_id: str | None,
    events: Sequence[tuple[str, dict[str, Any]]],
) -> None:
    """Many events of one tenant in one statement, in order."""
    await session.execute(
        _INSERT_EVENTS,
        {
            "tenant_id": tenant_id,
            "request_id": request_id,
            "lane": lane.value,
            "events": json.dumps([{"type": kind, "payload": data} for kind, data in events]),
        },
    )


async def claim_unrelayed(session: AsyncSession, lane: Lane, limit: int) -> list[Unrelayed]:
    """The lane's oldest events no relay has taken; concurrent relays take different ones."""
    rows = await session.execute(
        select(OutboxEvent.id, OutboxEvent.tenant_id, OutboxEvent.event_type)
        .where(OutboxEvent.relayed_at.is_(None), OutboxEvent.lane == lane.value)
        .order_by(OutboxEvent.seq)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(**ACROSS_TENANTS)
    )
    return [Unrelayed(*row) for row in rows]


_INSERT_DELIVERIES = text(
    """
    INSERT INTO platform.outbox_deliveries
        (id, tenant_id, event_id, subscriber, lane, attempts, next_attempt_at,
         created_at, updated_at)
    SELECT gen_random_uuid(), d.tenant_id, d.event_id, d.subscriber, :lane, 1, :lease_until,
           now(), now()
    FROM unnest(CAST(:tenant_ids AS uuid[]), CAST(:event_ids AS uuid[]),
                CAST(:subscribers AS text[])) AS d(tenant_id, event_id, subscriber)
    ON CONFLICT (event_id, subscriber) DO NOTHING
    """
).bindparams(
    bindparam("tenant_ids", type_=ARRAY(PgUUID(as_uuid=True))),
    bindparam("event_ids", type_=ARRAY(PgUUID(as_uuid=True))),
)


async def record_deliveries(
    session: AsyncSession,
    lane: Lane,
    deliveries: Sequence[tuple[uuid.UUID, uuid.UUID, str]],
    lease_until: datetime,
) -> None:
    """(tenant, event, subscriber) rows, counted as a first try that is being sent now."""
    if not deliveries:
        return
    tenant_ids, event_ids, subscribers = (list(column) for column in zip(*deliveries, strict=True))
    await session.execute(
        _INSERT_DELIVERIES,
        {
            "lane": lane.value,
            "lease_until": lease_until,
            "tenant_ids": tenant_ids,
            "event_ids": event_ids,
            "subscribers": subscribers,
        },
    )


async def mark_relayed(session: AsyncSession, event_ids: list[uuid.UUID], at: datetime) -> None:
    await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(event_ids))
        .values(relayed_at=at)
        .execution_options(synchronize_session=False, **ACROSS_TENANTS)
    )


async def unsend(
    session: AsyncSession, subscriber: str, event_ids: list[uuid.UUID], at: datetime
) -> None:
    """Deliveries whose job could not be queued: due now, that try not counted."""
    await session.execute(
        update(Delivery)
        .where(
            Delivery.subscriber == subscriber,
            Delivery.event_id.in_(event_ids),
            Delivery.delivered_at.is_(None),
        )
        .values(attempts=func.greatest(Delivery.attempts - 1, 0), next_attempt_at=at)
        .execution_options(synchronize_session=False, **ACROSS_TENANTS)
    )


async def claim_for_delivery(
    session: AsyncSession, subscriber: str, event_ids: list[uuid.UUID]
) -> list[OutboxEvent]:
    """The events among these still owed to the subscriber, their deliveries locked for this
    transaction: a second job with the same events skips them. Two lookups by unique index
    rather than a join, so the plan stays cheap before the tables have statistics (a large
    import fills them from empty within seconds)."""
    claimed = list(
        await session.scalars(
            select(Delivery.event_id)
            .where(
                Delivery.subscriber == subscriber,
                Delivery.event_id.in_(event_ids),
                Delivery.delivered_at.is_(None),
                Delivery.parked_at.is_(None),
            )
            .with_for_update(skip_locked=True)
        )
    )
    if not claimed:
        return []
    events = await session.scalars(
        select(OutboxEvent).where(OutboxEvent.id.in_(claimed)).order_by(OutboxEvent.seq)
    )
    return list(events)


async def mark_delivered(
    session: AsyncSession, subscriber: str, event_ids: list[uuid.UUID], at: datetime
) -> None:
    if not event_ids:
        return
    await session.execute(
        update(Delivery)
        .where(Delivery.subscriber == subscriber, Delivery.event_id.in_(event_ids))
        .values(delivered_at=at, last_error=None)
        .execution_options(synchronize_session=False)
    )


async def lock_delivery(
    session: AsyncSession, subscriber: str, event_id: uuid.UUID
) -> Delivery | None:
    """The delivery, if still owed, locked; None if delivered, parked or taken by another job."""
    found: Delivery | None = await session.scalar(
        select(Delivery)
        .where(
            Delivery.subscriber == subscriber,
            Delivery.event_id == event_id,
            Delivery.delivered_at.is_(None),
            Delivery.parked_at.is_(None),
        )
        .with_for_update(skip_locked=True)
    )
    return found


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> list[Due]:
    """Deliveries whose retry is due or whose job never reported back (lease over)."""
    rows = await session.execute(
        select(
            Delivery.id,
            Delivery.event_id,
            Delivery.tenant_id,
            Delivery.subscriber,
            Delivery.lane,
            Delivery.attempts,
        )
        .where(
            Delivery.delivered_at.is_(None),
            Delivery.parked_at.is_(None),
            Delivery.next_attempt_at <= now,
        )
        .order_by(Delivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(**ACROSS_TENANTS)
    )
    return [
        Due(r.id, r.event_id, r.tenant_id, r.subscriber, Lane(r.lane), r.attempts) for r in rows
    ]


async def mark_sent(session: AsyncSession, ids: list[uuid.UUID], lease_until: datetime) -> None:
    if not ids:
        return
    await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids))
        .values(attempts=Delivery.attempts + 1, next_attempt_at=lease_until)
        .execution_options(synchronize_session=False, **ACROSS_TENANTS)
    )


async def park(session: AsyncSession, ids: list[uuid.UUID], at: datetime, reason: str) -> None:
    """Stop trying; keep the last error a handler gave, else say why."""
    if not ids:
        return
    await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids))
        .values(parked_at=at, last_error=func.coalesce(Delivery.last_error, reason))
        .execution_options(synchronize_session=False, **ACROSS_TENANTS)
    )


async def lanes_with_unrelayed(session: AsyncSession, created_before: datetime) -> set[Lane]:
    rows = await session.scalars(
        select(OutboxEvent.lane)
        .where(OutboxEvent.relayed_at.is_(None), OutboxEvent.created_at < created_before)
        .group_by(OutboxEvent.lane)
        .execution_options(**ACROSS_TENANTS)
    )
    return {Lane(lane) for lane in rows}


async def parked(session: AsyncSession, tenant_id: uuid.UUID | None, limit: int) -> list[Parked]:
    """Parked deliveries, newest first, of one tenant or of all."""
    statement = (
        select(
            Delivery.event_id,
            OutboxEvent.event_type,
            Delivery.tenant_id,
            Delivery.subscriber,
            Delivery.attempts,
            Delivery.parked_at,
            Delivery.last_error,
            OutboxEvent.payload,
        )
        .join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
        .where(Delivery.parked_at.is_not(None))
        .order_by(Delivery.parked_at.desc(), Delivery.event_id)
        .limit(limit)
        .execution_options(**ACROSS_TENANTS)
    )
    if tenant_id is not None:
        statement = statement.where(Delivery.tenant_id == tenant_id)
    return [Parked(*row) for row in await session.execute(statement)]


async def unpark(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID | None,
    subscriber: str | None,
    event_ids: list[uuid.UUID] | None,
    at: datetime,
) -> int:
    """Parked deliveries (all, or those matching) get a fresh set of tries, due now."""
    statement = update(Delivery).where(Delivery.parked_at.is_not(None))
    if tenant_id is not None:
        statement = statement.where(Delivery.tenant_id == tenant_id)
    if subscriber is not None:
        statement = statement.where(Delivery.subscriber == subscriber)
    if event_ids:
        statement = statement.where(Delivery.event_id.in_(event_ids))
    result: Any = await session.execute(
        statement.values(parked_at=None, attempts=0, next_attempt_at=at).execution_options(
            synchronize_session=False, **ACROSS_TENANTS
        )
    )
    return int(result.rowcount or 0)


async def counts(session: AsyncSession) -> dict[str, dict[str, int]]:
    """For /metrics: parked deliveries by subscriber, owed deliveries and unrelayed events by
    lane. Each count reads a partial index that holds only the rows it counts."""
    parked_rows = await session.execute(
        select(Delivery.subscriber, func.count())
        .where(Delivery.parked_at.is_not(None))
        .group_by(Delivery.subscriber)
        .execution_options(**ACROSS_TENANTS)
    )
    owed_rows = await session.execute(
        select(Delivery.lane, func.count())
        .where(Delivery.delivered_at.is_(None), Delivery.parked_at.is_(None))
        .group_by(Delivery.lane)
        .execution_options(**ACROSS_TENANTS)
    )
    unrelayed_rows = await session.execute(
        select(OutboxEvent.lane, func.count())
        .where(OutboxEvent.relayed_at.is_(None))
        .group_by(OutboxEvent.lane)
        .execution_options(**ACROSS_TENANTS)
    )
    return {
        "parked": {name: int(n) for name, n in parked_rows},
        "owed": {lane: int(n) for lane, n in owed_rows},
        "unrelayed": {lane: int(n) for lane, n in unrelayed_rows},
    }


async def purge_delivered(session: AsyncSession, delivered_before: datetime, limit: int) -> int:
    """Up to `limit` deliveries done before then; parked ones stay for the operators."""
    batch = (
        select(Delivery.id)
        .where(Delivery.delivered_at < delivered_before, Delivery.parked_at.is_(None))
        .limit(limit)
        .scalar_subquery()
    )
    result: Any = await session.execute(
        delete(Delivery)
        .where(Delivery.id.in_(batch))
        .execution_options(synchronize_session=False, **ACROSS_TENANTS)
    )
    return int(result.rowcount or 0)


async def purge_finished_events(session: AsyncSession, relayed_before: datetime, limit: int) -> int:
    """Up to `limit` events relayed before then with no delivery left. Run after
    `purge_delivered`: what is left is owed, parked or recently delivered, and keeps its event
    (the cascade would otherwise take a parked delivery with it)."""
    batch = (
        select(OutboxEvent.id)
        .where(
            OutboxEvent.relayed_at < relayed_before,
            ~exists().where(Delivery.event_id == OutboxEvent.id),
        )
        .limit(limit)
        .scalar_subquery()
    )
    result: Any = await session.execute(
        delete(OutboxEvent)
        .where(OutboxEvent.id.in_(batch))
        .execution_options(synchronize_session=False, **ACROSS_TENANTS)
    )
    return int(result.rowcount or 0)
