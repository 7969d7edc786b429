"""Writing events: a row in the caller's transaction, relayed once it commits.

A request's events (`emit`) take the interactive lane: someone is waiting for what they cause.
Events written in bulk (`emit_many`, e.g. by an import) take the bulk lane, so 100,000 of them
never delay the next request's.
"""

import uuid
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.db import after_commit
from services.core.outbox import repository
from services.core.outbox.models import OutboxEvent
from services.core.queue import Lane, queue

RELAY_JOB = "platform.relay_outbox"


async def wake_relay(lane: Lane) -> None:
    await queue.enqueue(RELAY_JOB, lane.value, lane=lane)


async def _wake_interactive_relay() -> None:
    await wake_relay(Lane.INTERACTIVE)


async def _wake_bulk_relay() -> None:
    await wake_relay(Lane.BULK)


_WAKE = {Lane.INTERACTIVE: _wake_interactive_relay, Lane.BULK: _wake_bulk_relay}


def emit(
    session: AsyncSession,
    event_type: str,
    data: dict[str, Any],
    *,
    tenant_id: uuid.UUID,
    lane: Lane = Lane.INTERACTIVE,
) -> OutboxEvent:
    """Record `event_type` (`"<noun>.<past_verb>"`), published once this transaction commits."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    event = OutboxEvent(
        tenant_id=tenant_id, event_type=event_type, payload=data, request_id=request_id, lane=lane
    )
    session.add(event)
    after_commit(session, _WAKE[lane])
    return event


async def emit_many(
    session: AsyncSession,
    events: list[tuple[str, dict[str, Any]]],
    *,
    tenant_id: uuid.UUID,
    lane: Lane = Lane.BULK,
) -> None:
    """Record many events with one statement: bulk work (imports) announces every change as
    the API would, without a round trip (or a compiled statement) per event."""
    if not events:
        return
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    await repository.insert_events(session, tenant_id, lane, request_id, events)
    after_commit(session, _WAKE[lane])
