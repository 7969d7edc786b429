"""The statements of a program's report: aggregates in the database, a handful of statements
whatever the program's size (each reads `ix_mentorships_program` and the per-mentorship
indexes of what it counts)."""

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.progress import lifecycle
from services.progress.assessments.models import MentorshipHealth
from services.progress.evaluations.models import EvaluationRequest
from services.progress.goals.models import Goal
from services.progress.mentorships.models import Mentorship

# Health scores counted in bands of 20: 0-19, 20-39, 40-59, 60-79, 80-100.
BANDS = ("0-19", "20-39", "40-59", "60-79", "80-100")


def _of_program(program_id: uuid.UUID) -> Any:
    return Mentorship.program_id == program_id


async def by_status(session: AsyncSession, program_id: uuid.UUID) -> dict[str, int]:
    rows = await session.execute(
        select(Mentorship.status, func.count())
        .where(_of_program(program_id))
        .group_by(Mentorship.status)
    )
    return {status: count for status, count in rows.all()}


async def health_bands(
    session: AsyncSession, program_id: uuid.UUID
) -> tuple[int, float | None, dict[str, int]]:
    """Running mentorships with a stored assessment: how many, their mean score, and how many
    fall in each band."""
    # Floor division: `/` on integers is true division in SQLAlchemy 2, which would count
    # each distinct score as a band of its own.
    band = func.least(MentorshipHealth.score // 20, 4)
    rows = (
        await session.execute(
            select(band, func.count(), func.sum(MentorshipHealth.score))
            .join(Mentorship, Mentorship.id == MentorshipHealth.mentorship_id)
            .where(_of_program(program_id), Mentorship.status.in_(lifecycle.RUNNING))
            .group_by(band)
        )
    ).all()
    counted = sum(count for _, count, _ in rows)
    total = sum(int(score_sum) for _, _, score_sum in rows)
    bands = dict.fromkeys(BANDS, 0)
    for index, count, _ in rows:
        bands[BANDS[int(index)]] = count
    return counted, (total / counted if counted else None), bands


async def at_risk(session: AsyncSession, program_id: uuid.UUID, limit: int) -> list[Any]:
    """Running mentorships whose stored assessment raised a risk flag, lowest score first:
    (mentorship id, mentee, mentor, score, flags, computed_at)."""
    # The lowest `limit` are found on the narrow columns, and only theirs flags read: sorting
    # every flagged row with its flags (a third of a large program) spills to disk.
    lowest = (
        select(MentorshipHealth.id, MentorshipHealth.score, Mentorship.id.label("mentorship_id"))
        .join(Mentorship, Mentorship.id == MentorshipHealth.mentorship_id)
        .where(
            _of_program(program_id),
            Mentorship.status.in_(lifecycle.RUNNING),
            func.cardinality(MentorshipHealth.flag_kinds) > 0,
        )
        .order_by(MentorshipHealth.score, Mentorship.id)
        .limit(limit)
        .subquery()
    )
    rows = await session.execute(
        select(
            Mentorship.id,
            Mentorship.mentee_id,
            Mentorship.mentor_id,
            MentorshipHealth.score,
            MentorshipHealth.flags,
            MentorshipHealth.computed_at,
        )
        .join(lowest, lowest.c.mentorship_id == Mentorship.id)
        .join(MentorshipHealth, MentorshipHealth.id == lowest.c.id)
        .order_by(lowest.c.score, lowest.c.mentorship_id)
    )
    return list(rows.all())


async def goal_counts(session: AsyncSession, program_id: uuid.UUID) -> tuple[int, int]:
    """Goals that count (not dropped), and those achieved."""
    row = (
        await session.execute(
            select(
                func.count().filter(Goal.status != "dropped"),
                func.count().filter(Goal.status == "achieved"),
            )
            .join(Mentorship, Mentorship.id == Goal.mentorship_id)
            .where(_of_program(program_id))
        )
    ).one()
    return int(row[0]), int(row[1])


async def median_days_to_first_meeting(
    session: AsyncSession, program_id: uuid.UUID
) -> tuple[int, float | None]:
    """Over mentorships with a held meeting: how many, and the median days from acceptance
    (the mentorship's start) to the first one held."""
    days = func.extract("epoch", Mentorship.first_held_at - Mentorship.created_at) / 86400
    row = (
        await session.execute(
            select(func.count(), func.percentile_cont(0.5).within_group(days)).where(
                _of_program(program_id), Mentorship.first_held_at.is_not(None)
            )
        )
    ).one()
    return int(row[0]), float(row[1]) if row[1] is not None else None


async def evaluation_requests(session: AsyncSession, program_id: uuid.UUID) -> tuple[int, int]:
    """Evaluation requests sent, and those answered."""
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(EvaluationRequest.answered_at.is_not(None)),
            )
            .join(Mentorship, Mentorship.id == EvaluationRequest.mentorship_id)
            .where(_of_program(program_id))
        )
    ).one()
    return int(row[0]), int(row[1])
