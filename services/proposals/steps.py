"""Moving a request one step of its lifecycle: the status, the history row and the event, in
the caller's transaction. Every change of a request's status goes through `take_step`, so the
history is complete and every step is announced the same way.

The caller holds the request's row lock (`repository.get_request(..., for_update=True)`), so
two steps racing on one request are taken one after the other, and the second sees the first's
status.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.outbox import emit
from services.proposals import lifecycle
from services.proposals.lifecycle import Action, Party, Status
from services.proposals.models import WAITING_STATUSES, MentorshipRequest, RequestTransition

# The event each status is announced with; a draft is nobody's business but the mentee's.
EVENTS: Final[dict[Status, str]] = {
    "pending": "request.sent",
    "accepted": "request.accepted",
    "declined": "request.declined",
    "countered": "request.countered",
    "withdrawn": "request.withdrawn",
    "expired": "request.expired",
}


def request_payload(request: MentorshipRequest) -> dict[str, Any]:
    """What every request event says about the request."""
    return {
        "request_id": str(request.id),
        "mentee_id": str(request.mentee_id),
        "mentor_id": str(request.mentor_id),
        "program_id": str(request.program_id) if request.program_id else None,
        "status": request.status,
    }


async def take_step(
    session: AsyncSession,
    request: MentorshipRequest,
    action: Action,
    party: Party,
    *,
    actor_id: uuid.UUID | None,
    now: datetime,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> Status:
    """Move `request` by `action` taken by `party` (raises lifecycle.IllegalTransition or
    WrongParty, changing nothing), record who, when, from, to and why, and announce it with
    `data` added to the event. Returns the new status."""
    source: Status = request.status  # type: ignore[assignment]
    target = lifecycle.step(source, action, party)
    request.status = target
    request.updated_at = now
    if target in WAITING_STATUSES:
        # A new wait (sent, or countered: now the mentee must answer) starts its reminders
        # over: whoever must answer now has had none.
        request.reminders_sent = 0
    session.add(
        RequestTransition(
            tenant_id=request.tenant_id,
            request_id=request.id,
            actor_id=actor_id,
            from_status=source,
            to_status=target,
            reason=reason,
            created_at=now,
            updated_at=now,
        )
    )
    await session.flush()
    event = EVENTS.get(target)
    if event is not None:
        emit(
            session,
            event,
            {
                **request_payload(request),
                "from_status": source,
                "actor_id": str(actor_id) if actor_id else None,
                "reason": reason,
                **(data or {}),
            },
            tenant_id=request.tenant_id,
        )
    return target


def record_created(
    session: AsyncSession, request: MentorshipRequest, *, actor_id: uuid.UUID | None, now: datetime
) -> None:
    """The first history row of a new request (from nothing to its first status)."""
    session.add(
        RequestTransition(
            tenant_id=request.tenant_id,
            request_id=request.id,
            actor_id=actor_id,
            from_status=None,
            to_status=request.status,
            reason=None,
            created_at=now,
            updated_at=now,
        )
    )


def mark_sent(
    request: MentorshipRequest, *, now: datetime, expiry_days: int, review_score: int | None
) -> None:
    """What sending sets besides the status: when it left, when it expires unanswered, and
    the review's score at that moment (the mentor's brief shows it)."""
    request.sent_at = now
    request.expires_at = now + timedelta(days=expiry_days)
    request.review_score = review_score
    request.reminders_sent = 0
