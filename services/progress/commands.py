"""Commands other services and workers may call inside their own transaction."""

import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.models import utcnow
from services.core.outbox import emit
from services.progress.models import Goal, Mentorship

RUNNING_STATUSES = ("active", "paused")


async def set_mentorships_on_hold(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, on_hold: bool
) -> int:
    """Hold (or release) the running mentorships a user takes part in; returns how many."""
    result = await session.execute(
        update(Mentorship)
        .where(
            Mentorship.tenant_id == tenant_id,
            or_(Mentorship.mentee_id == user_id, Mentorship.mentor_id == user_id),
            Mentorship.status.in_(RUNNING_STATUSES),
        )
        .values(on_hold=on_hold)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def start_mentorship(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    mentee_id: uuid.UUID,
    mentor_id: uuid.UUID,
    program_id: uuid.UUID | None,
    request_id: uuid.UUID | None,
    cadence: Mapping[str, int] | None,
    duration_months: int | None,
    goals: Sequence[str],
    actor_id: uuid.UUID | None,
) -> Mentorship:
    """Create a running mentorship with its agreed cadence and the mentee's goals, and announce
    it (`mentorship.started`). The caller has taken the mentor's place
    (`profiles.commands.take_mentor_place`) in the same transaction."""
    mentorship = Mentorship(
        tenant_id=tenant_id,
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        program_id=program_id,
        request_id=request_id,
        status="active",
        cadence=dict(cadence) if cadence else None,
        duration_months=duration_months,
    )
    session.add(mentorship)
    await session.flush()
    # One microsecond apart, so the goals list keeps the order the mentee wrote them in.
    started = utcnow()
    session.add_all(
        Goal(
            tenant_id=tenant_id,
            mentorship_id=mentorship.id,
            title=title,
            created_by=actor_id,
            created_at=started + timedelta(microseconds=i),
            updated_at=started,
        )
        for i, title in enumerate(goals)
    )
    emit(
        session,
        "mentorship.started",
        {
            "mentorship_id": str(mentorship.id),
            "mentee_id": str(mentee_id),
            "mentor_id": str(mentor_id),
            "program_id": str(program_id) if program_id else None,
            "request_id": str(request_id) if request_id else None,
            "cadence": mentorship.cadence,
            "duration_months": duration_months,
            "goals": list(goals),
        },
        tenant_id=tenant_id,
    )
    return mentorship
