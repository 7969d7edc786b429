"""HTTP routes of the proposals service."""

from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.dependencies import get_principal, get_session
from services.core.errors import problem_responses
from services.core.pagination import Page, PageParams, page_params, paginate
from services.proposals.models import MentorshipRequest
from services.proposals.schemas import RequestRead, RequestStatus

router = APIRouter(prefix="/v1", tags=["requests"], responses=problem_responses(401, 422))


@router.get("/requests", response_model=Page[RequestRead])
async def list_requests(
    box: Literal["sent", "received"] = Query("sent", description="Requests you sent or received."),
    status: RequestStatus | None = Query(None),
    principal: Principal = Depends(get_principal),
    params: PageParams = Depends(page_params),
    session: AsyncSession = Depends(get_session),
) -> Page[RequestRead]:
    """Your own mentorship requests, newest first."""
    mine = MentorshipRequest.mentee_id if box == "sent" else MentorshipRequest.mentor_id
    stmt = select(MentorshipRequest).where(mine == principal.user_id)
    if status is not None:
        stmt = stmt.where(MentorshipRequest.status == status)
    rows, next_cursor = await paginate(session, stmt, MentorshipRequest, params)
    return Page(items=[RequestRead.model_validate(r) for r in rows], next_cursor=next_cursor)
