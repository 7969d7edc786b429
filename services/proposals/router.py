"""HTTP routes of the proposals service."""

from fastapi import APIRouter, Query

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.pagination import Page, PageQuery
from services.proposals import service
from services.proposals.schemas import (
    RequestBox,
    RequestDraft,
    RequestRead,
    RequestStatus,
    ReviewCheckRead,
    ReviewRead,
)

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


@router.post("/requests/review", response_model=ReviewRead, responses=problem_responses(404))
async def review_draft(
    body: RequestDraft, principal: CurrentPrincipal, session: Session
) -> ReviewRead:
    """A coaching report on an unsaved draft to a mentor, before it is sent: six checks, each
    pass, warn or fail with a suggestion that quotes what to improve, and a score 0-100.
    Nothing is stored."""
    result = await service.review_draft(session, principal, body)
    return ReviewRead(
        score=result.score,
        checks=[
            ReviewCheckRead(name=check.name, status=check.status, suggestion=check.suggestion)
            for check in result.checks
        ],
    )
