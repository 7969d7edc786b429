"""The transactional outbox: an event is a row written in the caller's transaction.

A worker relays committed rows to the queue; if Redis or the worker is down, the rows wait.
"""

import json
import uuid
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import BigInteger, DateTime, Identity, Index, Integer, String, bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.core.db import after_commit
from services.core.logging import get_logger
from services.core.models import Base, TenantScoped
from services.core.queue import queue

log = get_logger(__name__)

RELAY_JOB = "platform.relay_outbox"


class OutboxEvent(Base, TenantScoped):
    __tablename__ = "outbox_events"
    __table_args__ = (
        Index(
            "ix_outbox_events_pending",
            "seq",
            postgresql_where=text("relayed_at IS NULL"),
        ),
        Index(
            "ix_outbox_events_undispatched",
            "relayed_at",
            postgresql_where=text("dispatched_at IS NULL"),
        ),
        {"schema": "platform"},
    )

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True, nullable=False)
    event_type: Mapped[str] = mapped_column(String(100), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    relayed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    relay_attempts: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    # The request that caused the event, so its jobs log under the same request id.
    request_id: Mapped[str | None] = mapped_column(String(128))


async def _wake_relay() -> None:
    await queue.enqueue(RELAY_JOB)


def emit(
    session: AsyncSession, event_type: str, data: dict[str, Any], *, tenant_id: uuid.UUID
) -> OutboxEvent:
    """Record `event_type` (`"<noun>.<past_verb>"`), published once this transaction commits."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    event = OutboxEvent(
        tenant_id=tenant_id, event_type=event_type, payload=data, request_id=request_id
    )
    session.add(event)
    after_commit(session, _wake_relay)
    return event


async def emit_many(
    session: AsyncSession, events: list[tuple[str, dict[str, Any]]], *, tenant_id: uuid.UUID
) -> None:
    """Record many events with one statement: bulk work (imports) announces every change as
    the API would, without a round trip (or a compiled statement) per event."""
    if not events:
        return
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    await session.execute(
        _INSERT_MANY,
        {
            "tenant_id": tenant_id,
            "request_id": request_id,
            "events": json.dumps([{"type": kind, "payload": data} for kind, data in events]),
        },
    )
    after_commit(session, _wake_relay)


_INSERT_MANY = text(
    """
    INSERT INTO platform.outbox_events
        (id, tenant_id, event_type, payload, request_id, relay_attempts, created_at, updated_at)
    SELECT gen_random_uuid(), :tenant_id, e.item ->> 'type', e.item -> 'payload', :request_id,
           0, now(), now()
    FROM jsonb_array_elements(CAST(:events AS jsonb)) WITH ORDINALITY AS e(item, n)
    ORDER BY e.n
    """
).bindparams(bindparam("tenant_id", type_=PgUUID(as_uuid=True)))
