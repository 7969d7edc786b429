"""Use cases of meetings and the mentorship's calendar. Flushes, never commits.

Either participant plans and logs meetings; admins read them (a meeting is the participants'
own act, so an admin's write is 403). Writes take the mentorship's row lock: they see it as it
is (not closed, not on hold), and a held meeting restarts the inactivity policy without racing
another write to the mentorship.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import Conflict, FieldError, Forbidden, NotFound, Unprocessable
from services.core.etags import expect_version
from services.core.models import utcnow
from services.core.outbox import emit
from services.core.pagination import PageParams
from services.progress import ical, meeting_lifecycle
from services.progress.meetings import repository
from services.progress.meetings.models import Meeting
from services.progress.meetings.schemas import MeetingCreate, MeetingUpdate
from services.progress.mentorships.models import Mentorship
from services.progress.mentorships.service import (
    get_mentorship,
    note_activity,
    side_of,
    writable,
)


async def list_meetings(
    session: AsyncSession,
    principal: Principal,
    mentorship_id: uuid.UUID,
    status: str | None,
    params: PageParams,
) -> tuple[list[Meeting], str | None]:
    await get_mentorship(session, principal, mentorship_id)
    return await repository.list_meetings(session, mentorship_id, params, status)


async def get_meeting(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID, meeting_id: uuid.UUID
) -> Meeting:
    await get_mentorship(session, principal, mentorship_id)
    return await _meeting(session, mentorship_id, meeting_id)


async def create_meeting(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID, body: MeetingCreate
) -> Meeting:
    """Plan a meeting, or log one that already happened (held or missed)."""
    mentorship = await _writable_by_participant(session, principal, mentorship_id)
    if body.status not in meeting_lifecycle.LOGGABLE:
        raise Unprocessable(
            f"A new meeting is scheduled, held or missed; it becomes {body.status} later.",
            errors=[FieldError(loc=["body", "status"], msg="must be scheduled, held or missed")],
        )
    problem = meeting_lifecycle.time_problem(body.status, body.starts_at, utcnow())
    if problem is not None:
        raise _bad_time(problem)
    meeting = Meeting(
        tenant_id=mentorship.tenant_id,
        mentorship_id=mentorship.id,
        starts_at=body.starts_at,
        minutes=body.minutes,
        status=body.status,
        notes=body.notes or None,
        created_by=principal.user_id,
    )
    session.add(meeting)
    if meeting.status == "held":
        note_activity(mentorship)
        await repository.note_held(session, mentorship.id, meeting.starts_at)
    await session.flush()
    _announce(session, f"meeting.{meeting.status}", mentorship, meeting, principal)
    return meeting


async def update_meeting(
    session: AsyncSession,
    principal: Principal,
    mentorship_id: uuid.UUID,
    meeting_id: uuid.UUID,
    body: MeetingUpdate,
    expected_version: int | None,
) -> Meeting:
    """Log what became of a scheduled meeting (held, missed, cancelled), move it (a new
    `starts_at`: rescheduled), or change its length or notes."""
    mentorship = await _writable_by_participant(session, principal, mentorship_id)
    meeting = await _meeting(
        session, mentorship_id, meeting_id, for_update=expected_version is None
    )
    expect_version(meeting.version, expected_version)
    source = meeting.status
    target = body.status or source
    moves = body.starts_at is not None and body.starts_at != meeting.starts_at
    if target != source and not meeting_lifecycle.may_change(source, target):
        raise Conflict(
            f"This meeting is {source}; it cannot become {target}.", current_status=source
        )
    if moves and source != "scheduled":
        raise Conflict(
            f"This meeting is {source}; only a scheduled meeting moves to another time.",
            current_status=source,
        )
    if target == "rescheduled" and not moves:
        raise _bad_time("is required to reschedule a meeting: its new time")
    if moves and target == "cancelled":
        raise _bad_time("stays as it was when a meeting is cancelled")
    rescheduling = moves and target in ("scheduled", "rescheduled")
    now = utcnow()
    if rescheduling:
        assert body.starts_at is not None
        problem = meeting_lifecycle.time_problem("scheduled", body.starts_at, now)
        if problem is not None:
            raise _bad_time(problem)
        from_starts_at = meeting.starts_at
        _keep_the_slot_it_left(session, meeting, principal)
        meeting.starts_at = body.starts_at
        meeting.reminded_at = None  # a reminder of the new time goes out too
        event: str | None = "meeting.rescheduled"
    elif target != source:
        if body.starts_at is not None:
            meeting.starts_at = body.starts_at  # held or missed, at another time than planned
        problem = meeting_lifecycle.time_problem(target, meeting.starts_at, now)
        if problem is not None:
            raise _bad_time(problem) if moves else _not_started(target, meeting.starts_at)
        meeting.status = target
        event = f"meeting.{target}"
    else:
        event = None
    if body.minutes is not None:
        meeting.minutes = body.minutes
    if "notes" in body.model_fields_set:
        meeting.notes = body.notes or None
    if meeting.status == "held" and source != "held":
        note_activity(mentorship)
        await repository.note_held(session, mentorship.id, meeting.starts_at)
    await session.flush()
    if event == "meeting.rescheduled":
        _announce(session, event, mentorship, meeting, principal, from_starts_at=from_starts_at)
    elif event is not None:
        _announce(session, event, mentorship, meeting, principal, from_status=source)
    return meeting


async def calendar(session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID) -> bytes:
    """The mentorship's meetings and check-in cadence as iCalendar."""
    mentorship = await get_mentorship(session, principal, mentorship_id)
    meetings = await repository.meetings_by_time(session, mentorship_id, ical.SHOWN)
    return ical.calendar(
        "Mentorship meetings",
        [
            ical.CalendarMeeting(
                id=meeting.id,
                starts_at=meeting.starts_at,
                minutes=meeting.minutes,
                status=meeting.status,
                version=meeting.version,
                created_at=meeting.created_at,
                updated_at=meeting.updated_at,
            )
            for meeting in meetings
        ],
        _check_in_series(mentorship),
    )


def _check_in_series(mentorship: Mentorship) -> ical.CheckInSeries | None:
    cadence = mentorship.cadence
    if not cadence:
        return None
    stopped = mentorship.status != "active"
    return ical.CheckInSeries(
        mentorship_id=mentorship.id,
        starts_at=mentorship.created_at,
        interval_days=cadence["interval_days"],
        session_minutes=cadence["session_minutes"],
        until=(mentorship.status_changed_at or mentorship.updated_at) if stopped else None,
        version=mentorship.version,
        created_at=mentorship.created_at,
        updated_at=mentorship.updated_at,
    )


async def _writable_by_participant(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID
) -> Mentorship:
    mentorship = await writable(session, principal, mentorship_id, for_update=True)
    if side_of(principal, mentorship) is None:
        raise Forbidden("Only the mentee and the mentor log their meetings.")
    return mentorship


async def _meeting(
    session: AsyncSession,
    mentorship_id: uuid.UUID,
    meeting_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Meeting:
    meeting = await repository.get_meeting(
        session, mentorship_id, meeting_id, for_update=for_update
    )
    if meeting is None:
        raise NotFound("No such meeting in this mentorship.")
    return meeting


def _keep_the_slot_it_left(session: AsyncSession, meeting: Meeting, principal: Principal) -> None:
    """The time a meeting moved away from, as a `rescheduled` row: what the health flags count
    (see `meeting_lifecycle`)."""
    session.add(
        Meeting(
            tenant_id=meeting.tenant_id,
            mentorship_id=meeting.mentorship_id,
            starts_at=meeting.starts_at,
            minutes=meeting.minutes,
            status="rescheduled",
            created_by=principal.user_id,
        )
    )


def _bad_time(msg: str) -> Unprocessable:
    return Unprocessable(
        "The meeting's time does not fit.",
        errors=[FieldError(loc=["body", "starts_at"], msg=msg)],
    )


def _not_started(target: str, starts_at: datetime) -> Unprocessable:
    return Unprocessable(
        f"This meeting starts at {starts_at.isoformat()}; it is {target} only once it has started.",
        errors=[FieldError(loc=["body", "status"], msg="the meeting has not started yet")],
    )


def _announce(
    session: AsyncSession,
    event_type: str,
    mentorship: Mentorship,
    meeting: Meeting,
    principal: Principal,
    **extra: Any,
) -> None:
    emit(
        session,
        event_type,
        {
            "meeting_id": str(meeting.id),
            "mentorship_id": str(mentorship.id),
            "mentee_id": str(mentorship.mentee_id),
            "mentor_id": str(mentorship.mentor_id),
            "program_id": str(mentorship.program_id) if mentorship.program_id else None,
            "starts_at": meeting.starts_at.isoformat(),
            "minutes": meeting.minutes,
            "status": meeting.status,
            "actor_id": str(principal.user_id),
            **{
                key: value.isoformat() if isinstance(value, datetime) else value
                for key, value in extra.items()
            },
        },
        tenant_id=mentorship.tenant_id,
    )
