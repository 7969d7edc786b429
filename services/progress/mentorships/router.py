"""HTTP routes of the progress service."""

import uuid

from fastapi import APIRouter, Query, Response

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.etags import IfMatch, set_etag
from services.core.pagination import Page, PageQuery
from services.progress.mentorships import service
from services.progress.mentorships.schemas import (
    MentorshipRead,
    MentorshipStatus,
    MentorshipUpdate,
)

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


@router.get(
    "/mentorships/{mentorship_id}",
    response_model=MentorshipRead,
    responses=problem_responses(404),
)
async def get_mentorship(
    mentorship_id: uuid.UUID, response: Response, principal: CurrentPrincipal, session: Session
) -> MentorshipRead:
    """One mentorship you take part in (admins: any of the organisation's)."""
    mentorship = await service.get_mentorship(session, principal, mentorship_id)
    set_etag(response, mentorship.version)
    return MentorshipRead.model_validate(mentorship)


@router.patch(
    "/mentorships/{mentorship_id}",
    response_model=MentorshipRead,
    responses=problem_responses(404, 409, 412),
)
async def update_mentorship(
    mentorship_id: uuid.UUID,
    body: MentorshipUpdate,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
    if_match: IfMatch,
) -> MentorshipRead:
    """Pause or resume it, complete it, or end it with a `reason`; or change its `cadence`.
    Send the ETag you read as If-Match. Completing or ending gives the mentor's place back;
    a change that does not exist is 409 with the `current_status`."""
    mentorship = await service.update_mentorship(session, principal, mentorship_id, body, if_match)
    set_etag(response, mentorship.version)
    return MentorshipRead.model_validate(mentorship)
