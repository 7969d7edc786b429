"""Relaying the outbox: committed event rows become jobs on the queue.

`relay_outbox` claims pending rows with FOR UPDATE SKIP LOCKED (several workers never relay the
same row twice at once), enqueues one `platform.dispatch_event` job per event with the event id
as job id (a repeated relay enqueues nothing new), and marks the rows relayed in the same
transaction. If Redis is down the transaction rolls back and the rows wait.
"""

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.db import database
from services.core.logging import get_logger
from services.core.models import utcnow
from services.core.outbox import RELAY_JOB, OutboxEvent
from services.core.queue import Queue, queue
from services.core.tenancy import bind_tenant

log = get_logger(__name__)

DISPATCH_JOB = "platform.dispatch_event"
BATCH_SIZE = 500
# A relayed event whose job never ran (Redis lost it) is sent again after this long.
REDISPATCH_AFTER = timedelta(minutes=10)

EventHandler = Callable[[AsyncSession, OutboxEvent], Awaitable[None]]
# Who consumes which event type. Webhook delivery and the services' reactions register here.
HANDLERS: dict[str, list[EventHandler]] = {}


def dispatch_job_id(event_id: uuid.UUID) -> str:
    return f"event:{event_id}"


async def relay_pending(target: Queue = queue, limit: int = BATCH_SIZE) -> int:
    """Relay up to `limit` committed, unrelayed events; returns how many were relayed."""
    async with database.transaction(all_tenants=True) as session:
        events = list(
            await session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.relayed_at.is_(None))
                .order_by(OutboxEvent.seq)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not events:
            return 0
        for event in events:
            event.relay_attempts += 1
            await target.enqueue(DISPATCH_JOB, str(event.id), job_id=dispatch_job_id(event.id))
        now = utcnow()
        for event in events:
            event.relayed_at = now
    log.info("outbox.relayed", count=len(events))
    return len(events)


async def relay_outbox(_ctx: dict[str, Any]) -> int:
    total = 0
    while True:
        relayed = await relay_pending()
        total += relayed
        if relayed < BATCH_SIZE:
            return total


async def dispatch_event(_ctx: dict[str, Any], event_id: str) -> bool:
    """Run every handler of one event, once; True if it ran now, False if it had already run.
    The handlers run bound to the event's tenant: they see nothing of any other."""
    async with database.transaction() as session:
        event = await session.scalar(
            select(OutboxEvent)
            .where(OutboxEvent.id == uuid.UUID(event_id), OutboxEvent.dispatched_at.is_(None))
            .with_for_update(skip_locked=True)
            .execution_options(all_tenants=True)  # the job knows only the event's id
        )
        if event is None:
            return False
        bind_tenant(session, event.tenant_id)
        with structlog.contextvars.bound_contextvars(
            request_id=event.request_id, event_id=event_id, event_type=event.event_type
        ):
            for handler in HANDLERS.get(event.event_type, []):
                await handler(session, event)
        event.dispatched_at = utcnow()
    return True


async def sweep_outbox(_ctx: dict[str, Any] | None = None) -> dict[str, int]:
    """Catch up on what a lost wake-up or a lost job left behind."""
    stale = utcnow() - REDISPATCH_AFTER
    async with database.transaction(all_tenants=True) as session:
        result: Any = await session.execute(
            update(OutboxEvent)
            .where(
                OutboxEvent.relayed_at < stale,
                OutboxEvent.dispatched_at.is_(None),
            )
            .values(relayed_at=None)
        )
        reopened = int(result.rowcount or 0)
    relayed = await relay_outbox({})
    if reopened or relayed:
        log.info("outbox.swept", reopened=reopened, relayed=relayed)
    return {"reopened": reopened, "relayed": relayed}


__all__ = ["RELAY_JOB", "dispatch_event", "relay_outbox", "sweep_outbox"]
