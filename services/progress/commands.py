"""Commands other services and workers may call inside their own transaction."""

import uuid

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.progress.models import Mentorship

RUNNING_STATUSES = ("active", "paused")


async def set_mentorships_on_hold(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, on_hold: bool
) -> int:
    """Hold (or release) the running mentorships a user takes part in; returns how many."""
    result = await session.execute(
        update(Mentorship)
        .where(
            Mentorship.tenant_id == tenant_id,
            or_(Mentorship.mentee_id == user_id, Mentorship.mentor_id == user_id),
            Mentorship.status.in_(RUNNING_STATUSES),
        )
        .values(on_hold=on_hold)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
