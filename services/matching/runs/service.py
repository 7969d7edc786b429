"""Use cases of cohort matching runs. Flushes, never commits: the request or the job owns the
transaction.

A run is a row first (the truth) and a job second (the trigger): the job is queued on the bulk
lane once the row has committed, and the sweeper queues it again if that wake-up is lost or the
worker dies. Each worker that takes a run counts an attempt and writes only while the run is
still running at that attempt (`owns`), so a run never has two writers.
"""

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.db import after_commit
from services.core.errors import Conflict, FieldError, NotFound, Unprocessable
from services.core.models import utcnow
from services.core.outbox import emit
from services.core.pagination import (
    PageParams,
    decode_position,
    encode_position,
    number_part,
    tag_part,
)
from services.core.queue import Lane, queue
from services.matching import RUN_JOB, run_job_id, scoring
from services.matching.features import FACTORS, MatchProfile, from_row
from services.matching.runs import repository
from services.matching.runs.models import MatchingAssignment, MatchingRun
from services.matching.runs.repository import AssignmentRow
from services.matching.runs.schemas import RunCreate
from services.profiles import queries as profiles
from services.progress import queries as progress
from services.proposals import queries as proposals

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
FINISHED: Final = frozenset({SUCCEEDED, FAILED})
COMPLETED_EVENT: Final = "matching_run.completed"

# A run nobody took this long after it was queued lost its job (Redis was down at the commit).
QUEUED_GRACE: Final = timedelta(minutes=1)
# A running run writes its heartbeat every few seconds (tasks.HEARTBEAT_SECONDS); silent this
# long, its worker is gone.
HEARTBEAT_TIMEOUT: Final = timedelta(minutes=2)
# Workers that may take one run before it is given up as failed: a run that kills its worker
# (memory, a crash in a native library) must not kill every worker forever.
MAX_ATTEMPTS: Final = 3

INTERNAL_ERROR: Final = (
    "The run stopped on an internal error, which was logged. Start a new run; if it fails "
    "again, contact support with the run's id."
)
GAVE_UP: Final = (
    f"The run's worker stopped {MAX_ATTEMPTS} times before it finished (it may have run out "
    "of memory). Start a new run; if it fails again, contact support with the run's id."
)
PROGRAM_GONE: Final = "The program was deleted before the run could start."


# --- what admins do ----------------------------------------------------------------------------


def _weights(
    program: Mapping[str, float], requested: Mapping[str, float | None]
) -> dict[str, float]:
    """The program's weights with the requested ones on top; all zero is refused (negative
    ones never get here: the body refuses them)."""
    # A program written before weights existed has none: the defaults.
    base = program or dict(zip(FACTORS, scoring.DEFAULT_WEIGHTS, strict=True))
    weights = {factor: float(base.get(factor, 0.0)) for factor in FACTORS}
    weights |= {factor: float(value) for factor, value in requested.items() if value is not None}
    if sum(weights.values()) <= 0:
        raise Unprocessable(
            "At least one weight must be above 0.",
            errors=[FieldError(loc=["body", "weights"], msg="all weights are zero")],
        )
    return weights


async def create_run(session: AsyncSession, principal: Principal, body: RunCreate) -> MatchingRun:
    """Accept a run; its job is queued on the bulk lane once this transaction commits."""
    program = await profiles.program_weights(session, principal.tenant_id, body.program_id)
    if program is None:
        raise NotFound("No such program.")
    requested = body.weights.model_dump() if body.weights is not None else {}
    run = MatchingRun(
        id=uuid.uuid4(),
        tenant_id=principal.tenant_id,
        program_id=body.program_id,
        mode=body.mode,
        status=QUEUED,
        progress=0.0,
        stats={},
        weights=_weights(program, requested),
        created_by=principal.user_id,
    )
    session.add(run)
    await session.flush()
    run_id = run.id

    async def wake_worker() -> None:
        await wake(run_id)

    after_commit(session, wake_worker)
    return run


async def wake(run_id: uuid.UUID) -> bool:
    """Queue the run's job (once: the job id is the run's); False if it is queued already."""
    return await queue.enqueue(RUN_JOB, str(run_id), lane=Lane.BULK, job_id=run_job_id(run_id))


async def get_run(session: AsyncSession, run_id: uuid.UUID) -> MatchingRun:
    run = await repository.get_run(session, run_id)
    if run is None:
        raise NotFound("No such matching run.")
    return run


async def list_runs(
    session: AsyncSession, params: PageParams, program_id: uuid.UUID | None
) -> tuple[list[MatchingRun], str | None]:
    return await repository.list_runs(session, params, program_id)


_CURSOR_TAG: Final = "assignments"


async def finished_run(session: AsyncSession, run_id: uuid.UUID) -> MatchingRun:
    """A run whose assignments can be read: they exist once it has succeeded."""
    run = await get_run(session, run_id)
    if run.status != SUCCEEDED:
        raise Conflict(
            f"The run is {run.status}; its assignments are there once it has succeeded.",
            run_status=run.status,
        )
    return run


async def assignments_page(
    session: AsyncSession, run_id: uuid.UUID, params: PageParams
) -> tuple[list[MatchingAssignment], str | None]:
    """The run's assignments, best score first, a page at a time."""
    await finished_run(session, run_id)
    after = -1
    if params.cursor:
        _, position = decode_position(params.cursor, tag_part(_CURSOR_TAG), number_part)
        if not position.is_integer() or not 0 <= position < 2**31:
            raise Unprocessable(
                "The cursor is not valid for this list; start again without one.",
                errors=[FieldError(loc=["query", "cursor"], msg="not a cursor from this list")],
            )
        after = int(position)
    rows = await repository.assignments_page(session, run_id, after, params.limit + 1)
    if len(rows) <= params.limit:
        return rows, None
    rows = rows[: params.limit]
    return rows, encode_position([_CURSOR_TAG, rows[-1].position])


def all_assignments(
    session: AsyncSession, run_id: uuid.UUID, batch: int = 2000
) -> AsyncIterator[list[MatchingAssignment]]:
    """Every assignment of a run (call `finished_run` first), in order, a batch at a time."""
    return repository.all_assignments(session, run_id, batch)


# --- what the job does (one short transaction each) --------------------------------------------


async def tenant_of_run(session: AsyncSession, run_id: uuid.UUID) -> uuid.UUID | None:
    """Whose run this is, for a job handed only its id (to bind the tenant)."""
    return await repository.tenant_of_run(session, run_id)


@dataclass(frozen=True, slots=True)
class Attempt:
    run_id: uuid.UUID
    tenant_id: uuid.UUID
    program_id: uuid.UUID
    mode: str
    weights: dict[str, float]
    number: int


async def start_attempt(session: AsyncSession, run_id: uuid.UUID) -> Attempt | None:
    """Take the run for this worker; None when there is nothing to do: it is finished, gone,
    or running with a live heartbeat (another worker has it: jobs are at-least-once)."""
    run = await repository.lock_run(session, run_id)
    if run is None or run.status in FINISHED:
        return None
    now = utcnow()
    if run.status == RUNNING and not _silent(run, now):
        return None
    if run.attempts >= MAX_ATTEMPTS:
        _finish(session, run, FAILED, now, error=GAVE_UP)
        return None
    run.status = RUNNING
    run.attempts += 1
    run.progress = 0.0
    run.heartbeat_at = now
    run.started_at = run.started_at or now
    run.error = None
    await session.flush()
    return Attempt(run.id, run.tenant_id, run.program_id, run.mode, dict(run.weights), run.attempts)


def _silent(run: MatchingRun, now: datetime) -> bool:
    return run.heartbeat_at is None or run.heartbeat_at < now - HEARTBEAT_TIMEOUT


async def owned(session: AsyncSession, attempt: Attempt) -> MatchingRun | None:
    """The run, locked, if this attempt still owns it; None if the sweeper gave it to another
    worker or gave up on it."""
    run = await repository.lock_run(session, attempt.run_id)
    if run is None or run.status != RUNNING or run.attempts != attempt.number:
        return None
    return run


async def record_progress(session: AsyncSession, attempt: Attempt, progress: float) -> bool:
    """Write progress and the heartbeat; False when this attempt no longer owns the run."""
    return await repository.record_progress(
        session, attempt.run_id, attempt.number, min(max(progress, 0.0), 1.0), utcnow()
    )


@dataclass(frozen=True, slots=True)
class Cohort:
    """Who a run matches: the program's active mentees, its mentors, and the pairs that exist
    already (an open request or a running mentorship), which are not proposed again."""

    mentees: list[MatchProfile]
    mentors: list[MatchProfile]
    existing: dict[uuid.UUID, frozenset[uuid.UUID]]


async def load_cohort(session: AsyncSession, attempt: Attempt) -> Cohort | None:
    """The people of the run's program; None when the program is gone."""
    tenant_id, program_id = attempt.tenant_id, attempt.program_id
    if await profiles.program_weights(session, tenant_id, program_id) is None:
        return None
    mentee_rows = await profiles.matching_rows(
        session, tenant_id, program_id=program_id, role="mentee"
    )
    mentor_rows = await profiles.matching_rows(
        session, tenant_id, program_id=program_id, role="mentor"
    )
    # A deactivated mentee is not matched (nor counted): they cannot take up a mentor.
    mentees = [from_row(row) for row in mentee_rows if row.active]
    mentors = [from_row(row) for row in mentor_rows]
    ids = [mentee.user_id for mentee in mentees]
    pairs = await proposals.open_pairs(session, tenant_id, ids)
    pairs |= await progress.running_pairs(session, tenant_id, ids)
    existing: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for mentee_id, mentor_id in pairs:
        existing[mentee_id].add(mentor_id)
    return Cohort(mentees, mentors, {k: frozenset(v) for k, v in existing.items()})


async def write_assignments(
    session: AsyncSession,
    attempt: Attempt,
    rows: Sequence[AssignmentRow],
    *,
    first: bool,
    progress: float,
) -> bool:
    """Write a batch of the run's assignments, with the progress it makes; the first batch
    removes what an earlier attempt left. False (nothing written) when this attempt no longer
    owns the run."""
    run = await owned(session, attempt)
    if run is None:
        return False
    if first:
        await repository.delete_assignments(session, attempt.run_id)
    await repository.insert_assignments(session, attempt.tenant_id, attempt.run_id, rows)
    run.progress = min(max(progress, 0.0), 1.0)
    run.heartbeat_at = utcnow()
    await session.flush()
    return True


async def succeed(
    session: AsyncSession, attempt: Attempt, stats: Mapping[str, Any], *, wrote_any: bool
) -> bool:
    """Mark the run succeeded with its figures, and announce it, in one transaction."""
    run = await owned(session, attempt)
    if run is None:
        return False
    if not wrote_any:  # nothing matched: what an earlier attempt wrote must not stay
        await repository.delete_assignments(session, attempt.run_id)
    run.stats = dict(stats)
    _finish(session, run, SUCCEEDED, utcnow())
    await session.flush()
    return True


async def fail(session: AsyncSession, attempt: Attempt, message: str) -> bool:
    """Mark the run failed with a message the admin can act on (never internals)."""
    run = await owned(session, attempt)
    if run is None:
        return False
    _finish(session, run, FAILED, utcnow(), error=message)
    await session.flush()
    return True


def _finish(
    session: AsyncSession, run: MatchingRun, status: str, now: datetime, error: str | None = None
) -> None:
    run.status = status
    run.finished_at = now
    run.heartbeat_at = now
    run.error = error
    if status == SUCCEEDED:
        run.progress = 1.0
    emit(
        session,
        COMPLETED_EVENT,
        {
            "run_id": str(run.id),
            "program_id": str(run.program_id),
            "mode": run.mode,
            "status": status,
            "matched": int(run.stats.get("matched", 0)) if status == SUCCEEDED else 0,
            "unmatched": int(run.stats.get("unmatched", 0)) if status == SUCCEEDED else 0,
        },
        tenant_id=run.tenant_id,
    )


# --- the sweeper -------------------------------------------------------------------------------


async def stale_runs(session: AsyncSession) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(run, tenant) of the runs whose job was lost or whose worker died, across tenants."""
    now = utcnow()
    stale = await repository.stale_runs(
        session, queued_before=now - QUEUED_GRACE, heartbeat_before=now - HEARTBEAT_TIMEOUT
    )
    return [(run_id, tenant_id) for run_id, tenant_id, _ in stale]


async def revive(session: AsyncSession, run_id: uuid.UUID) -> bool:
    """A stale run, looked at again under its lock: queued again (True: wake its job), or
    failed once it used up its attempts, or left alone if it moved meanwhile."""
    run = await repository.lock_run(session, run_id)
    if run is None:
        return False
    now = utcnow()
    if run.status == QUEUED and run.updated_at < now - QUEUED_GRACE:
        run.updated_at = now  # the next sweep waits another grace period
        return True
    if run.status != RUNNING or not _silent(run, now):
        return False
    if run.attempts >= MAX_ATTEMPTS:
        _finish(session, run, FAILED, now, error=GAVE_UP)
        await session.flush()
        return False
    run.status = QUEUED
    run.updated_at = now
    await session.flush()
    return True
