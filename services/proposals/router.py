"""HTTP routes of the proposals service."""

from fastapi import APIRouter, Query

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.pagination import Page, PageQuery
from services.proposals import service
from services.proposals.schemas import RequestBox, RequestRead, RequestStatus

router = APIRouter(prefix="/v1", tags=["requests"], responses=problem_responses(401, 422))


@router.get("/requests", response_model=Page[RequestRead])
async def list_requests(
    principal: CurrentPrincipal,
    params: PageQuery,
    session: Session,
    box: RequestBox = Query("sent", description="Requests you sent or received."),
    status: RequestStatus | None = Query(None),
) -> Page[RequestRead]:
    """Your own mentorship requests, newest first."""
    rows, next_cursor = await service.list_own_requests(session, principal, box, status, params)
    return Page[RequestRead].of(rows, next_cursor)
