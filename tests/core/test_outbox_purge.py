"""The outbox forgets what is done: deliveries delivered, and events relayed with no delivery
left, once older than the retention period. Parked and owed work is kept whatever its age."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from services.core.db import database
from services.core.models import utcnow
from services.core.outbox import Delivery, OutboxEvent
from services.core.outbox import tasks as outbox
from services.core.queue import Lane
from services.core.settings import get_settings
from workers.main import LANES

RETENTION = timedelta(hours=get_settings().outbox_retention_hours)


async def _event(
    tenant_id: uuid.UUID, at: datetime, **deliveries: tuple[str, datetime | None]
) -> uuid.UUID:
    """An event relayed at `at`, with a delivery per subscriber named in `deliveries`, each
    (state, when): "delivered" or "parked" at that time, or "owed"."""
    async with database.transaction(tenant_id=tenant_id) as session:
        event = OutboxEvent(
            tenant_id=tenant_id,
            event_type="purge.tested",
            payload={},
            lane=Lane.BULK.value,
            relayed_at=at,
            created_at=at,
        )
        session.add(event)
        await session.flush()
        for subscriber, (state, when) in deliveries.items():
            session.add(
                Delivery(
                    tenant_id=tenant_id,
                    event_id=event.id,
                    subscriber=subscriber,
                    lane=Lane.BULK.value,
                    attempts=1,
                    next_attempt_at=when or at,
                    delivered_at=when if state == "delivered" else None,
                    parked_at=when if state == "parked" else None,
                    created_at=at,
                )
            )
    return event.id


async def _left(tenant_id: uuid.UUID) -> tuple[set[uuid.UUID], set[tuple[uuid.UUID, str]]]:
    async with database.session(readonly=True, tenant_id=tenant_id) as session:
        events = set(await session.scalars(select(OutboxEvent.id)))
        deliveries = {
            (row.event_id, row.subscriber)
            for row in await session.execute(select(Delivery.event_id, Delivery.subscriber))
        }
    return events, deliveries


async def test_done_work_older_than_the_retention_goes_and_recent_work_stays() -> None:
    tenant = uuid.uuid4()
    old = utcnow() - RETENTION - timedelta(hours=1)
    recent = utcnow() - RETENTION + timedelta(hours=1)
    gone = await _event(tenant, old, a=("delivered", old), b=("delivered", old))
    unsubscribed = await _event(tenant, old)
    fresh = await _event(tenant, recent, a=("delivered", recent))
    # Relayed long ago but delivered only lately (after retries): kept until that ages too.
    late = await _event(tenant, old, a=("delivered", old), b=("delivered", recent))

    purged = await outbox.purge_outbox()

    events, deliveries = await _left(tenant)
    assert gone not in events and unsubscribed not in events
    assert events == {fresh, late}
    assert deliveries == {(fresh, "a"), (late, "b")}
    assert purged["deliveries"] >= 3 and purged["events"] >= 2


async def test_parked_and_owed_deliveries_keep_their_events_whatever_their_age() -> None:
    tenant = uuid.uuid4()
    old = utcnow() - RETENTION - timedelta(days=30)
    parked = await _event(tenant, old, a=("delivered", old), b=("parked", old))
    owed = await _event(tenant, old, a=("delivered", old), b=("owed", None))

    await outbox.purge_outbox()

    events, deliveries = await _left(tenant)
    assert events == {parked, owed}
    assert deliveries == {(parked, "b"), (owed, "b")}


async def test_the_purge_runs_batch_after_batch_until_nothing_is_left() -> None:
    tenant = uuid.uuid4()
    old = utcnow() - RETENTION - timedelta(hours=1)
    for _ in range(7):
        await _event(tenant, old, a=("delivered", old))

    purged = await outbox.purge_outbox(batch=3)

    assert await _left(tenant) == (set(), set())
    assert purged["deliveries"] >= 7 and purged["events"] >= 7


def test_the_purge_runs_hourly_on_the_bulk_lane() -> None:
    (job,) = [c for c in LANES[Lane.BULK].cron_jobs if c.name == "platform.purge_outbox"]
    assert job.minute == 17 and job.second == 30
