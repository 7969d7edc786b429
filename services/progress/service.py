"""Use cases of the progress service. Flushes, never commits.

Who may see a mentorship: its mentee and mentor, and the organisation's admins. Anyone else
gets 404, as for a mentorship that does not exist.
"""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import NotFound
from services.core.pagination import PageParams
from services.progress import repository
from services.progress.models import Goal, Mentorship


async def list_visible_mentorships(
    session: AsyncSession, principal: Principal, status: str | None, params: PageParams
) -> tuple[list[Mentorship], str | None]:
    """Admins see every mentorship of the organisation, others those they take part in."""
    participant_id = None if principal.has_role("admin") else principal.user_id
    return await repository.list_mentorships(
        session, params, participant_id=participant_id, status=status
    )


async def get_mentorship(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID
) -> Mentorship:
    mentorship = await repository.get_mentorship(session, mentorship_id)
    if mentorship is None or not (
        principal.user_id in (mentorship.mentee_id, mentorship.mentor_id)
        or principal.has_role("admin")
    ):
        raise NotFound("No such mentorship.")
    return mentorship


async def list_goals(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID, params: PageParams
) -> tuple[list[Goal], str | None]:
    await get_mentorship(session, principal, mentorship_id)
    return await repository.list_goals(session, mentorship_id, params)
