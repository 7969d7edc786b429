"""What a tenant's outbox holds: the events the tests expect the platform to announce."""

import uuid
from typing import Any

from sqlalchemy import select

from services.core.db import database
from services.core.outbox.models import OutboxEvent


async def events_of(
    tenant_id: uuid.UUID, *kinds: str, prefix: str | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """The tenant's events of these types (or whose type starts with `prefix`), in the order
    they were written."""
    chosen = (
        OutboxEvent.event_type.startswith(prefix) if prefix else OutboxEvent.event_type.in_(kinds)
    )
    async with database.session(readonly=True, tenant_id=tenant_id) as session:
        rows = await session.execute(
            select(OutboxEvent.event_type, OutboxEvent.payload)
            .where(chosen)
            .order_by(OutboxEvent.seq)
        )
        return [(kind, payload) for kind, payload in rows.all()]
