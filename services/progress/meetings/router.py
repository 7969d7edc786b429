"""HTTP routes of meetings and the mentorship's calendar."""

import uuid
from typing import Any, Final

from fastapi import APIRouter, Query, Response, status

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.etags import IfMatch, set_etag
from services.core.pagination import Page, PageQuery
from services.progress import ical
from services.progress.meeting_lifecycle import Status
from services.progress.meetings import service
from services.progress.meetings.schemas import MeetingCreate, MeetingRead, MeetingUpdate

router = APIRouter(prefix="/v1", tags=["meetings"], responses=problem_responses(401, 422))

_PATH: Final = "/mentorships/{mentorship_id}/meetings"
_CALENDAR_200: Final[dict[int | str, dict[str, Any]]] = {
    200: {
        "content": {ical.MEDIA_TYPE: {"schema": {"type": "string"}}},
        "description": "An iCalendar (RFC 5545) file.",
    }
}


@router.get(_PATH, response_model=Page[MeetingRead], responses=problem_responses(404))
async def list_meetings(
    mentorship_id: uuid.UUID,
    principal: CurrentPrincipal,
    params: PageQuery,
    session: Session,
    status: Status | None = Query(None),
) -> Page[MeetingRead]:
    """The mentorship's meetings, newest first. A meeting moved to another time keeps its id;
    the time it left is listed as a `rescheduled` meeting of its own."""
    rows, next_cursor = await service.list_meetings(
        session, principal, mentorship_id, status, params
    )
    return Page[MeetingRead].of(rows, next_cursor)


@router.post(
    _PATH,
    status_code=status.HTTP_201_CREATED,
    response_model=MeetingRead,
    responses=problem_responses(403, 404, 409),
)
async def create_meeting(
    mentorship_id: uuid.UUID,
    body: MeetingCreate,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
) -> MeetingRead:
    """Plan a meeting (`scheduled`, in the future), or log one that happened (`held` or
    `missed`, in the past). Participants only; 409 while the mentorship is closed or on hold."""
    meeting = await service.create_meeting(session, principal, mentorship_id, body)
    set_etag(response, meeting.version)
    response.headers["Location"] = f"/v1/mentorships/{mentorship_id}/meetings/{meeting.id}"
    return MeetingRead.model_validate(meeting)


@router.get(_PATH + "/{meeting_id}", response_model=MeetingRead, responses=problem_responses(404))
async def get_meeting(
    mentorship_id: uuid.UUID,
    meeting_id: uuid.UUID,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
) -> MeetingRead:
    """One meeting, with its ETag."""
    meeting = await service.get_meeting(session, principal, mentorship_id, meeting_id)
    set_etag(response, meeting.version)
    return MeetingRead.model_validate(meeting)


@router.patch(
    _PATH + "/{meeting_id}",
    response_model=MeetingRead,
    responses=problem_responses(403, 404, 409, 412),
)
async def update_meeting(
    mentorship_id: uuid.UUID,
    meeting_id: uuid.UUID,
    body: MeetingUpdate,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
    if_match: IfMatch,
) -> MeetingRead:
    """Log what became of a scheduled meeting (`held`, `missed`, `cancelled`), move it to a new
    `starts_at` (rescheduling: it stays scheduled, with its id), or change `minutes` or
    `notes`. Send the ETag you read as If-Match. A change that does not exist is 409 with the
    `current_status`."""
    meeting = await service.update_meeting(
        session, principal, mentorship_id, meeting_id, body, if_match
    )
    set_etag(response, meeting.version)
    return MeetingRead.model_validate(meeting)


@router.get(
    "/mentorships/{mentorship_id}/calendar.ics",
    response_class=Response,
    responses={**_CALENDAR_200, **problem_responses(404)},
)
async def get_mentorship_calendar(
    mentorship_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> Response:
    """The meetings (UID `meeting-<id>@mentorship.dev`, SEQUENCE its version, cancelled ones
    CANCELLED) and a recurring check-in event from the agreed cadence
    (`checkin-<mentorship id>@mentorship.dev`), in UTC, for a calendar client to import or
    subscribe to: the same meeting is always the same event."""
    body = await service.calendar(session, principal, mentorship_id)
    return Response(
        body,
        media_type=f"{ical.MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="mentorship-{mentorship_id}.ics"'},
    )
