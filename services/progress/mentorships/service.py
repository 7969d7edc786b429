"""Use cases of mentorships. Flushes, never commits.

Who may see a mentorship and everything in it: its mentee and mentor, and the organisation's
admins; anyone else gets 404, as for a mentorship that does not exist. The same people may add
to it (`writable`), while it runs: a completed or ended mentorship, or one on hold while a
participant's account is deactivated, is 409.
"""

import uuid
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import Conflict, FieldError, NotFound, Unprocessable
from services.core.etags import expect_version
from services.core.models import utcnow
from services.core.outbox import emit
from services.core.pagination import PageParams
from services.profiles import commands as profiles_commands
from services.progress import lifecycle
from services.progress.mentorships import repository
from services.progress.mentorships.models import Mentorship
from services.progress.mentorships.schemas import MentorshipUpdate

Side = Literal["mentee", "mentor"]


async def list_visible_mentorships(
    session: AsyncSession, principal: Principal, status: str | None, params: PageParams
) -> tuple[list[Mentorship], str | None]:
    """Admins see every mentorship of the organisation, others those they take part in."""
    participant_id = None if principal.has_role("admin") else principal.user_id
    return await repository.list_mentorships(
        session, params, participant_id=participant_id, status=status
    )


def side_of(principal: Principal, mentorship: Mentorship) -> Side | None:
    """The caller's side of the mentorship; None for an admin who takes no part in it."""
    if principal.user_id == mentorship.mentee_id:
        return "mentee"
    if principal.user_id == mentorship.mentor_id:
        return "mentor"
    return None


async def get_mentorship(
    session: AsyncSession,
    principal: Principal,
    mentorship_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Mentorship:
    """The mentorship when the caller may see it, else 404."""
    mentorship = await repository.get_mentorship(session, mentorship_id, for_update=for_update)
    if mentorship is None or (
        side_of(principal, mentorship) is None and not principal.has_role("admin")
    ):
        raise NotFound("No such mentorship.")
    return mentorship


async def writable(
    session: AsyncSession,
    principal: Principal,
    mentorship_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Mentorship:
    """The mentorship when the caller may add to it now: 404 as `get_mentorship`, 409 when it
    is closed (`current_status`) or on hold."""
    mentorship = await get_mentorship(session, principal, mentorship_id, for_update=for_update)
    if mentorship.status in lifecycle.CLOSED:
        raise Conflict(
            f"This mentorship is {mentorship.status}; nothing more can be added to it.",
            reason="mentorship_closed",
            current_status=mentorship.status,
        )
    if mentorship.on_hold:
        raise Conflict(
            "This mentorship is on hold while a participant's account is deactivated.",
            reason="on_hold",
            current_status=mentorship.status,
        )
    return mentorship


def note_activity(mentorship: Mentorship) -> None:
    """Something happened in the mentorship (a meeting, a check-in, an evaluation...): the
    inactivity policy starts counting again. The policy reads the activity itself, so only a
    warning or a notice given has to be taken back; the row (and its ETag) changes only then."""
    if mentorship.inactivity_stage is not None or mentorship.inactivity_notice_at is not None:
        mentorship.inactivity_stage = None
        mentorship.inactivity_notice_at = None


async def update_mentorship(
    session: AsyncSession,
    principal: Principal,
    mentorship_id: uuid.UUID,
    body: MentorshipUpdate,
    expected_version: int | None,
) -> Mentorship:
    """Change the status (`active` ⇄ `paused`, → `completed`, → `ended` with a reason) or the
    cadence. Completing or ending gives the mentor's place back."""
    mentorship = await get_mentorship(
        session, principal, mentorship_id, for_update=expected_version is None
    )
    expect_version(mentorship.version, expected_version)
    if mentorship.on_hold:
        raise Conflict(
            "This mentorship is on hold while a participant's account is deactivated.",
            reason="on_hold",
            current_status=mentorship.status,
        )
    fields = body.model_fields_set
    if "cadence" in fields:
        if mentorship.status in lifecycle.CLOSED:
            raise Conflict(
                f"This mentorship is {mentorship.status}; its cadence no longer changes.",
                current_status=mentorship.status,
            )
        mentorship.cadence = body.cadence.model_dump() if body.cadence else None
    if "status" in fields and body.status is not None and body.status != mentorship.status:
        await change_status(session, mentorship, body.status, body.reason, principal.user_id)
    elif "reason" in fields and body.status is None:
        raise Unprocessable(
            "A reason goes with a change of status.",
            errors=[FieldError(loc=["body", "reason"], msg="needs a status")],
        )
    await session.flush()
    return mentorship


async def change_status(
    session: AsyncSession,
    mentorship: Mentorship,
    target: str,
    reason: str | None,
    actor_id: uuid.UUID | None,
) -> None:
    """Move the mentorship to `target` (409 when that is no change it may make), giving the
    mentor's place back when it closes; `actor_id` None: the platform did it."""
    source = mentorship.status
    if not lifecycle.may_change(source, target):
        raise Conflict(
            f"This mentorship is {source}; it cannot become {target}.", current_status=source
        )
    if target == "ended" and not reason:
        raise Unprocessable(
            "Say why the mentorship ends.",
            errors=[FieldError(loc=["body", "reason"], msg="is required to end a mentorship")],
        )
    now = utcnow()
    mentorship.status = target
    mentorship.status_changed_at = now
    if target in lifecycle.CLOSED:
        mentorship.end_reason = reason
        await profiles_commands.release_mentor_place(
            session, mentorship.tenant_id, mentorship.mentor_id
        )
    emit(
        session,
        "mentorship.status_changed",
        {
            "mentorship_id": str(mentorship.id),
            "mentee_id": str(mentorship.mentee_id),
            "mentor_id": str(mentorship.mentor_id),
            "program_id": str(mentorship.program_id) if mentorship.program_id else None,
            "from_status": source,
            "to_status": target,
            "reason": reason,
            "actor_id": str(actor_id) if actor_id else None,
        },
        tenant_id=mentorship.tenant_id,
    )
