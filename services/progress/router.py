"""HTTP routes of the progress service."""

from fastapi import APIRouter, Depends, Query
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.dependencies import get_principal, get_session
from services.core.errors import problem_responses
from services.core.pagination import Page, PageParams, page_params, paginate
from services.progress.models import Mentorship
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
    stmt = select(Mentorship)
    if not principal.has_role("admin"):
        stmt = stmt.where(
            or_(
                Mentorship.mentee_id == principal.user_id, Mentorship.mentor_id == principal.user_id
            )
        )
    if status is not None:
        stmt = stmt.where(Mentorship.status == status)
    rows, next_cursor = await paginate(session, stmt, Mentorship, params)
    return Page(items=[MentorshipRead.model_validate(r) for r in rows], next_cursor=next_cursor)
