"""Every SQL statement of evaluations and of the requests for them."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import Boolean, Date, Integer, Text, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
from services.profiles.queries import EvaluationInterval
from services.progress.evaluations.models import Evaluation, EvaluationRequest
from services.progress.goals.models import Goal
from services.progress.periods import DEFAULT_INTERVAL_DAYS

# The unique constraint that keeps one evaluation per participant per period.
ONE_PER_PERIOD: Final = "uq_evaluations_mentorship_id_author_id_period_start"
_UNIQUE_VIOLATION: Final = "23505"


async def goal_ids_of(
    session: AsyncSession, mentorship_id: uuid.UUID, goal_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these goals are the mentorship's."""
    if not goal_ids:
        return set()
    rows = await session.scalars(
        select(Goal.id).where(Goal.mentorship_id == mentorship_id, Goal.id.in_(goal_ids))
    )
    return set(rows)


def _violates(exc: IntegrityError, constraint: str) -> bool:
    orig = exc.orig
    # asyncpg's own error, under SQLAlchemy's DB-API adapter, names the constraint.
    cause = getattr(orig, "__cause__", None)
    return (
        getattr(orig, "sqlstate", None) == _UNIQUE_VIOLATION
        and getattr(cause, "constraint_name", None) == constraint
    )


async def add_evaluation(session: AsyncSession, evaluation: Evaluation) -> bool:
    """Insert the evaluation; False when its author has one for the period already. The unique
    constraint decides, so two sent at once cannot both be kept; the savepoint leaves the
    caller's transaction usable to answer."""
    try:
        async with session.begin_nested():
            session.add(evaluation)
            await session.flush()
    except IntegrityError as exc:
        if _violates(exc, ONE_PER_PERIOD):
            return False
        raise
    return True


async def list_evaluations(
    session: AsyncSession, mentorship_id: uuid.UUID, params: PageParams
) -> tuple[list[Evaluation], str | None]:
    """A mentorship's evaluations from both sides, newest first."""
    stmt = select(Evaluation).where(Evaluation.mentorship_id == mentorship_id)
    return await paginate(session, stmt, Evaluation, params)


async def get_evaluation(
    session: AsyncSession, mentorship_id: uuid.UUID, evaluation_id: uuid.UUID
) -> Evaluation | None:
    evaluation: Evaluation | None = await session.scalar(
        select(Evaluation).where(
            Evaluation.id == evaluation_id, Evaluation.mentorship_id == mentorship_id
        )
    )
    return evaluation


async def mark_request_answered(
    session: AsyncSession,
    mentorship_id: uuid.UUID,
    user_id: uuid.UUID,
    period_start: date,
    answered_at: datetime,
) -> None:
    await session.execute(
        update(EvaluationRequest)
        .where(
            EvaluationRequest.mentorship_id == mentorship_id,
            EvaluationRequest.user_id == user_id,
            EvaluationRequest.period_start == period_start,
            EvaluationRequest.answered_at.is_(None),
        )
        .values(answered_at=answered_at)
        .execution_options(synchronize_session=False)
    )


# --- the requests' cron ------------------------------------------------------------------------

# Active mentorships (not on hold) whose current period is period 1 or later and has no
# requests yet, with that period's first day. The same rule as `periods.period_containing`,
# in SQL so that only the mentorships due are read: a period is whole UTC days from the day
# the mentorship started; the interval is its program's, else the organisation's default
# program's, else the default. `intervals` holds the programs' intervals (profiles' query).
_DUE = """
    FROM progress.mentorships m
    CROSS JOIN LATERAL (
        SELECT (m.created_at AT TIME ZONE 'UTC')::date AS started_on,
               COALESCE(
                   (SELECT i.days FROM intervals i
                    WHERE i.tenant_id = m.tenant_id AND i.program_id = m.program_id),
                   (SELECT i.days FROM intervals i
                    WHERE i.tenant_id = m.tenant_id AND i.is_default),
                   CAST(:default_days AS integer)
               ) AS days
    ) s
    CROSS JOIN LATERAL (
        SELECT s.started_on
               + ((CAST(:today AS date) - s.started_on) / s.days) * s.days AS period_start
    ) p
    WHERE m.status = 'active' AND NOT m.on_hold
      AND CAST(:today AS date) - s.started_on >= s.days
      AND NOT EXISTS (
          SELECT 1 FROM progress.evaluation_requests r
          WHERE r.mentorship_id = m.id AND r.period_start = p.period_start
      )
"""
_INTERVALS = """
    WITH intervals AS (
        SELECT * FROM unnest(
            CAST(:interval_tenants AS uuid[]), CAST(:interval_programs AS uuid[]),
            CAST(:interval_defaults AS boolean[]), CAST(:interval_days AS integer[])
        ) AS i(tenant_id, program_id, is_default, days)
    )
"""
_INTERVAL_PARAMETERS = (
    bindparam("interval_tenants", type_=ARRAY(PgUUID(as_uuid=True))),
    bindparam("interval_programs", type_=ARRAY(PgUUID(as_uuid=True))),
    bindparam("interval_defaults", type_=ARRAY(Boolean())),
    bindparam("interval_days", type_=ARRAY(Integer())),
    bindparam("today", type_=Date()),
)
_TENANTS_DUE = text(_INTERVALS + "SELECT DISTINCT m.tenant_id" + _DUE).bindparams(
    *_INTERVAL_PARAMETERS
)
# Locked, and rows another transaction holds skipped: two runs at once share the work, and an
# evaluation being submitted (it locks its mentorship) is seen by the next run instead.
_LOCK_DUE = text(
    _INTERVALS
    + "SELECT m.id, m.mentee_id, m.mentor_id, m.program_id, p.period_start, s.days"
    + _DUE
    + " AND m.tenant_id = CAST(:tenant_id AS uuid)"
    + " ORDER BY m.id LIMIT :limit FOR UPDATE OF m SKIP LOCKED"
).bindparams(*_INTERVAL_PARAMETERS)
# One row per participant. Someone who already evaluated the period (before this run came
# round) is recorded as answered, and not asked.
_INSERT_REQUESTS = text(
    """
    INSERT INTO progress.evaluation_requests
        (id, tenant_id, mentorship_id, user_id, period_start, answered_at, details,
         created_at, updated_at)
    SELECT gen_random_uuid(), CAST(:tenant_id AS uuid), a.mentorship_id, a.user_id,
           a.period_start,
           (SELECT e.created_at FROM progress.evaluations e
            WHERE e.tenant_id = CAST(:tenant_id AS uuid) AND e.mentorship_id = a.mentorship_id
              AND e.author_id = a.user_id AND e.period_start = a.period_start),
           jsonb_build_object('to', a.side, 'due_on', a.due_on),
           now(), now()
    FROM unnest(
        CAST(:mentorship_ids AS uuid[]), CAST(:user_ids AS uuid[]), CAST(:sides AS text[]),
        CAST(:period_starts AS date[]), CAST(:due_ons AS date[])
    ) AS a(mentorship_id, user_id, side, period_start, due_on)
    ON CONFLICT (mentorship_id, user_id, period_start) DO NOTHING
    RETURNING mentorship_id, user_id, answered_at
    """
).bindparams(
    bindparam("mentorship_ids", type_=ARRAY(PgUUID(as_uuid=True))),
    bindparam("user_ids", type_=ARRAY(PgUUID(as_uuid=True))),
    bindparam("sides", type_=ARRAY(Text())),
    bindparam("period_starts", type_=ARRAY(Date())),
    bindparam("due_ons", type_=ARRAY(Date())),
)


@dataclass(frozen=True, slots=True)
class Due:
    """A mentorship whose current period has begun and nobody was asked about yet."""

    mentorship_id: uuid.UUID
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID
    program_id: uuid.UUID | None
    period_start: date
    interval_days: int


@dataclass(frozen=True, slots=True)
class Ask:
    mentorship_id: uuid.UUID
    user_id: uuid.UUID
    side: str
    period_start: date
    due_on: date


def _interval_parameters(intervals: Sequence[EvaluationInterval], today: date) -> dict[str, Any]:
    return {
        "interval_tenants": [i.tenant_id for i in intervals],
        "interval_programs": [i.program_id for i in intervals],
        "interval_defaults": [i.is_default for i in intervals],
        "interval_days": [i.days for i in intervals],
        "default_days": DEFAULT_INTERVAL_DAYS,
        "today": today,
    }


async def tenants_with_evaluations_due(
    session: AsyncSession, intervals: Sequence[EvaluationInterval], today: date
) -> list[uuid.UUID]:
    """Tenants with a mentorship to ask for evaluations. Across tenants: the cron serves all,
    each then in transactions bound to it."""
    rows = await session.scalars(
        _TENANTS_DUE.execution_options(all_tenants=True),
        _interval_parameters(intervals, today),
    )
    return sorted(rows)


async def lock_due(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    intervals: Sequence[EvaluationInterval],
    today: date,
    limit: int,
) -> list[Due]:
    """Up to `limit` of the tenant's mentorships to ask, locked (see `_LOCK_DUE`)."""
    rows = await session.execute(
        _LOCK_DUE,
        {**_interval_parameters(intervals, today), "tenant_id": tenant_id, "limit": limit},
    )
    return [Due(*row) for row in rows.all()]


async def insert_requests(
    session: AsyncSession, tenant_id: uuid.UUID, asks: Sequence[Ask]
) -> list[tuple[uuid.UUID, uuid.UUID, datetime | None]]:
    """The requests not there yet, in one statement: (mentorship, user, answered_at) of each
    row written."""
    if not asks:
        return []
    rows = await session.execute(
        _INSERT_REQUESTS,
        {
            "tenant_id": tenant_id,
            "mentorship_ids": [a.mentorship_id for a in asks],
            "user_ids": [a.user_id for a in asks],
            "sides": [a.side for a in asks],
            "period_starts": [a.period_start for a in asks],
            "due_ons": [a.due_on for a in asks],
        },
    )
    return [(m, u, answered_at) for m, u, answered_at in rows.all()]
