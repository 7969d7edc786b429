"""The bulk import job (`profiles.run_import`) and its sweeper, both on the interactive lane:
someone is waiting for the import to start, however many events other imports left to relay.

A run reads the stored file, skips the rows an earlier run already committed (`done`), and
writes the rest in batches of 2,000 rows, one transaction each; each batch moves `done` in the
same transaction as its writes, so a crash loses at most the batch in flight and the next run
continues after the last committed one. Checking the next batch (the CPU-heavy part: parsing,
validation, the skill rules) overlaps with writing the previous one: in other processes for a
large file, interleaved on the event loop for a small one.

At-least-once is safe: a batch applies only if the import is still where the run expects it
(the import row is locked for the check), so two runs of one import take turns instead of
writing a row twice, and a finished import is left alone.

If the wake-up was lost (Redis down when the import was accepted, or a worker died mid-run),
`sweep_imports`, on the cron, queues imports that stay queued for a minute or running without
progress for five.
"""

import asyncio
import multiprocessing
import os
import time
import uuid
from collections import deque
from collections.abc import AsyncGenerator, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import Any, Final

import structlog
from sqlalchemy.exc import DBAPIError

from services.core.db import database
from services.core.logging import get_logger
from services.core.queue import Lane, queue
from services.profiles.imports import IMPORT_JOB, import_job_id, repository, service
from services.profiles.imports.formats import FileError, ImportFile, RowParser, open_file
from services.profiles.imports.people import Outcome, check_all

log = get_logger(__name__)

# Rows per transaction: large enough that per-statement costs vanish next to the rows (2,000
# imported ~10 % faster than 1,000), small enough that a batch commits in well under a second,
# holds few locks, and progress moves visibly.
BATCH_SIZE: Final = 2000
# From this many rows on, checking runs in other processes (starting one costs ~1 s).
PARALLEL_FROM_ROWS: Final = 5000
# Processes that check rows; one core is left to this process and PostgreSQL.
CHECKERS: Final = max(1, min(4, (os.cpu_count() or 2) - 1))
# Statistics are refreshed once this many rows are written, and at the end of a run that wrote
# a quarter as many (see repository.refresh_statistics).
ANALYZE_AFTER_ROWS: Final = 20_000
# Rows checked between two turns of the event loop (~10 ms of work).
CHECK_SLICE: Final = 40
# A run of a very large file outlives the worker's default job timeout (300 s); register with this.
JOB_TIMEOUT_SECONDS: Final = 3600


def _chunks(file: ImportFile, skip: int, size: int) -> Iterator[list[tuple[int, Any]]]:
    rows = islice(file.rows(), skip, None)
    while chunk := list(islice(rows, size)):
        yield chunk


async def _check(parser: RowParser, chunk: list[tuple[int, Any]]) -> list[Outcome]:
    """Check a batch a slice at a time, yielding to the event loop in between: the previous
    batch's statements move on meanwhile, so PostgreSQL writes while Python checks. (A thread
    would not help: checking holds the GIL, and every socket call of the writer would then
    wait out the interpreter's switch interval.)"""
    outcomes: list[Outcome] = []
    for start in range(0, len(chunk), CHECK_SLICE):
        outcomes += check_all(parser, chunk[start : start + CHECK_SLICE])
        await asyncio.sleep(0)
    return outcomes


async def _checked_batches(
    file: ImportFile, skip: int, size: int, remaining: int
) -> AsyncGenerator[list[Outcome], None]:
    """The file's batches after `skip` rows, checked, in order. A large import is checked in
    other processes while this one writes: checking is most of an import's CPU time."""
    chunks = _chunks(file, skip, size)
    if remaining < PARALLEL_FROM_ROWS:
        for chunk in chunks:
            yield await _check(file.parser, chunk)
        return
    loop = asyncio.get_running_loop()
    # spawn, not fork: the parent holds sockets, an event loop and maybe threads.
    pool = ProcessPoolExecutor(CHECKERS, mp_context=multiprocessing.get_context("spawn"))
    pending: deque[asyncio.Future[list[Outcome]]] = deque()
    try:
        for chunk in chunks:
            pending.append(loop.run_in_executor(pool, check_all, file.parser, chunk))
            if len(pending) > CHECKERS:  # a batch ahead per checker, no more: memory stays flat
                yield await pending.popleft()
        while pending:
            yield await pending.popleft()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


async def run_import(
    _ctx: dict[str, Any] | None, import_id: str, *, batch_size: int = BATCH_SIZE
) -> dict[str, Any]:
    """Run (or continue) one import; returns its outcome for the job log."""
    key = uuid.UUID(import_id)
    async with database.session(readonly=True) as session:
        tenant_id = await service.tenant_of_import(session, key)
    if tenant_id is None:
        return {"import_id": import_id, "ran": False}
    # Every transaction of the run is bound to the import's tenant, and only to it.
    async with database.transaction(tenant_id=tenant_id) as session:
        run = await service.start_run(session, key)
    if run is None:
        return {"import_id": import_id, "ran": False}
    with structlog.contextvars.bound_contextvars(import_id=import_id):
        started = time.perf_counter()
        try:
            file = open_file(run.format, run.source)
        except FileError as exc:
            async with database.transaction(tenant_id=tenant_id) as session:
                await service.fail_run(session, key, None, str(exc))
            return {"import_id": import_id, "ran": True, "status": service.FAILED}
        log.info("import.started", total=run.total, resume_at=run.done)
        try:
            result = await _run_batches(run, file, batch_size)
        except Exception as exc:
            if isinstance(exc, DBAPIError) and service.is_transient(exc):
                raise  # the sweeper, or arq's own retry, runs it again from `done`
            # Anything else would fail again on every retry: stop, and say so.
            log.error("import.crashed", exc_info=exc)
            async with database.transaction(tenant_id=tenant_id) as session:
                await service.fail_run(
                    session, key, None, "the import stopped on an internal error; it was logged"
                )
            return {"import_id": import_id, "ran": True, "status": service.FAILED}
        seconds = time.perf_counter() - started
        log.info("import.finished", seconds=round(seconds, 2), **result)
        return {"import_id": import_id, "ran": True, **result}


async def _run_batches(run: service.Run, file: ImportFile, batch_size: int) -> dict[str, Any]:
    position = run.done
    counts = {"created": 0, "updated": 0, "failed": 0}
    writing: asyncio.Task[service.BatchResult] | None = None
    size = 0
    analyzed_at = run.done

    async def written() -> bool:
        nonlocal position, analyzed_at
        assert writing is not None
        result = await writing
        if not result.applied:
            log.info("import.superseded", position=position)
            return False
        position += size
        counts["created"] += result.created
        counts["updated"] += result.updated
        counts["failed"] += result.failed
        if analyzed_at == run.done and position - run.done >= ANALYZE_AFTER_ROWS:
            # Once, and only the users: the plans for the rest of this run are fixed.
            await _refresh_statistics(profiles=False)
            analyzed_at = position
        return True

    batches = _checked_batches(file, run.done, batch_size, run.total - run.done)
    try:
        async for outcomes in batches:
            if writing is not None and not await written():
                return {"status": "superseded", **counts}
            # At most one batch is written at a time; it starts where the last one ended.
            writing = asyncio.ensure_future(_apply(run, position, outcomes))
            size = len(outcomes)
        if writing is not None and not await written():
            return {"status": "superseded", **counts}
    finally:
        await batches.aclose()
        if writing is not None and not writing.done():
            writing.cancel()
    async with database.transaction(tenant_id=run.tenant_id) as session:
        finished = await service.finish_run(session, run, position)
    if position - run.done >= ANALYZE_AFTER_ROWS // 4:
        # After the import is reported done: for what comes next, mentor search above all.
        await _refresh_statistics(profiles=True)
    return {"status": service.SUCCEEDED if finished else "superseded", **counts}


async def _refresh_statistics(*, profiles: bool) -> None:
    try:
        async with database.transaction(all_tenants=True) as session:
            await repository.refresh_statistics(session, profiles=profiles)
    except DBAPIError as exc:  # e.g. a role without the right to ANALYZE: only slower plans
        log.warning("import.analyze_failed", error=type(exc.orig).__name__)


async def _apply(run: service.Run, position: int, outcomes: list[Outcome]) -> service.BatchResult:
    try:
        async with database.transaction(tenant_id=run.tenant_id) as session:
            return await service.apply_batch(session, run, position, outcomes)
    except DBAPIError as exc:
        if service.is_transient(exc):
            raise
        # One row the checks let through but the database refuses must not cost the others.
        log.warning("import.batch_refused", position=position, error=type(exc.orig).__name__)
    async with database.transaction(tenant_id=run.tenant_id) as session:
        return await service.apply_batch(session, run, position, outcomes, one_by_one=True)


async def sweep_imports(_ctx: dict[str, Any] | None = None) -> int:
    """Queue imports whose job was lost; returns how many were queued again."""
    async with database.session(readonly=True) as session:
        stale = await repository.stale_imports(session, **service.stale_cutoffs())
    queued = 0
    for import_id in stale:
        job_id = import_job_id(import_id)
        if await queue.enqueue(IMPORT_JOB, str(import_id), lane=Lane.INTERACTIVE, job_id=job_id):
            queued += 1
    if queued:
        log.info("import.swept", queued=queued)
    return queued
