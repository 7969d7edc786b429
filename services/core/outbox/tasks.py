"""The outbox's jobs: relay, delivery, sweep.

`relay_outbox` takes a lane's committed events (FOR UPDATE SKIP LOCKED: concurrent relays take
different rows), records one delivery per (event, subscriber) in the same transaction, and once
that has committed queues one `platform.deliver_events` job per subscriber and tenant for up to
`BATCH_SIZE` events. Events no one subscribes to cost one UPDATE and no job.

`deliver_events` runs one subscriber over a batch of events in one transaction, which also
records the deliveries as done. If the batch fails, each event is tried in a transaction of its
own, so one bad event costs only its own delivery: it gets a retry time (backoff), and after
`outbox_max_attempts` tries it is parked for an operator (`mentorship outbox parked`). Other
subscribers of the same event are never re-run.

`sweep_outbox`, on the cron, sends what is due: retries whose backoff is over, deliveries whose
job never reported back (Redis lost it, the worker died: their lease ran out) and a lane's
events whose wake-up was lost. It never touches a parked delivery.

`purge_outbox`, hourly on the bulk lane, deletes what is done and older than
`outbox_retention_hours`, a batch per transaction so it never holds many locks for long.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Final

import structlog

from services.core.db import database
from services.core.logging import get_logger
from services.core.models import utcnow
from services.core.outbox import repository
from services.core.outbox.events import RELAY_JOB
from services.core.outbox.retry import gives_up, retry_delay
from services.core.outbox.subscribers import SUBSCRIBERS, Subscriber
from services.core.queue import Lane, Queue, queue
from services.core.settings import get_settings

log = get_logger(__name__)

DELIVER_JOB: Final = "platform.deliver_events"
# Events per relay transaction, and at most this many events per delivery job.
BATCH_SIZE: Final = 500
# A queued delivery is sent again if its job has not reported back by then: long enough for a
# deep bulk backlog to drain, short enough that a job Redis lost is not waited for long.
LEASE: Final = timedelta(minutes=10)
# The sweeper leaves a lane's fresh events to the wake-up their commit sent.
WAKE_UP_GRACE: Final = timedelta(seconds=5)
DUE_PER_SWEEP: Final = 5000
PURGE_BATCH: Final = 5000
ERROR_CHARS: Final = 2000

# (subscriber, tenant) -> event ids, in event order
Batches = dict[tuple[str, uuid.UUID], list[uuid.UUID]]


async def relay_pending(
    lane: Lane, target: Queue = queue, limit: int = BATCH_SIZE, now: datetime | None = None
) -> int:
    """Relay up to `limit` of the lane's committed, unrelayed events; returns how many."""
    now = now or utcnow()
    batches: Batches = defaultdict(list)
    async with database.transaction(all_tenants=True) as session:
        events = await repository.claim_unrelayed(session, lane, limit)
        if not events:
            return 0
        for event in events:
            for entry in SUBSCRIBERS.of(event.event_type):
                batches[(entry.name, event.tenant_id)].append(event.id)
        await repository.record_deliveries(
            session,
            lane,
            [
                (tenant, event_id, name)
                for (name, tenant), ids in batches.items()
                for event_id in ids
            ],
            lease_until=now + LEASE,
        )
        await repository.mark_relayed(session, [e.id for e in events], now)
    # Queued only once committed: a job that ran first would find no delivery to make.
    await _send(batches, lane, target)
    log.info("outbox.relayed", lane=lane.value, events=len(events), jobs=len(batches))
    return len(events)


async def _send(batches: Batches, lane: Lane, target: Queue) -> None:
    pending = list(batches.items())
    try:
        while pending:
            (name, tenant), ids = pending[0]
            for start in range(0, len(ids), BATCH_SIZE):
                chunk = [str(event_id) for event_id in ids[start : start + BATCH_SIZE]]
                await target.enqueue(DELIVER_JOB, name, str(tenant), chunk, lane=lane)
            pending.pop(0)
    except Exception:
        # Redis refused: the deliveries are due again at once, and the sweeper sends them.
        async with database.transaction(all_tenants=True) as session:
            for (name, _tenant), ids in pending:
                await repository.unsend(session, name, ids, utcnow())
        raise


async def relay_outbox(_ctx: dict[str, Any] | None, lane: str = Lane.INTERACTIVE) -> int:
    """Relay the lane until nothing is waiting; returns how many events were relayed."""
    total = 0
    while True:
        relayed = await relay_pending(Lane(lane))
        total += relayed
        if relayed < BATCH_SIZE:
            return total


async def deliver_events(
    _ctx: dict[str, Any] | None, subscriber: str, tenant_id: str, event_ids: list[str]
) -> dict[str, int]:
    """Hand these events of one tenant to one subscriber; each is done at most once."""
    tenant = uuid.UUID(tenant_id)
    ids = [uuid.UUID(event_id) for event_id in event_ids]
    entry = SUBSCRIBERS.get(subscriber)
    if entry is None:
        # Renamed or removed, or this worker runs an older release: retried, then parked.
        for event_id in ids:
            await _failed(subscriber, tenant, event_id, "no subscriber of this name")
        return {"delivered": 0, "failed": len(ids)}
    try:
        return {"delivered": await _deliver(entry, tenant, ids), "failed": 0}
    except Exception as exc:
        if len(ids) == 1:
            await _failed(subscriber, tenant, ids[0], _describe(exc))
            return {"delivered": 0, "failed": 1}
        log.info(
            "outbox.batch_failed", subscriber=subscriber, events=len(ids), error=_describe(exc)
        )
    # One event of the batch failed the whole transaction: find it, and deliver the rest.
    delivered = failed = 0
    for event_id in ids:
        try:
            delivered += await _deliver(entry, tenant, [event_id])
        except Exception as exc:
            await _failed(subscriber, tenant, event_id, _describe(exc))
            failed += 1
    return {"delivered": delivered, "failed": failed}


async def _deliver(entry: Subscriber, tenant: uuid.UUID, ids: list[uuid.UUID]) -> int:
    # Bound to the events' tenant: the subscriber sees nothing of any other.
    async with database.transaction(tenant_id=tenant) as session:
        events = await repository.claim_for_delivery(session, entry.name, ids)
        for event in events:
            with structlog.contextvars.bound_contextvars(
                request_id=event.request_id,
                event_id=str(event.id),
                event_type=event.event_type,
                subscriber=entry.name,
            ):
                await entry.handle(session, event)
        await repository.mark_delivered(session, entry.name, [e.id for e in events], utcnow())
    return len(events)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]


async def _failed(subscriber: str, tenant: uuid.UUID, event_id: uuid.UUID, error: str) -> None:
    settings = get_settings()
    now = utcnow()
    async with database.transaction(tenant_id=tenant) as session:
        delivery = await repository.lock_delivery(session, subscriber, event_id)
        if delivery is None:  # delivered or parked meanwhile by another job
            return
        delivery.last_error = error
        parked = gives_up(delivery.attempts, settings.outbox_max_attempts)
        if parked:
            delivery.parked_at = now
        else:
            delivery.next_attempt_at = now + retry_delay(
                delivery.attempts, settings.outbox_retry_seconds
            )
        attempts = delivery.attempts
    log.warning(
        "outbox.delivery_parked" if parked else "outbox.delivery_failed",
        subscriber=subscriber,
        event_id=str(event_id),
        attempts=attempts,
        error=error,
    )


async def resend_due(target: Queue = queue, now: datetime | None = None) -> dict[str, int]:
    """Send every delivery that is due; park those that had all their tries."""
    now = now or utcnow()
    max_attempts = get_settings().outbox_max_attempts
    resent = parked = 0
    while True:
        by_lane: dict[Lane, Batches] = defaultdict(lambda: defaultdict(list))
        async with database.transaction(all_tenants=True) as session:
            due = await repository.claim_due(session, now, DUE_PER_SWEEP)
            spent = [d.id for d in due if gives_up(d.attempts, max_attempts)]
            again = [d for d in due if not gives_up(d.attempts, max_attempts)]
            await repository.park(
                session, spent, now, f"no outcome after {max_attempts} tries (job lost?)"
            )
            await repository.mark_sent(session, [d.id for d in again], now + LEASE)
            for d in again:
                by_lane[d.lane][(d.subscriber, d.tenant_id)].append(d.event_id)
        for lane, batches in by_lane.items():
            await _send(batches, lane, target)
        resent += len(again)
        parked += len(spent)
        if len(due) < DUE_PER_SWEEP:
            break
    if resent or parked:
        log.info("outbox.resent", resent=resent, parked=parked)
    return {"resent": resent, "parked": parked}


async def sweep_outbox(
    _ctx: dict[str, Any] | None = None, *, target: Queue = queue, now: datetime | None = None
) -> dict[str, int]:
    """Catch up on what a lost wake-up, a lost job or a failed try left behind. It only
    queues work, each on its lane, so it is quick whatever the backlog."""
    now = now or utcnow()
    async with database.session(readonly=True, all_tenants=True) as session:
        lanes = await repository.lanes_with_unrelayed(session, now - WAKE_UP_GRACE)
    for lane in _ordered(lanes):
        await target.enqueue(RELAY_JOB, lane.value, lane=lane)
    return {"relays": len(lanes), **await resend_due(target, now)}


def _ordered(lanes: Iterable[Lane]) -> list[Lane]:
    return sorted(lanes, key=list(Lane).index)


async def purge_outbox(
    _ctx: dict[str, Any] | None = None, *, now: datetime | None = None, batch: int = PURGE_BATCH
) -> dict[str, int]:
    """Delete deliveries delivered, and then events relayed, before the retention period;
    returns how many of each."""
    before = (now or utcnow()) - timedelta(hours=get_settings().outbox_retention_hours)
    purged = {"deliveries": 0, "events": 0}
    for kind, purge in (
        ("deliveries", repository.purge_delivered),
        ("events", repository.purge_finished_events),
    ):
        while True:
            async with database.transaction(all_tenants=True) as session:
                deleted = await purge(session, before, batch)
            purged[kind] += deleted
            if deleted < batch:
                break
    if any(purged.values()):
        log.info("outbox.purged", **purged)
    return purged
