"""Use cases of the progress service. Flushes, never commits."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.pagination import PageParams
from services.progress import repository
from services.progress.models import Mentorship


async def list_visible_mentorships(
    session: AsyncSession, principal: Principal, status: str | None, params: PageParams
) -> tuple[list[Mentorship], str | None]:
    """Admins see every mentorship of the organisation, others those they take part in."""
    participant_id = None if principal.has_role("admin") else principal.user_id
    return await repository.list_mentorships(
        session, params, participant_id=participant_id, status=status
    )
