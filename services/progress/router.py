"""HTTP routes of the progress service."""

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.dependencies import get_principal, get_session
from services.core.errors import problem_responses
from services.core.pagination import Page, PageParams, page_params
from services.progress import service
from services.progress.schemas import MentorshipRead, MentorshipStatus

router = APIRouter(prefix="/v1", tags=["mentorships"], responses=problem_responses(401, 422))


@router.get("/mentorships", response_model=Page[MentorshipRead])
async def list_mentorships(
    status: MentorshipStatus | None = Query(None),
    principal: Principal = Depends(get_principal),
    params: PageParams = Depends(page_params),
    session: AsyncSession = Depends(get_session),
) -> Page[MentorshipRead]:
    """Mentorships you take part in; admins see every mentorship of the organisation."""
    rows, next_cursor = await service.list_visible_mentorships(session, principal, status, params)
    return Page(items=[MentorshipRead.model_validate(r) for r in rows], next_cursor=next_cursor)
