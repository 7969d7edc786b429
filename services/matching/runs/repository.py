"""Every SQL statement of cohort matching runs.

Assignments are written a batch at a time, set-based: one JSON array parameter unpacked by
`jsonb_to_recordset`, so twenty thousand rows cost a handful of statements. Text statements name
their tenant as `:tenant_id` (`services.core.tenancy` refuses one that does not).
"""

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
from services.matching.runs.models import MatchingAssignment, MatchingRun


async def get_run(session: AsyncSession, run_id: uuid.UUID) -> MatchingRun | None:
    run: MatchingRun | None = await session.scalar(
        select(MatchingRun).where(MatchingRun.id == run_id)
    )
    return run


async def list_runs(
    session: AsyncSession, params: PageParams, program_id: uuid.UUID | None
) -> tuple[list[MatchingRun], str | None]:
    statement = select(MatchingRun)
    if program_id is not None:
        statement = statement.where(MatchingRun.program_id == program_id)
    return await paginate(session, statement, MatchingRun, params)


async def tenant_of_run(session: AsyncSession, run_id: uuid.UUID) -> uuid.UUID | None:
    tenant_id: uuid.UUID | None = await session.scalar(
        select(MatchingRun.tenant_id)
        .where(MatchingRun.id == run_id)
        .execution_options(all_tenants=True)  # the lookup that finds the tenant to bind
    )
    return tenant_id


async def lock_run(session: AsyncSession, run_id: uuid.UUID) -> MatchingRun | None:
    """The run, its row locked to the end of the transaction: a job starting, a job writing
    and the sweeper take turns on it."""
    run: MatchingRun | None = await session.scalar(
        select(MatchingRun)
        .where(MatchingRun.id == run_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return run


async def record_progress(
    session: AsyncSession, run_id: uuid.UUID, attempt: int, progress: float, now: datetime
) -> bool:
    """Move the run's progress and heartbeat, if this attempt still owns it."""
    result = await session.execute(
        update(MatchingRun)
        .where(
            MatchingRun.id == run_id,
            MatchingRun.status == "running",
            MatchingRun.attempts == attempt,
        )
        .values(progress=progress, heartbeat_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def delete_assignments(session: AsyncSession, run_id: uuid.UUID) -> None:
    await session.execute(
        delete(MatchingAssignment)
        .where(MatchingAssignment.run_id == run_id)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    position: int
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID
    score: float
    factors: dict[str, float]
    reasons: list[str]


async def insert_assignments(
    session: AsyncSession, tenant_id: uuid.UUID, run_id: uuid.UUID, rows: Sequence[AssignmentRow]
) -> None:
    if not rows:
        return
    payload = json.dumps(
        [
            {
                "position": row.position,
                "mentee_id": str(row.mentee_id),
                "mentor_id": str(row.mentor_id),
                "score": row.score,
                "factors": row.factors,
                "reasons": row.reasons,
            }
            for row in rows
        ],
        separators=(",", ":"),
    )
    await session.execute(
        text(
            "INSERT INTO matching.run_assignments "
            "(id, tenant_id, run_id, position, mentee_id, mentor_id, score, factors, reasons) "
            "SELECT gen_random_uuid(), :tenant_id, :run_id, r.position, r.mentee_id, "
            "r.mentor_id, r.score, r.factors, r.reasons "
            "FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(position integer, "
            "mentee_id uuid, mentor_id uuid, score double precision, factors jsonb, "
            "reasons jsonb)"
        ),
        {"tenant_id": tenant_id, "run_id": run_id, "rows": payload},
    )


async def assignments_page(
    session: AsyncSession, run_id: uuid.UUID, after: int, limit: int
) -> list[MatchingAssignment]:
    """The run's assignments after `position` `after` (-1: from the first), in order."""
    rows = await session.scalars(
        select(MatchingAssignment)
        .where(MatchingAssignment.run_id == run_id, MatchingAssignment.position > after)
        .order_by(MatchingAssignment.position)
        .limit(limit)
    )
    return list(rows)


async def all_assignments(
    session: AsyncSession, run_id: uuid.UUID, batch: int
) -> AsyncIterator[list[MatchingAssignment]]:
    """Every assignment of the run, in order, a batch at a time (keyset, so memory is flat)."""
    after = -1
    while rows := await assignments_page(session, run_id, after, batch):
        yield rows
        after = rows[-1].position
        session.expunge_all()


async def assigned_pairs(
    session: AsyncSession, run_id: uuid.UUID
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(mentee, mentor) of every assignment of the run, best score first: only the two ids,
    in one statement (an apply reads all of them at once)."""
    rows = await session.execute(
        select(MatchingAssignment.mentee_id, MatchingAssignment.mentor_id)
        .where(MatchingAssignment.run_id == run_id)
        .order_by(MatchingAssignment.position)
    )
    return [(mentee_id, mentor_id) for mentee_id, mentor_id in rows.all()]


async def stale_runs(
    session: AsyncSession, *, queued_before: datetime, heartbeat_before: datetime
) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    """Runs nobody works on: queued for too long (the job was lost), or running without a
    heartbeat (the worker died). Across tenants: the sweeper serves all."""
    rows = await session.execute(
        select(MatchingRun.id, MatchingRun.tenant_id, MatchingRun.status)
        .where(
            ((MatchingRun.status == "queued") & (MatchingRun.updated_at < queued_before))
            | (
                (MatchingRun.status == "running")
                & (
                    MatchingRun.heartbeat_at.is_(None)
                    | (MatchingRun.heartbeat_at < heartbeat_before)
                )
            )
        )
        .order_by(MatchingRun.created_at)
        .limit(100)
        .execution_options(all_tenants=True)
    )
    return [(run_id, tenant_id, status) for run_id, tenant_id, status in rows.all()]


def as_json(value: Any) -> Any:
    """A value as JSON stores it (numpy scalars and tuples made plain)."""
    return json.loads(json.dumps(value, default=float))
