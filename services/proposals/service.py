"""Use cases of the proposals service. Flushes, never commits.

Who may see a request: its mentee, its mentor once it is sent (a draft is the mentee's alone),
and the organisation's admins (read only). Anyone else gets 404, as for a request that does not
exist. Who may act is the lifecycle's (`lifecycle.py`): the other party gets 403.

Locks, always in this order, so no two use cases deadlock: the mentee's advisory lock
(`repository.lock_mentee`), then the request's row, then the mentor's profile row (taking a
place), then the mentee's other requests in id order.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import Conflict, FieldError, Forbidden, NotFound, Unprocessable
from services.core.etags import expect_version
from services.core.models import utcnow
from services.core.pagination import PageParams
from services.matching import queries as matching
from services.profiles import commands as profiles_commands
from services.profiles import queries as profiles
from services.progress import commands as progress_commands
from services.progress import queries as progress
from services.proposals import lifecycle, repository, review, stats, steps
from services.proposals.lifecycle import Action, Party
from services.proposals.models import MentorshipRequest, RequestTransition
from services.proposals.schemas import (
    CounterBody,
    DeclineBody,
    MeetingOption,
    RequestBox,
    RequestDraft,
    RequestUpdate,
    WithdrawBody,
)

# What keeps a mentor from being asked at all, and what only keeps them from a new request.
# A shared language is matching's preference, not a rule for someone who chose this mentor.
_NOT_A_MENTOR: Final = frozenset({"deactivated", "not_a_mentor"})
_REFUSES_NEW: Final = ("not_in_program", "not_accepting", "full", "conflict_of_interest")
_REFUSES_ACCEPT: Final = ("not_in_program", "conflict_of_interest")

_REASON_TEXT: Final = {
    "not_in_program": "This mentor does not mentor in this program.",
    "not_accepting": "This mentor is not accepting requests at the moment.",
    "full": "This mentor has no place left.",
    "conflict_of_interest": "A conflict of interest keeps this pair apart.",
}


@dataclass(frozen=True)
class Viewed:
    """A request with the caller's side of it: mentee, mentor, or an admin looking on."""

    request: MentorshipRequest
    side: Party | None  # None: an admin who is neither participant

    def allowed_actions(self) -> list[Action]:
        if self.side is None or self.request.on_hold:
            return []
        return lifecycle.allowed_actions(self.request.status, self.side)  # type: ignore[arg-type]


def _side(principal: Principal, request: MentorshipRequest) -> Party | None:
    if request.mentee_id == principal.user_id:
        return "mentee"
    if request.mentor_id == principal.user_id and request.status != "draft":
        return "mentor"
    return None


async def _visible(
    session: AsyncSession,
    principal: Principal,
    request_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Viewed:
    request = await repository.get_request(session, request_id, for_update=for_update)
    if request is None:
        raise NotFound("No such request.")
    side = _side(principal, request)
    if side is None and not principal.has_role("admin"):
        raise NotFound("No such request.")
    return Viewed(request, side)


async def get_request(session: AsyncSession, principal: Principal, request_id: uuid.UUID) -> Viewed:
    return await _visible(session, principal, request_id)


async def list_own_requests(
    session: AsyncSession,
    principal: Principal,
    box: RequestBox,
    status: str | None,
    params: PageParams,
) -> tuple[list[Viewed], str | None]:
    """The requests the caller sent (as mentee) or received (as mentor; sent ones only)."""
    if box == "sent":
        rows, cursor = await repository.list_requests(
            session, params, mentee_id=principal.user_id, status=status
        )
    else:
        rows, cursor = await repository.list_requests(
            session, params, mentor_id=principal.user_id, status=status
        )
    return [Viewed(row, _side(principal, row)) for row in rows], cursor


async def history(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID, params: PageParams
) -> tuple[list[RequestTransition], str | None]:
    await _visible(session, principal, request_id)
    return await repository.history(session, request_id, params)


# --- drafts ----------------------------------------------------------------------------------


async def _people(
    session: AsyncSession, tenant_id: uuid.UUID, mentee_id: uuid.UUID, mentor_id: uuid.UUID
) -> tuple[matching.MatchProfile | None, matching.MatchProfile | None, dict[str, Any]]:
    """The mentee and mentor as matching sees them, and the mentor's profile body."""
    rows = await profiles.matching_rows(session, tenant_id, user_ids=[mentee_id, mentor_id])
    by_id = {row.user_id: row for row in rows}
    mentee_row, mentor_row = by_id.get(mentee_id), by_id.get(mentor_id)
    return (
        matching.from_row(mentee_row) if mentee_row else None,
        matching.from_row(mentor_row) if mentor_row else None,
        dict(mentor_row.details) if mentor_row else {},
    )


def _refuse(codes: list[str], refusing: tuple[str, ...]) -> None:
    for code in refusing:
        if code in codes:
            raise Conflict(_REASON_TEXT[code], reason=code)


async def _policies(
    session: AsyncSession, tenant_id: uuid.UUID, program_id: uuid.UUID | None
) -> profiles.RequestPolicies:
    policies = await profiles.request_policies(session, tenant_id, program_id)
    if policies is None:
        raise NotFound("No such program.")
    return policies


async def _mentor_for_new_request(
    session: AsyncSession,
    principal: Principal,
    mentor_id: uuid.UUID,
    program: profiles.RequestPolicies,
) -> tuple[matching.MatchProfile, dict[str, Any]]:
    """The mentor, when this caller may ask them now; otherwise the reason as a problem."""
    if mentor_id == principal.user_id:
        raise Unprocessable(
            "You cannot ask yourself to be your mentor.",
            errors=[FieldError(loc=["body", "mentor_id"], msg="is you")],
        )
    mentee, mentor, details = await _people(
        session, principal.tenant_id, principal.user_id, mentor_id
    )
    if mentor is None or mentee is None:
        raise NotFound("No such mentor.")
    codes = matching.blocked_by(mentee, mentor, program_id=_scope(program))
    if _NOT_A_MENTOR & set(codes):
        raise NotFound("No such mentor.")
    _refuse(codes, _REFUSES_NEW)
    return mentor, details


def _scope(program: profiles.RequestPolicies) -> uuid.UUID | None:
    """The program a mentor must mentor in: none for the organisation's default program,
    which every mentor serves (as recommendations without a program)."""
    return None if program.is_default else program.program_id


def _options_not_past(options: list[MeetingOption], now: datetime) -> None:
    past = [i for i, option in enumerate(options) if option.start <= now]
    if past:
        raise Unprocessable(
            "Meeting options must be in the future.",
            errors=[
                FieldError(loc=["body", "meeting_options", i, "start"], msg="is in the past")
                for i in past
            ],
        )


def _stored_options(options: list[MeetingOption]) -> list[dict[str, str]]:
    return [{"start": o.start.isoformat(), "end": o.end.isoformat()} for o in options]


def _draft_fields(body: RequestDraft | RequestUpdate, *, partial: bool) -> dict[str, Any]:
    fields = body.model_dump(exclude_unset=partial, exclude={"mentor_id", "program_id"})
    if partial:
        # An explicit null clears what may be empty; the lists and texts become empty.
        for name in ("message", "contribution"):
            if name in fields and fields[name] is None:
                fields[name] = ""
        for name in ("goals", "objectives", "questions", "meeting_options"):
            if name in fields and fields[name] is None:
                fields[name] = []
    if body.meeting_options is not None and "meeting_options" in fields:
        fields["meeting_options"] = _stored_options(body.meeting_options)
    return fields


async def create_request(
    session: AsyncSession, principal: Principal, body: RequestDraft
) -> MentorshipRequest:
    """A draft to a mentor who may be asked now. One open request per mentor: a second is 409
    with the first one's id."""
    now = utcnow()
    program = await _policies(session, principal.tenant_id, body.program_id)
    await _mentor_for_new_request(session, principal, body.mentor_id, program)
    _options_not_past(body.meeting_options, now)
    await repository.lock_mentee(session, principal.tenant_id, principal.user_id)
    existing = await repository.open_request_between(session, principal.user_id, body.mentor_id)
    if existing is not None:
        raise Conflict(
            "You already have an open request to this mentor.",
            reason="open_request_exists",
            request_id=str(existing),
        )
    request = MentorshipRequest(
        tenant_id=principal.tenant_id,
        mentee_id=principal.user_id,
        mentor_id=body.mentor_id,
        program_id=program.program_id,
        status="draft",
        **_draft_fields(body, partial=False),
    )
    session.add(request)
    await session.flush()
    steps.record_created(session, request, actor_id=principal.user_id, now=now)
    await session.flush()
    return request


def _check_step(viewed: Viewed, action: Action) -> Party:
    """The caller's side when they may take `action` now: 409 with the current status when
    the lifecycle has no such step, 403 for the other party (or an admin looking on), 409 when
    a participant's account is deactivated."""
    request = viewed.request
    status = request.status
    found = lifecycle.TRANSITIONS.get((status, action))  # type: ignore[arg-type]
    if found is None:
        raise Conflict(
            f"This request is {status}; it cannot be {_past(action)} now.",
            current_status=status,
        )
    if viewed.side is None or viewed.side not in found.by:
        raise Forbidden(f"Only the {_party_of(found.by)} may {action} this request.")
    if request.on_hold:
        raise Conflict(
            "This request is on hold while a participant's account is deactivated.",
            reason="on_hold",
            current_status=status,
        )
    return viewed.side


def _past(action: Action) -> str:
    return {
        "send": "sent",
        "accept": "accepted",
        "decline": "declined",
        "counter": "countered",
        "withdraw": "withdrawn",
        "expire": "expired",
    }[action]


def _party_of(parties: frozenset[Party]) -> str:
    people = sorted(p for p in parties if p != "system")
    return " or ".join(people) or "platform"


async def _for_step(session: AsyncSession, principal: Principal, request_id: uuid.UUID) -> Viewed:
    """The request, locked, after the lock of its mentee (the order every use case takes)."""
    unlocked = await _visible(session, principal, request_id)
    await repository.lock_mentee(session, principal.tenant_id, unlocked.request.mentee_id)
    return await _visible(session, principal, request_id, for_update=True)


async def update_draft(
    session: AsyncSession,
    principal: Principal,
    request_id: uuid.UUID,
    body: RequestUpdate,
    expected_version: int | None,
) -> Viewed:
    viewed = await _visible(session, principal, request_id, for_update=expected_version is None)
    request = viewed.request
    if viewed.side != "mentee":
        raise Forbidden("Only the mentee may edit a request.")
    expect_version(request.version, expected_version)
    if request.status != "draft":
        raise Conflict(
            f"This request is {request.status}; only a draft can be edited.",
            current_status=request.status,
        )
    if body.meeting_options:
        _options_not_past(body.meeting_options, utcnow())
    for name, value in _draft_fields(body, partial=True).items():
        setattr(request, name, value)
    await session.flush()
    return viewed


def _draft_of(request: MentorshipRequest) -> review.Draft:
    cadence = request.cadence or {}
    return review.Draft(
        message=request.message,
        goals=list(request.goals),
        objectives=list(request.objectives),
        questions=list(request.questions),
        interval_days=cadence.get("interval_days"),
        session_minutes=cadence.get("session_minutes"),
        duration_months=request.duration_months,
        meeting_options=[
            (datetime.fromisoformat(o["start"]), datetime.fromisoformat(o["end"]))
            for o in request.meeting_options
        ],
        contribution=request.contribution,
    )


async def _review_of(
    session: AsyncSession, request: MentorshipRequest, now: datetime
) -> review.Review:
    rows = await profiles.matching_rows(session, request.tenant_id, user_ids=[request.mentor_id])
    if not rows:
        raise NotFound("No such mentor.")
    return _reviewed(request, matching.from_row(rows[0]), dict(rows[0].details), now)


def _reviewed(
    request: MentorshipRequest,
    mentor: matching.MatchProfile,
    details: dict[str, Any],
    now: datetime,
) -> review.Review:
    availability = details.get("availability") or {}
    return review.review(
        _draft_of(request),
        mentor,
        now=now,
        availability_public=bool(availability.get("public", True)),
    )


async def review_saved(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID
) -> review.Review:
    """The coaching report on a saved request, against the mentor's profile as it is now."""
    viewed = await _visible(session, principal, request_id)
    return await _review_of(session, viewed.request, utcnow())


async def review_draft(
    session: AsyncSession,
    principal: Principal,
    draft: RequestDraft,
    *,
    now: datetime | None = None,
) -> review.Review:
    """The coaching report on an unsaved draft from the caller to a mentor of their
    organisation. Reads only: the mentor as matching sees them."""
    if draft.mentor_id == principal.user_id:
        raise Unprocessable(
            "You cannot ask yourself to be your mentor.",
            errors=[FieldError(loc=["body", "mentor_id"], msg="is you")],
        )
    rows = await profiles.matching_rows(session, principal.tenant_id, user_ids=[draft.mentor_id])
    mentor = matching.from_row(rows[0]) if rows else None
    # A deactivated account has left search; someone who is not a mentor cannot be asked.
    if mentor is None or not mentor.active or not (mentor.is_mentor or "mentor" in mentor.roles):
        raise NotFound("No such mentor.")
    availability = rows[0].details.get("availability") or {}
    return review.review(
        to_draft(draft),
        mentor,
        now=now or utcnow(),
        availability_public=bool(availability.get("public", True)),
    )


def to_draft(body: RequestDraft) -> review.Draft:
    """The plain draft the review reads."""
    return review.Draft(
        message=body.message,
        goals=body.goals,
        objectives=body.objectives,
        questions=body.questions,
        interval_days=body.cadence.interval_days if body.cadence else None,
        session_minutes=body.cadence.session_minutes if body.cadence else None,
        duration_months=body.duration_months,
        meeting_options=[(option.start, option.end) for option in body.meeting_options],
        contribution=body.contribution,
    )


# --- the lifecycle ---------------------------------------------------------------------------


class BelowMinimumScore(Unprocessable):
    """Sending refused: the review scores the draft under the program's minimum."""


async def send(session: AsyncSession, principal: Principal, request_id: uuid.UUID) -> Viewed:
    """draft → pending, when the program's policies allow it: the mentor may still be asked,
    the review reaches the program's minimum score, the mentee has fewer than the program's
    limit of requests waiting, and no mentor yet where one at a time is the rule."""
    viewed = await _for_step(session, principal, request_id)
    request = viewed.request
    side = _check_step(viewed, "send")
    now = utcnow()
    program = await _policies(session, request.tenant_id, request.program_id)
    mentor, details = await _mentor_for_new_request(session, principal, request.mentor_id, program)
    past = [o for o in request.meeting_options if datetime.fromisoformat(o["start"]) <= now]
    if past:
        raise Unprocessable(
            "Some meeting options are in the past now; change them before sending.",
            errors=[FieldError(loc=["body", "meeting_options"], msg="has times in the past")],
        )
    result = _reviewed(request, mentor, details, now)
    if result.score < program.min_request_score:
        raise Unprocessable(
            f"The review scores this request {result.score}; this program asks for at least "
            f"{program.min_request_score} before it is sent. The suggestions say what to improve.",
            errors=[FieldError(loc=["body"], msg="review score below the program's minimum")],
            review={
                "score": result.score,
                "checks": [
                    {"name": c.name, "status": c.status, "suggestion": c.suggestion}
                    for c in result.checks
                ],
            },
            min_score=program.min_request_score,
        )
    waiting = await repository.count_waiting(session, request.mentee_id)
    if waiting >= program.max_pending_requests:
        raise Conflict(
            f"You have {waiting} requests waiting for an answer, the most this program allows; "
            "withdraw one or wait for an answer.",
            reason="too_many_pending",
            limit=program.max_pending_requests,
        )
    if program.one_mentor_at_a_time and await _has_mentor(session, request):
        raise Conflict(
            "You already have a mentor in this program, which allows one at a time.",
            reason="already_mentored",
        )
    steps.mark_sent(
        request, now=now, expiry_days=program.request_expiry_days, review_score=result.score
    )
    await steps.take_step(
        session,
        request,
        "send",
        side,
        actor_id=principal.user_id,
        now=now,
        data={"review_score": result.score, "expires_at": _iso(request.expires_at)},
    )
    return viewed


async def _has_mentor(session: AsyncSession, request: MentorshipRequest) -> bool:
    """Whether the mentee is already in a running mentorship in the request's program."""
    programs = await progress.running_program_ids(session, request.tenant_id, request.mentee_id)
    return request.program_id in programs


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class Accepted:
    viewed: Viewed
    mentorship_id: uuid.UUID


async def accept(session: AsyncSession, principal: Principal, request_id: uuid.UUID) -> Accepted:
    """pending → accepted by the mentor, or countered → accepted by the mentee (taking the
    counter's terms), in one transaction: re-check that the pair may still work together, take
    one of the mentor's places (409 when none is left: of many accepts racing for the last
    place exactly one wins), start the mentorship with the request's goals and the agreed
    cadence, and where the program allows one mentor at a time withdraw the mentee's other
    waiting requests."""
    viewed = await _for_step(session, principal, request_id)
    request = viewed.request
    side = _check_step(viewed, "accept")
    now = utcnow()
    program = await _policies(session, request.tenant_id, request.program_id)
    mentee, mentor, _ = await _people(
        session, request.tenant_id, request.mentee_id, request.mentor_id
    )
    if mentee is None or mentor is None or not mentee.active or not mentor.active:
        raise Conflict(
            "This request is on hold while a participant's account is deactivated.",
            reason="on_hold",
            current_status=request.status,
        )
    codes = matching.blocked_by(mentee, mentor, program_id=_scope(program))
    _refuse(codes, _REFUSES_ACCEPT)
    if program.one_mentor_at_a_time and await _has_mentor(session, request):
        raise Conflict(
            "The mentee already has a mentor in this program, which allows one at a time.",
            reason="already_mentored",
            current_status=request.status,
        )
    if not await profiles_commands.take_mentor_place(session, request.tenant_id, request.mentor_id):
        raise Conflict(
            "This mentor has no place left.", reason="full", current_status=request.status
        )
    cadence, duration = request.cadence, request.duration_months
    if request.status == "countered" and request.counter:
        cadence = request.counter.get("cadence") or cadence
        duration = request.counter.get("duration_months") or duration
    mentorship = await progress_commands.start_mentorship(
        session,
        tenant_id=request.tenant_id,
        mentee_id=request.mentee_id,
        mentor_id=request.mentor_id,
        program_id=request.program_id,
        request_id=request.id,
        cadence=cadence,
        duration_months=duration,
        goals=list(request.goals),
        actor_id=principal.user_id,
    )
    request.mentorship_id = mentorship.id
    if request.responded_at is None:
        request.responded_at = now
    await steps.take_step(
        session,
        request,
        "accept",
        side,
        actor_id=principal.user_id,
        now=now,
        data={"mentorship_id": str(mentorship.id), "cadence": cadence, "duration_months": duration},
    )
    await stats.refresh_mentor_stats(session, request.tenant_id, request.mentor_id)
    if program.one_mentor_at_a_time:
        for other in await repository.other_waiting_requests(
            session, request.mentee_id, request.program_id, request.id
        ):
            await steps.take_step(
                session,
                other,
                "withdraw",
                "system",
                actor_id=None,
                now=now,
                reason="The mentee accepted another mentor in this program.",
            )
    return Accepted(viewed, mentorship.id)


async def decline(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID, body: DeclineBody
) -> Viewed:
    viewed = await _for_step(session, principal, request_id)
    request = viewed.request
    side = _check_step(viewed, "decline")
    now = utcnow()
    request.decline_reason = body.reason
    request.decline_message = body.message
    request.responded_at = request.responded_at or now
    await steps.take_step(
        session,
        request,
        "decline",
        side,
        actor_id=principal.user_id,
        now=now,
        reason=body.reason,
        data={"decline_reason": body.reason, "message": body.message},
    )
    await stats.refresh_mentor_stats(session, request.tenant_id, request.mentor_id)
    return viewed


async def counter(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID, body: CounterBody
) -> Viewed:
    """pending → countered: the mentor proposes another cadence or duration; the mentee now
    has the program's expiry time to accept it or withdraw."""
    viewed = await _for_step(session, principal, request_id)
    request = viewed.request
    side = _check_step(viewed, "counter")
    now = utcnow()
    program = await _policies(session, request.tenant_id, request.program_id)
    proposal = body.model_dump(mode="json")
    request.counter = proposal
    request.responded_at = request.responded_at or now
    request.expires_at = now + timedelta(days=program.request_expiry_days)
    await steps.take_step(
        session,
        request,
        "counter",
        side,
        actor_id=principal.user_id,
        now=now,
        reason=body.message,
        data={"counter": proposal, "expires_at": _iso(request.expires_at)},
    )
    await stats.refresh_mentor_stats(session, request.tenant_id, request.mentor_id)
    return viewed


async def withdraw(
    session: AsyncSession,
    principal: Principal,
    request_id: uuid.UUID,
    body: WithdrawBody | None,
) -> Viewed:
    viewed = await _for_step(session, principal, request_id)
    side = _check_step(viewed, "withdraw")
    await steps.take_step(
        session,
        viewed.request,
        "withdraw",
        side,
        actor_id=principal.user_id,
        now=utcnow(),
        reason=body.reason if body else None,
    )
    return viewed
