"""Commands other services and workers may call inside their own transaction."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.models import utcnow
from services.core.outbox import emit, emit_many
from services.progress import lifecycle
from services.progress.goals.models import Goal
from services.progress.mentorships import repository
from services.progress.mentorships.models import Mentorship

RUNNING_STATUSES = lifecycle.RUNNING


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


@dataclass(frozen=True, slots=True)
class StartedMentorship:
    mentorship_id: uuid.UUID
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID


async def start_mentorships(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    program_id: uuid.UUID | None,
    pairs: Sequence[tuple[uuid.UUID, uuid.UUID]],
    *,
    run_id: uuid.UUID | None = None,
) -> list[StartedMentorship]:
    """Running mentorships for many (mentee, mentor) pairs at once, with no request behind
    them (a cohort run applied as mentorships): no cadence agreed yet and no goals, which the
    two set together. Each is announced as `start_mentorship` announces one
    (`mentorship.started`, with `run_id` added). The caller has taken the mentors' places
    (`profiles.commands.take_mentor_places`) in the same transaction. A statement per 5,000."""
    rows = await repository.insert_mentorships(session, tenant_id, program_id, pairs)
    started = [StartedMentorship(*row) for row in rows]
    await emit_many(
        session,
        [
            (
                "mentorship.started",
                {
                    "mentorship_id": str(mentorship.mentorship_id),
                    "mentee_id": str(mentorship.mentee_id),
                    "mentor_id": str(mentorship.mentor_id),
                    "program_id": str(program_id) if program_id else None,
                    "request_id": None,
                    "cadence": None,
                    "duration_months": None,
                    "goals": [],
                    "run_id": str(run_id) if run_id else None,
                },
            )
            for mentorship in started
        ],
        tenant_id=tenant_id,
    )
    return started
