"""HTTP routes of the proposals service."""

import uuid
from collections.abc import Mapping

from fastapi import APIRouter, Body, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.etags import IfMatch, set_etag
from services.core.pagination import Page, PageQuery
from services.proposals import brief, review, service
from services.proposals.schemas import (
    AcceptResult,
    BriefRead,
    CadenceRead,
    CounterBody,
    CounterRead,
    DeclineBody,
    DeclineRead,
    MeetingOptionRead,
    RequestBox,
    RequestDraft,
    RequestRead,
    RequestStatus,
    RequestUpdate,
    ReviewCheckRead,
    ReviewRead,
    TransitionRead,
    WithdrawBody,
)

router = APIRouter(prefix="/v1", tags=["requests"], responses=problem_responses(401, 422))

# Every lifecycle step answers the same way: 403 for the other party, 404 for anyone who may
# not see the request, 409 for a step the request's status does not allow.
_STEP_PROBLEMS = problem_responses(403, 404, 409)


async def _read(
    session: AsyncSession,
    viewed: service.Viewed,
    briefs: Mapping[uuid.UUID, BriefRead] | None = None,
) -> RequestRead:
    """The request as the caller sees it; `briefs` when a page's were computed in one batch."""
    request = viewed.request
    counter = request.counter
    if briefs is None:
        briefs = await brief.briefs_for(session, [viewed])
    return RequestRead(
        id=request.id,
        mentee_id=request.mentee_id,
        mentor_id=request.mentor_id,
        program_id=request.program_id,
        status=request.status,
        on_hold=request.on_hold,
        message=request.message,
        goals=list(request.goals),
        objectives=list(request.objectives),
        questions=list(request.questions),
        cadence=CadenceRead(**request.cadence) if request.cadence else None,
        duration_months=request.duration_months,
        meeting_options=[
            MeetingOptionRead.model_validate(option) for option in request.meeting_options
        ],
        contribution=request.contribution,
        review_score=request.review_score,
        counter=(
            CounterRead(
                cadence=CadenceRead(**counter["cadence"]) if counter.get("cadence") else None,
                duration_months=counter.get("duration_months"),
                message=counter.get("message", ""),
            )
            if counter
            else None
        ),
        decline=(
            DeclineRead.model_validate(
                {"reason": request.decline_reason, "message": request.decline_message}
            )
            if request.decline_reason
            else None
        ),
        mentorship_id=request.mentorship_id,
        run_id=request.run_id,
        sent_at=request.sent_at,
        responded_at=request.responded_at,
        expires_at=request.expires_at,
        created_at=request.created_at,
        updated_at=request.updated_at,
        allowed_actions=viewed.allowed_actions(),
        brief=briefs.get(request.id),
    )


def _review_read(result: review.Review) -> ReviewRead:
    return ReviewRead(
        score=result.score,
        checks=[
            ReviewCheckRead(name=check.name, status=check.status, suggestion=check.suggestion)
            for check in result.checks
        ],
    )


@router.get("/requests", response_model=Page[RequestRead])
async def list_requests(
    principal: CurrentPrincipal,
    params: PageQuery,
    session: Session,
    box: RequestBox = Query("sent", description="Requests you sent or received."),
    status: RequestStatus | None = Query(None),
) -> Page[RequestRead]:
    """Your own mentorship requests, newest first. Drafts are only in the sent box; each
    received request carries its `brief`: why this mentee fits, seen from your side."""
    rows, next_cursor = await service.list_own_requests(session, principal, box, status, params)
    briefs = await brief.briefs_for(session, rows)
    return Page[RequestRead].of([await _read(session, row, briefs) for row in rows], next_cursor)


@router.post(
    "/requests",
    status_code=status.HTTP_201_CREATED,
    response_model=RequestRead,
    responses=problem_responses(404, 409),
)
async def create_request(
    body: RequestDraft, response: Response, principal: CurrentPrincipal, session: Session
) -> RequestRead:
    """Save a draft request to a mentor. Review it (`GET .../review`), edit it, then send it.
    409 when the mentor cannot be asked now (the problem's `reason` says why) or you already
    have an open request to them."""
    request = await service.create_request(session, principal, body)
    set_etag(response, request.version)
    response.headers["Location"] = f"/v1/requests/{request.id}"
    return await _read(session, service.Viewed(request, "mentee"))


@router.post("/requests/review", response_model=ReviewRead, responses=problem_responses(404))
async def review_draft(
    body: RequestDraft, principal: CurrentPrincipal, session: Session
) -> ReviewRead:
    """A coaching report on an unsaved draft to a mentor, before it is sent: six checks, each
    pass, warn or fail with a suggestion that quotes what to improve, and a score 0-100.
    Nothing is stored."""
    return _review_read(await service.review_draft(session, principal, body))


@router.get("/requests/{request_id}", response_model=RequestRead, responses=problem_responses(404))
async def get_request(
    request_id: uuid.UUID, response: Response, principal: CurrentPrincipal, session: Session
) -> RequestRead:
    """One request you sent or received. The mentor's view adds `brief`: why this mentee
    fits, seen from the mentor's side."""
    viewed = await service.get_request(session, principal, request_id)
    set_etag(response, viewed.request.version)
    return await _read(session, viewed)


@router.patch(
    "/requests/{request_id}",
    response_model=RequestRead,
    responses=problem_responses(400, 403, 404, 409, 412),
)
async def update_request(
    request_id: uuid.UUID,
    body: RequestUpdate,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
    if_match: IfMatch,
) -> RequestRead:
    """Edit your draft (only a draft, only its mentee); send the ETag you read as If-Match."""
    viewed = await service.update_draft(session, principal, request_id, body, if_match)
    set_etag(response, viewed.request.version)
    return await _read(session, viewed)


@router.get(
    "/requests/{request_id}/review", response_model=ReviewRead, responses=problem_responses(404)
)
async def review_request(
    request_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> ReviewRead:
    """The coaching report on a saved request, against the mentor's profile as it is now."""
    return _review_read(await service.review_saved(session, principal, request_id))


@router.get(
    "/requests/{request_id}/history",
    response_model=Page[TransitionRead],
    responses=problem_responses(404),
)
async def request_history(
    request_id: uuid.UUID, principal: CurrentPrincipal, params: PageQuery, session: Session
) -> Page[TransitionRead]:
    """Every step of the request, newest first: who, when, from, to and why."""
    rows, next_cursor = await service.history(session, principal, request_id, params)
    return Page[TransitionRead].of(rows, next_cursor)


@router.post(
    "/requests/{request_id}/send",
    response_model=RequestRead,
    responses=problem_responses(403, 404, 409),
)
async def send_request(
    request_id: uuid.UUID, response: Response, principal: CurrentPrincipal, session: Session
) -> RequestRead:
    """draft → pending. 422 with the review (`review`) when it scores below the program's
    minimum; 409 when the mentor can no longer be asked, you have as many requests waiting as
    the program allows, or you already have a mentor where one at a time is the rule."""
    viewed = await service.send(session, principal, request_id)
    set_etag(response, viewed.request.version)
    return await _read(session, viewed)


@router.post("/requests/{request_id}/accept", response_model=AcceptResult, responses=_STEP_PROBLEMS)
async def accept_request(
    request_id: uuid.UUID, response: Response, principal: CurrentPrincipal, session: Session
) -> AcceptResult:
    """The mentor accepts a pending request, or the mentee accepts the mentor's counter: the
    mentorship exists when this answers. 409 when the mentor has no place left."""
    accepted = await service.accept(session, principal, request_id)
    set_etag(response, accepted.viewed.request.version)
    return AcceptResult(
        request=await _read(session, accepted.viewed), mentorship_id=accepted.mentorship_id
    )


@router.post("/requests/{request_id}/decline", response_model=RequestRead, responses=_STEP_PROBLEMS)
async def decline_request(
    request_id: uuid.UUID,
    body: DeclineBody,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
) -> RequestRead:
    """The mentor declines, with a reason from the list and, if they like, a message."""
    viewed = await service.decline(session, principal, request_id, body)
    set_etag(response, viewed.request.version)
    return await _read(session, viewed)


@router.post("/requests/{request_id}/counter", response_model=RequestRead, responses=_STEP_PROBLEMS)
async def counter_request(
    request_id: uuid.UUID,
    body: CounterBody,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
) -> RequestRead:
    """The mentor proposes another cadence or duration; the mentee accepts it or withdraws."""
    viewed = await service.counter(session, principal, request_id, body)
    set_etag(response, viewed.request.version)
    return await _read(session, viewed)


@router.post(
    "/requests/{request_id}/withdraw", response_model=RequestRead, responses=_STEP_PROBLEMS
)
async def withdraw_request(
    request_id: uuid.UUID,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
    body: WithdrawBody | None = Body(None),
) -> RequestRead:
    """The mentee withdraws a draft or a request still waiting for an answer."""
    viewed = await service.withdraw(session, principal, request_id, body)
    set_etag(response, viewed.request.version)
    return await _read(session, viewed)
