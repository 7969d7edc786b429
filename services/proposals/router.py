"""HTTP routes of the proposals service."""

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.dependencies import get_principal, get_session
from services.core.errors import problem_responses
from services.core.pagination import Page, PageParams, page_params
from services.proposals import service
from services.proposals.schemas import RequestBox, RequestRead, RequestStatus

router = APIRouter(prefix="/v1", tags=["requests"], responses=problem_responses(401, 422))


@router.get("/requests", response_model=Page[RequestRead])
async def list_requests(
    box: RequestBox = Query("sent", description="Requests you sent or received."),
    status: RequestStatus | None = Query(None),
    principal: Principal = Depends(get_principal),
    params: PageParams = Depends(page_params),
    session: AsyncSession = Depends(get_session),
) -> Page[RequestRead]:
    """Your own mentorship requests, newest first."""
    rows, next_cursor = await service.list_own_requests(session, principal, box, status, params)
    return Page(items=[RequestRead.model_validate(r) for r in rows], next_cursor=next_cursor)
