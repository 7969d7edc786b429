"""The platform's own work on requests waiting for an answer: expiring them and reminding whoever
must answer, one batch at a time, in the caller's transaction (bound to one tenant; the sweep in
`tasks.py` commits each batch). Flushes, never commits.

Idempotent by the rows themselves: expiring is a step of the lifecycle, taken only from a
waiting status; a reminder moves `reminders_sent` (0, 1, 2) in the same transaction as its
event, and only a reminder above it is sent. A second sweep over the same moment finds nothing.

Held requests (a participant's account is deactivated) neither expire nor are reminded. Their
clock is not stopped: once the hold is released, the next sweep expires a request whose time
has passed, or sends the latest reminder due (see `reminders.py`).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.logging import get_logger
from services.core.outbox import emit_many
from services.matching import queries as matching
from services.profiles import queries as profiles
from services.proposals import reminders, repository, steps
from services.proposals.models import MentorshipRequest

log = get_logger(__name__)

# Requests per transaction: their row locks are held until it commits.
BATCH: Final = 500
# Mentors the mentee is shown instead of the one who let the request expire.
NEXT_BEST: Final = 3
REMINDER_EVENT: Final = "request.reminder"


@dataclass(frozen=True)
class Batch:
    """What one batch found (`selected`) and did (`done`)."""

    selected: int
    done: int
    # Mentors whose figures the batch changed (an expiry they let happen), in id order.
    mentors: tuple[uuid.UUID, ...] = ()


def wait_started_at(request: MentorshipRequest) -> datetime | None:
    """When the current wait began: the counter (the mentor's answer) for a countered request,
    the sending for a pending one."""
    return request.responded_at if request.status == "countered" else request.sent_at


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _reason(request: MentorshipRequest) -> str:
    started = wait_started_at(request)
    assert request.expires_at is not None
    days = round((request.expires_at - started) / timedelta(days=1)) if started else None
    within = f" within {days} days" if days else " in time"
    if request.status == "countered":
        return f"The mentee did not answer the mentor's counter-proposal{within}."
    return f"The mentor did not answer{within}."


async def _scope(
    session: AsyncSession, tenant_id: uuid.UUID, program_id: uuid.UUID | None
) -> tuple[bool, uuid.UUID | None]:
    """Whether the program still exists, and the mentors to rank within it: none to name for
    the organisation's default program, which every mentor serves (as recommendations
    without a program), the program's own otherwise."""
    policies = await profiles.request_policies(session, tenant_id, program_id)
    if policies is None:
        return False, None
    return True, None if policies.is_default else policies.program_id


async def _next_best(
    session: AsyncSession, requests: list[MentorshipRequest], now: datetime
) -> list[list[dict[str, Any]]]:
    """Each request's mentee's best other mentors in the request's program, ranked for the
    whole batch at once; none where the program is gone."""
    scopes: dict[uuid.UUID | None, tuple[bool, uuid.UUID | None]] = {}
    asks: list[tuple[int, matching.NextBestAsk]] = []
    for position, request in enumerate(requests):
        if request.program_id not in scopes:
            scopes[request.program_id] = await _scope(
                session, request.tenant_id, request.program_id
            )
        exists, scope = scopes[request.program_id]
        if exists:
            ask = matching.NextBestAsk(request.mentee_id, scope, frozenset({request.mentor_id}))
            asks.append((position, ask))
    found: list[list[dict[str, Any]]] = [[] for _ in requests]
    if asks:
        ranked = await matching.next_best_mentors_many(
            session,
            requests[0].tenant_id,
            [ask for _, ask in asks],
            limit=NEXT_BEST,
            as_of=now,
        )
        for (position, _), picks in zip(asks, ranked, strict=True):
            found[position] = picks
    return found


async def expire_batch(session: AsyncSession, now: datetime, limit: int = BATCH) -> Batch:
    """Expire up to `limit` of the tenant's waiting requests whose time is up: the history
    row (by the platform), and `request.expired` with the mentee's next best mentors."""
    requests = await repository.lock_expired(session, now, limit)
    for request, next_best in zip(requests, await _next_best(session, requests, now), strict=True):
        unanswered_by = reminders.recipient(request.status)
        await steps.take_step(
            session,
            request,
            "expire",
            "system",
            actor_id=None,
            now=now,
            reason=_reason(request),
            data={
                "expires_at": _iso(request.expires_at),
                "unanswered_by": unanswered_by,
                "next_best": next_best,
            },
        )
    unanswered = sorted({r.mentor_id for r in requests if r.responded_at is None})
    return Batch(len(requests), len(requests), tuple(unanswered))


async def remind_batch(session: AsyncSession, now: datetime, limit: int = BATCH) -> Batch:
    """Send the reminder due of up to `limit` of the tenant's waiting requests:
    `request.reminder` to the mentor of a pending request, to the mentee of a countered one."""
    requests = await repository.lock_reminders_due(session, now, limit)
    events: list[tuple[str, dict[str, Any]]] = []
    for request in requests:
        started = wait_started_at(request)
        number = (
            reminders.due_reminder(started, request.expires_at, request.reminders_sent, now)
            if started is not None and request.expires_at is not None
            else None
        )
        if number is None:  # the query and the rule disagree: a bug, not worth a failed sweep
            log.warning("request.reminder_not_due", request_id=str(request.id))
            continue
        to = reminders.recipient(request.status)
        request.reminders_sent = number
        events.append(
            (
                REMINDER_EVENT,
                {
                    **steps.request_payload(request),
                    "reminder": number,
                    "expires_at": _iso(request.expires_at),
                    "to": to,
                    "recipient_id": str(request.mentor_id if to == "mentor" else request.mentee_id),
                },
            )
        )
    await session.flush()
    if requests:
        # One statement for the batch, on the bulk lane: a cohort's requests, sent together,
        # fall due together, and their reminders must not hold up interactive events.
        await emit_many(session, events, tenant_id=requests[0].tenant_id)
    return Batch(len(requests), len(events))
