"""HTTP routes of the progress service."""

from fastapi import APIRouter, Query

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.pagination import Page, PageQuery
from services.progress import service
from services.progress.schemas import MentorshipRead, MentorshipStatus

router = APIRouter(prefix="/v1", tags=["mentorships"], responses=problem_responses(401, 422))


@router.get("/mentorships", response_model=Page[MentorshipRead])
async def list_mentorships(
    principal: CurrentPrincipal,
    params: PageQuery,
    session: Session,
    status: MentorshipStatus | None = Query(None),
) -> Page[MentorshipRead]:
    """Mentorships you take part in; admins see every mentorship of the organisation."""
    rows, next_cursor = await service.list_visible_mentorships(session, principal, status, params)
    return Page[MentorshipRead].of(rows, next_cursor)
