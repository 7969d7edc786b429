"""A mentor's measured responsiveness, kept on their profile as they answer requests.

Recomputed from the requests table on every answer (accept, decline, counter) and every expiry,
in that step's transaction, and handed to the profiles service's published command: the public
profile shows it, and matching's accessibility factor reads it instead of the declared response
time once there are enough answers. No lock is taken for it: two answers by one mentor
committing at once may each miss the other, and the next answer or expiry, recomputing from
scratch, puts it right.
"""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.profiles import commands as profiles_commands
from services.proposals import repository


async def refresh_mentor_stats(
    session: AsyncSession, tenant_id: uuid.UUID, mentor_id: uuid.UUID
) -> None:
    """Recompute the mentor's figures from their requests and keep them on their profile.
    Call it after the step that answered or expired a request has been flushed."""
    figures = await repository.response_figures(session, tenant_id, mentor_id)
    await profiles_commands.record_response_stats(
        session,
        tenant_id,
        mentor_id,
        figures.median_hours,
        figures.acceptance_rate,
        figures.answered,
    )
