"""HTTP routes of written check-ins."""

import uuid
from typing import Final

from fastapi import APIRouter, Response, status

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.pagination import Page, PageQuery
from services.progress.checkins import service
from services.progress.checkins.schemas import CheckInCreate, CheckInRead

router = APIRouter(prefix="/v1", tags=["check-ins"], responses=problem_responses(401, 422))

_PATH: Final = "/mentorships/{mentorship_id}/check-ins"


@router.get(_PATH, response_model=Page[CheckInRead], responses=problem_responses(404))
async def list_check_ins(
    mentorship_id: uuid.UUID, principal: CurrentPrincipal, params: PageQuery, session: Session
) -> Page[CheckInRead]:
    """The mentorship's written check-ins, newest first."""
    mentorship, rows, next_cursor = await service.list_check_ins(
        session, principal, mentorship_id, params
    )
    return Page[CheckInRead](
        items=[CheckInRead.of(row, mentorship) for row in rows], next_cursor=next_cursor
    )


@router.post(
    _PATH,
    status_code=status.HTTP_201_CREATED,
    response_model=CheckInRead,
    responses=problem_responses(403, 404, 409),
)
async def post_check_in(
    mentorship_id: uuid.UUID,
    body: CheckInCreate,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
) -> CheckInRead:
    """A short written update from your side: `summary` (what happened), `next_steps`,
    `blockers`. It counts as communicating, like a meeting held. Participants only; 409 while
    the mentorship is closed or on hold."""
    mentorship, check_in = await service.post_check_in(session, principal, mentorship_id, body)
    response.headers["Location"] = f"/v1/mentorships/{mentorship_id}/check-ins/{check_in.id}"
    return CheckInRead.of(check_in, mentorship)


@router.get(_PATH + "/{check_in_id}", response_model=CheckInRead, responses=problem_responses(404))
async def get_check_in(
    mentorship_id: uuid.UUID, check_in_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> CheckInRead:
    """One check-in."""
    mentorship, check_in = await service.get_check_in(
        session, principal, mentorship_id, check_in_id
    )
    return CheckInRead.of(check_in, mentorship)
