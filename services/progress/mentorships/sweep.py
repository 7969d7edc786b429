"""The inactivity policy (`services/progress/inactivity.py`) applied, one batch at a time, in
the caller's transaction (bound to one tenant; `services/progress/tasks.py` commits each
batch). Flushes, never commits."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.outbox import emit
from services.profiles import queries as profiles
from services.progress import inactivity
from services.progress.mentorships import repository, service
from services.progress.mentorships.models import Mentorship

BATCH: Final = 500


def _payload(mentorship: Mentorship, last_activity_at: datetime) -> dict[str, object]:
    return {
        "mentorship_id": str(mentorship.id),
        "mentee_id": str(mentorship.mentee_id),
        "mentor_id": str(mentorship.mentor_id),
        "program_id": str(mentorship.program_id) if mentorship.program_id else None,
        "last_activity_at": last_activity_at.isoformat(),
    }


def earliest_quiet(now: datetime) -> datetime:
    """No mentorship active since after this can be due for any step: the shortest quiet a
    step needs is the warning's (a program closes after at least 60 days, noticed at 53)."""
    return now - timedelta(days=inactivity.WARN_AFTER_DAYS)


@dataclass(frozen=True)
class Swept:
    selected: int
    done: int
    last_id: uuid.UUID | None  # where the next batch starts


async def sweep_batch(
    session: AsyncSession, now: datetime, after: uuid.UUID | None, limit: int = BATCH
) -> Swept:
    """The next `limit` quiet mentorships after `after` (in id order), each taken the step now
    due, if any."""
    found = await repository.quiet_mentorships(session, earliest_quiet(now), after, limit)
    if not found:
        return Swept(0, 0, None)
    policies = await profiles.progress_policies(
        session, found[0][0].tenant_id, {m.program_id for m, _ in found}
    )
    done = 0
    for mentorship, last_activity_at in found:
        program = policies.get(mentorship.program_id)
        due = inactivity.step_due(
            last_activity_at=last_activity_at,
            now=now,
            stage=mentorship.inactivity_stage,
            close_after_days=program.close_inactive_after_days if program else None,
            notice_at=mentorship.inactivity_notice_at,
        )
        if due is None:
            continue
        done += 1
        data = _payload(mentorship, last_activity_at)
        quiet_days = (now - last_activity_at).days
        if due.step == "warn":
            mentorship.inactivity_stage = "warned"
            emit(
                session,
                "mentorship.inactive",
                {**data, "quiet_days": quiet_days},
                tenant_id=mentorship.tenant_id,
            )
        elif due.step == "notice":
            mentorship.inactivity_stage = "notice"
            mentorship.inactivity_notice_at = now
            closes_at = due.closes_at or now
            emit(
                session,
                "mentorship.closing_soon",
                {**data, "quiet_days": quiet_days, "closes_at": closes_at.isoformat()},
                tenant_id=mentorship.tenant_id,
            )
        else:
            await service.change_status(
                session,
                mentorship,
                "ended",
                f"No held meeting or check-in for {quiet_days} days.",
                None,
            )
    await session.flush()
    return Swept(len(found), done, found[-1][0].id)
