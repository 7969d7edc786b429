"""Commands other services and workers may call inside their own transaction."""

import uuid

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.proposals.models import OPEN_STATUSES, MentorshipRequest


async def set_requests_on_hold(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, on_hold: bool
) -> int:
    """Hold (or release) the open requests a user sent or received; returns how many."""
    result = await session.execute(
        update(MentorshipRequest)
        .where(
            MentorshipRequest.tenant_id == tenant_id,
            or_(MentorshipRequest.mentee_id == user_id, MentorshipRequest.mentor_id == user_id),
            MentorshipRequest.status.in_(OPEN_STATUSES),
        )
        .values(on_hold=on_hold)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
