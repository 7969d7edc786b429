"""What operators see of the outbox and what they may do: parked deliveries, listed and sent
again (`mentorship outbox parked`, `mentorship outbox retry`)."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.models import utcnow
from services.core.outbox import repository
from services.core.outbox.repository import Parked

LIST_LIMIT = 1000


async def parked_deliveries(
    session: AsyncSession, tenant_id: uuid.UUID | None = None, limit: int = LIST_LIMIT
) -> list[Parked]:
    return await repository.parked(session, tenant_id, limit)


async def retry_parked(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID | None = None,
    subscriber: str | None = None,
    event_ids: list[uuid.UUID] | None = None,
) -> int:
    """Give matching parked deliveries a fresh set of tries, due now; returns how many. The
    caller commits, then `tasks.resend_due` (or the sweeper, within seconds) sends them."""
    return await repository.unpark(
        session, tenant_id=tenant_id, subscriber=subscriber, event_ids=event_ids, at=utcnow()
    )


__all__ = ["Parked", "parked_deliveries", "retry_parked"]
