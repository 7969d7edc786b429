"""The cohort run job (`matching.run_cohort`, bulk lane) and its sweeper.

A run: take it (an attempt, `service.start_attempt`), load the program's people, compute in a
worker thread (`runs.cohort.compute`: scoring, the solve, the reasons) while the event loop
writes progress and the heartbeat in short transactions of their own, then write the
assignments in batches and, in the last transaction, the final status, the figures and the
`matching_run.completed` event.

Every write checks, under the run's row lock, that this attempt still owns the run: a worker
the sweeper gave up on (its heartbeat stopped, then it woke up) stops at its next write and
leaves the run to the worker that took over. Re-running is safe: the first batch deletes what
an earlier attempt wrote.

`sweep_runs`, on the cron, queues again a run whose job was lost (queued for a minute) or whose
worker died (running, no heartbeat for two minutes), and fails one that has used up its attempts.
"""

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

import structlog
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from services.core.db import database
from services.core.logging import get_logger
from services.matching.runs import cohort, service
from services.matching.runs.repository import AssignmentRow
from services.matching.runs.service import Attempt

log = get_logger(__name__)

# A run of 20,000 mentees takes about a minute; far more than arq's default 300 s is a hang.
JOB_TIMEOUT_SECONDS: Final = 1800
# Assignments per transaction: one statement each, well under a second.
WRITE_BATCH: Final = 5000
# The heartbeat is written at least this often (the sweeper waits service.HEARTBEAT_TIMEOUT),
# and progress whenever it moved by PROGRESS_STEP, looked at every PROGRESS_POLL seconds.
HEARTBEAT_SECONDS: Final = 5.0
PROGRESS_STEP: Final = 0.02
PROGRESS_POLL: Final = 0.25
# From this many mentees on, scoring and reasons run in other processes (starting one costs
# a second or two): one per core but one, up to 4, leaving a core to PostgreSQL and the
# lane's other jobs (measured on 2 busy cores, two processes were slower than one).
PARALLEL_FROM_MENTEES: Final = 3000
PROCESSES: Final = max(1, min(4, (os.cpu_count() or 2) - 1))


class Superseded(Exception):
    """This attempt no longer owns the run (the sweeper gave it to another worker)."""


class Reporter:
    """Progress from the computing thread to the database. The thread only sets `share` (a
    float: one store, safe without a lock); the event loop writes it, and learns from the
    write whether the run is still ours, which the thread sees at its next report."""

    def __init__(self, attempt: Attempt) -> None:
        self.attempt = attempt
        self.share = 0.0
        self.superseded = False
        self._written = 0.0
        self._written_at = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    def report(self, share: float) -> None:
        """Called by the computation; stops it once the run is no longer ours."""
        if self.superseded:
            raise Superseded
        self.share = max(self.share, share)

    async def _write(self) -> None:
        async with database.transaction(tenant_id=self.attempt.tenant_id) as session:
            still_ours = await service.record_progress(session, self.attempt, self.share)
        self._written, self._written_at = self.share, time.monotonic()
        if not still_ours:
            self.superseded = True

    async def _loop(self) -> None:
        while not self.superseded:
            await asyncio.sleep(PROGRESS_POLL)
            due = time.monotonic() - self._written_at >= HEARTBEAT_SECONDS
            if due or self.share - self._written >= PROGRESS_STEP:
                try:
                    await self._write()
                except DBAPIError as exc:  # the next tick tries again; the heartbeat has slack
                    log.warning("matching_run.progress_not_written", error=type(exc).__name__)

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None


def _transient(exc: BaseException) -> bool:
    """Trouble with the connection, not with the run: the sweeper runs it again."""
    return isinstance(exc, DBAPIError) and (
        bool(exc.connection_invalidated) or isinstance(exc, OperationalError | InterfaceError)
    )


async def run_cohort(_ctx: dict[str, Any] | None, run_id: str) -> dict[str, Any]:
    """Run (or take over) one cohort run; returns its outcome for the job log."""
    key = uuid.UUID(run_id)
    async with database.session(readonly=True) as session:
        tenant_id = await service.tenant_of_run(session, key)
    if tenant_id is None:
        return {"run_id": run_id, "ran": False}
    # Every transaction of the run is bound to the run's tenant, and only to it.
    async with database.transaction(tenant_id=tenant_id) as session:
        attempt = await service.start_attempt(session, key)
    if attempt is None:
        return {"run_id": run_id, "ran": False}
    with structlog.contextvars.bound_contextvars(run_id=run_id, attempt=attempt.number):
        reporter = Reporter(attempt)
        reporter.start()
        started = time.perf_counter()
        try:
            status = await _run(attempt, reporter)
        except Superseded:
            status = "superseded"
        except Exception as exc:
            if _transient(exc):
                raise  # the sweeper runs it again once the heartbeat is silent
            log.error("matching_run.crashed", exc_info=exc)
            await reporter.stop()
            async with database.transaction(tenant_id=tenant_id) as session:
                failed = await service.fail(session, attempt, service.INTERNAL_ERROR)
            status = service.FAILED if failed else "superseded"
        finally:
            await reporter.stop()
            # A computation still going (this job was cancelled: the worker is stopping) stops
            # at its next report instead of running on in its thread for nothing.
            reporter.superseded = True
        seconds = round(time.perf_counter() - started, 2)
        log.info("matching_run.finished", status=status, seconds=seconds)
        return {"run_id": run_id, "ran": True, "status": status}


async def _run(attempt: Attempt, reporter: Reporter) -> str:
    started = time.perf_counter()
    async with database.session(readonly=True, tenant_id=attempt.tenant_id) as session:
        people = await service.load_cohort(session, attempt)
    if people is None:
        await reporter.stop()
        async with database.transaction(tenant_id=attempt.tenant_id) as session:
            failed = await service.fail(session, attempt, service.PROGRAM_GONE)
        return service.FAILED if failed else "superseded"
    loaded = time.perf_counter()
    log.info(
        "matching_run.loaded",
        mentees=len(people.mentees),
        mentors=len(people.mentors),
        seconds=round(loaded - started, 2),
    )
    outcome = await asyncio.to_thread(
        cohort.compute,
        people.mentees,
        people.mentors,
        attempt.mode,  # type: ignore[arg-type]  # one of the modes: the body allowed no other
        attempt.weights,
        as_of=datetime.now(UTC),
        program_id=attempt.program_id,
        existing=people.existing,
        processes=PROCESSES if len(people.mentees) >= PARALLEL_FROM_MENTEES else 1,
        progress=reporter.report,
    )
    computed = time.perf_counter()
    log.info("matching_run.computed", seconds=round(computed - loaded, 2), **outcome.stats)
    rows = [
        AssignmentRow(
            position, pair.mentee_id, pair.mentor_id, pair.score, pair.factors, pair.reasons
        )
        for position, pair in enumerate(outcome.pairs)
    ]
    # From here on the batches write progress and the heartbeat themselves: one writer of the
    # run's row at a time.
    await reporter.stop()
    if reporter.superseded:
        raise Superseded
    await _write_assignments(attempt, rows)
    async with database.transaction(tenant_id=attempt.tenant_id) as session:
        if not await service.succeed(session, attempt, outcome.stats, wrote_any=bool(rows)):
            raise Superseded
    log.info(
        "matching_run.written", rows=len(rows), seconds=round(time.perf_counter() - computed, 2)
    )
    return service.SUCCEEDED


async def _write_assignments(attempt: Attempt, rows: Sequence[AssignmentRow]) -> None:
    for start in range(0, len(rows), WRITE_BATCH):
        batch = rows[start : start + WRITE_BATCH]
        share = cohort.COMPUTE_SHARE + (1 - cohort.COMPUTE_SHARE) * (start + len(batch)) / len(rows)
        async with database.transaction(tenant_id=attempt.tenant_id) as session:
            written = await service.write_assignments(
                session, attempt, batch, first=start == 0, progress=min(share, 0.99)
            )
        if not written:
            raise Superseded


async def sweep_runs(_ctx: dict[str, Any] | None = None) -> int:
    """Queue again the runs whose job was lost or whose worker died; returns how many."""
    async with database.session(readonly=True) as session:
        stale = await service.stale_runs(session)
    queued = 0
    for run_id, tenant_id in stale:
        async with database.transaction(tenant_id=tenant_id) as session:
            revived = await service.revive(session, run_id)
        if revived and await service.wake(run_id):
            queued += 1
    if stale:
        log.info("matching_run.swept", stale=len(stale), queued=queued)
    return queued
