"""Use cases of the proposals service. Flushes, never commits."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.pagination import PageParams
from services.proposals import repository
from services.proposals.models import MentorshipRequest
from services.proposals.schemas import RequestBox


async def list_own_requests(
    session: AsyncSession,
    principal: Principal,
    box: RequestBox,
    status: str | None,
    params: PageParams,
) -> tuple[list[MentorshipRequest], str | None]:
    """The requests the caller sent (as mentee) or received (as mentor)."""
    if box == "sent":
        return await repository.list_requests(
            session, params, mentee_id=principal.user_id, status=status
        )
    return await repository.list_requests(
        session, params, mentor_id=principal.user_id, status=status
    )
