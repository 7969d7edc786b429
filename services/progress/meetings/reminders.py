"""Reminders of meetings about to happen, one batch at a time in the caller's transaction
(bound to one tenant; `services/progress/tasks.py` commits each batch). Flushes, never commits.

Each scheduled meeting of an active mentorship is announced once, `REMIND_BEFORE` ahead
(`meeting.reminder`, for both participants): `reminded_at` records it, and a meeting moved
to another time (services/progress/meetings/service.py) is reminded of again.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.outbox import emit
from services.progress.meetings import repository

REMIND_BEFORE: Final = timedelta(hours=24)
BATCH: Final = 500


@dataclass(frozen=True)
class Batch:
    selected: int


async def remind_batch(session: AsyncSession, now: datetime, limit: int = BATCH) -> Batch:
    found = await repository.meetings_to_remind(session, now + REMIND_BEFORE, now, limit)
    # Bookkeeping, not a change a client makes or sees: the meetings' ETags stay as they are.
    await repository.mark_reminded(session, [meeting.id for meeting, _ in found], now)
    for meeting, mentorship in found:
        emit(
            session,
            "meeting.reminder",
            {
                "meeting_id": str(meeting.id),
                "mentorship_id": str(mentorship.id),
                "mentee_id": str(mentorship.mentee_id),
                "mentor_id": str(mentorship.mentor_id),
                "starts_at": meeting.starts_at.isoformat(),
                "minutes": meeting.minutes,
            },
            tenant_id=mentorship.tenant_id,
        )
    return Batch(len(found))
