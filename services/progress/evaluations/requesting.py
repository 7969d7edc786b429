"""Asking both sides for their evaluation, one batch at a time, in the caller's transaction
(bound to one tenant; the cron in `services/progress/tasks.py` commits each batch). Flushes,
never commits.

When a period begins (period 1 and later, see `periods.py`), each participant of an active
mentorship gets an evaluation request for it, due by its last day, asking them to look back on
the period that just ended: a row (`EvaluationRequest`) and `evaluation.requested`. Someone who
has already evaluated the period gets the row, answered, and no event. Paused mentorships, and
those on hold while a participant is deactivated, are not asked; one resumed later in a period
is asked for that period at the next run. Completed and ended ones never are.

Idempotent by the rows themselves: a mentorship with requests for its current period is not
due, and the insert skips a row that exists (its unique constraint), so a second run, or two
at once, ask nobody twice.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.outbox import emit_many
from services.profiles.queries import EvaluationInterval
from services.progress.evaluations import repository

# Mentorships per transaction: their row locks are held until it commits.
BATCH: Final = 500
REQUESTED_EVENT: Final = "evaluation.requested"


@dataclass(frozen=True)
class Batch:
    """How many mentorships one batch found due (`selected`) and how many people it asked."""

    selected: int
    asked: int


def _asks(due: repository.Due) -> list[repository.Ask]:
    last_day = due.period_start + timedelta(days=due.interval_days - 1)
    return [
        repository.Ask(due.mentorship_id, due.mentee_id, "mentee", due.period_start, last_day),
        repository.Ask(due.mentorship_id, due.mentor_id, "mentor", due.period_start, last_day),
    ]


def _event(due: repository.Due, ask: repository.Ask) -> dict[str, Any]:
    reviewed_from = due.period_start - timedelta(days=due.interval_days)
    return {
        "mentorship_id": str(due.mentorship_id),
        "mentee_id": str(due.mentee_id),
        "mentor_id": str(due.mentor_id),
        "program_id": str(due.program_id) if due.program_id else None,
        "to": ask.side,
        "recipient_id": str(ask.user_id),
        "period_start": ask.period_start.isoformat(),
        "due_on": ask.due_on.isoformat(),
        "reviewed_period_start": reviewed_from.isoformat(),
    }


async def request_batch(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    intervals: Sequence[EvaluationInterval],
    today: date,
    limit: int = BATCH,
) -> Batch:
    """Ask both sides of up to `limit` of the tenant's mentorships due on `today`."""
    due = await repository.lock_due(session, tenant_id, intervals, today, limit)
    by_mentorship = {d.mentorship_id: d for d in due}
    asks = {(a.mentorship_id, a.user_id): a for d in due for a in _asks(d)}
    written = {
        (mentorship_id, user_id): answered_at
        for mentorship_id, user_id, answered_at in await repository.insert_requests(
            session, tenant_id, list(asks.values())
        )
    }
    # In the batch's order (mentorship, then mentee before mentor), not the insert's.
    events = [
        (REQUESTED_EVENT, _event(by_mentorship[ask.mentorship_id], ask))
        for key, ask in asks.items()
        if key in written and written[key] is None
    ]
    # One statement for the batch, on the bulk lane: a cohort's mentorships, started together,
    # reach their periods together, and their requests must not hold up interactive events.
    await emit_many(session, events, tenant_id=tenant_id)
    return Batch(len(due), len(events))
