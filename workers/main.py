"""The arq workers: one per lane (see `services.core.queue`), each on its own queue, so an
import's start never waits behind 100,000 events being delivered. Every job body lives with its
owner (`tasks.py`); this module only wires them to queues and the cron, and refuses to run on a
Redis that could evict jobs.

`mentorship worker` runs both lanes in one process; `--lane` runs one (a process per lane, as
`make run` and the Procfile do, keeps bulk work off the interactive worker's CPU).
"""

import asyncio
import contextlib
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

from arq import cron, func
from arq.cron import CronJob
from arq.typing import WorkerCoroutine
from arq.worker import Function, Worker
from redis.asyncio import Redis

from services.core.db import database
from services.core.logging import configure_logging, get_logger
from services.core.outbox import RELAY_JOB
from services.core.outbox.tasks import (
    DELIVER_JOB,
    deliver_events,
    purge_outbox,
    relay_outbox,
    sweep_outbox,
)
from services.core.queue import (
    Lane,
    json_deserializer,
    json_serializer,
    queue,
    queue_name,
    redis_settings,
)
from services.core.tasks import purge_idempotency_keys
from services.core.user_state import user_states
from services.matching import RUN_JOB
from services.matching.tasks import JOB_TIMEOUT_SECONDS as RUN_TIMEOUT_SECONDS
from services.matching.tasks import run_cohort, sweep_runs
from services.profiles.imports import IMPORT_JOB
from services.profiles.imports.tasks import JOB_TIMEOUT_SECONDS, run_import, sweep_imports
from services.progress.tasks import (
    HEALTH_JOB,
    INACTIVITY_JOB,
    MEETING_REMINDERS_JOB,
    REQUEST_EVALUATIONS_JOB,
    nightly_health,
    remind_meetings,
    request_evaluations,
    sweep_inactivity,
)
from services.proposals.tasks import SWEEP_JOB, sweep_requests
from workers.subscriptions import collect

log = get_logger(__name__)
# How long a stopping worker lets its running jobs finish: well inside the 30 s a container
# platform waits between SIGTERM and SIGKILL.
STOP_GRACE_SECONDS: Final = 10

collect()  # every service's event handlers, before any delivery runs


class UnsafeRedis(RuntimeError):
    pass


async def check_redis_keeps_jobs(redis: Redis) -> None:
    """A queue on a Redis that may evict keys loses jobs silently under memory pressure."""
    info = await redis.info("memory")
    policy = str(info.get("maxmemory_policy", ""))
    if policy != "noeviction":
        raise UnsafeRedis(
            f"Redis maxmemory-policy is {policy!r}; jobs could be evicted. "
            "Set `maxmemory-policy noeviction` on this Redis."
        )


def _job(function: Callable[..., Any]) -> WorkerCoroutine:
    # arq types a job as taking any arguments; ours name theirs.
    return cast(WorkerCoroutine, function)


# Every lane's worker knows every job, so a job sent to the other lane still runs.
FUNCTIONS: list[Function] = [
    func(_job(relay_outbox), name=RELAY_JOB, keep_result=0),
    func(_job(deliver_events), name=DELIVER_JOB, keep_result=0),
    func(_job(run_import), name=IMPORT_JOB, keep_result=0, timeout=JOB_TIMEOUT_SECONDS),
    # Cohort runs go to the bulk lane (services.matching.runs.service.wake).
    func(_job(run_cohort), name=RUN_JOB, keep_result=0, timeout=RUN_TIMEOUT_SECONDS),
    # On the cron below; also queued by name (with a moment to act as of) by operators and tests.
    func(_job(sweep_requests), name=SWEEP_JOB, keep_result=0),
    func(_job(nightly_health), name=HEALTH_JOB, keep_result=0, timeout=1800),
    func(_job(sweep_inactivity), name=INACTIVITY_JOB, keep_result=0),
    func(_job(remind_meetings), name=MEETING_REMINDERS_JOB, keep_result=0),
    func(_job(request_evaluations), name=REQUEST_EVALUATIONS_JOB, keep_result=0),
]


@dataclass(frozen=True)
class LaneSettings:
    cron_jobs: list[CronJob]
    max_jobs: int


LANES: dict[Lane, LaneSettings] = {
    Lane.INTERACTIVE: LaneSettings(
        # The sweepers only find work and queue it on its lane: quick, and never delayed by a
        # bulk backlog, so a retry of interactive work is not either.
        cron_jobs=[
            cron(
                _job(sweep_outbox),
                name="platform.sweep_outbox",
                second=set(range(0, 60, 10)),
                unique=True,
            ),
            cron(_job(sweep_imports), name="profiles.sweep_imports", second={15, 45}, unique=True),
            cron(_job(sweep_runs), name="matching.sweep_runs", second={5, 35}, unique=True),
        ],
        max_jobs=20,
    ),
    Lane.BULK: LaneSettings(
        cron_jobs=[
            cron(
                _job(purge_idempotency_keys),
                name="platform.purge_idempotency_keys",
                minute=17,
                second=0,
                unique=True,
            ),
            cron(
                _job(purge_outbox),
                name="platform.purge_outbox",
                minute=17,
                second=30,
                unique=True,
            ),
            # Expiry and reminders: volume work (a cohort's requests fall due together), and
            # a minute late is on time for either.
            cron(_job(sweep_requests), name=SWEEP_JOB, second=50, unique=True),
            # Periods are whole days: asking within a quarter of an hour of one's start is on
            # time, and most runs find nobody due.
            cron(
                _job(request_evaluations),
                name=REQUEST_EVALUATIONS_JOB,
                minute={2, 17, 32, 47},
                second=40,
                unique=True,
            ),
            cron(_job(sweep_inactivity), name=INACTIVITY_JOB, minute=41, second=20, unique=True),
            cron(
                _job(remind_meetings),
                name=MEETING_REMINDERS_JOB,
                minute=set(range(1, 60, 5)),
                second=10,
                unique=True,
            ),
            # Nightly: time alone raises health flags (a silence grows, an evaluation falls due).
            cron(
                _job(nightly_health),
                name=HEALTH_JOB,
                hour=3,
                minute=30,
                second=0,
                unique=True,
                timeout=1800,
            ),
        ],
        # Bulk jobs share the database with interactive ones; a few at a time keep it busy
        # without taking every connection (the pool holds 30 per process by default).
        max_jobs=8,
    ),
}


async def startup(ctx: dict[str, Any]) -> None:
    await check_redis_keeps_jobs(ctx["redis"])
    log.info("worker.started", queue=ctx.get("queue_name"))


async def shutdown() -> None:
    await queue.close()
    await user_states.close()
    await database.dispose()


def create_worker(lane: Lane, **overrides: Any) -> Worker:
    name = queue_name(lane)
    options: dict[str, Any] = {
        "functions": FUNCTIONS,
        "cron_jobs": LANES[lane].cron_jobs,
        "max_jobs": LANES[lane].max_jobs,
        "queue_name": name,
        "redis_settings": redis_settings(),
        "job_serializer": json_serializer,
        "job_deserializer": json_deserializer,
        "job_timeout": 300,
        "on_startup": startup,
        "ctx": {"queue_name": name},
        **overrides,
    }
    return Worker(**options)


async def serve(lanes: Sequence[Lane]) -> None:
    """Run a worker per lane until SIGINT/SIGTERM, or until one of them stops on an error."""
    workers = [create_worker(lane, handle_signals=False) for lane in lanes]
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    running: list[asyncio.Task[None]] = []
    for worker in workers:
        worker.main_task = asyncio.ensure_future(worker.main())  # what arq cancels on close
        running.append(worker.main_task)
    stop = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait([stop, *running], return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
        await _stop(workers, running)
        await shutdown()
    for task in running:
        if task.done() and not task.cancelled():
            task.result()  # a worker that stopped on its own says why


async def _stop(workers: Sequence[Worker], running: Sequence[asyncio.Task[None]]) -> None:
    """Take no new job, give the jobs in flight `STOP_GRACE_SECONDS` to finish, then cancel the
    rest. Every job is idempotent and its state is in PostgreSQL, so a cancelled one is simply
    run again (its retry, or a sweeper); an import continues from its last committed batch."""
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)
    in_flight = [job for worker in workers for job in worker.tasks.values() if not job.done()]
    if in_flight:
        await asyncio.wait(in_flight, timeout=STOP_GRACE_SECONDS)
    for worker in workers:
        # arq's close cancels what still runs and then awaits it, which re-raises the
        # cancellation: that is the expected end of such a job, not a failure of the stop.
        with contextlib.suppress(asyncio.CancelledError):
            await worker.close()


def run_worker(lanes: Sequence[Lane] = tuple(Lane)) -> None:
    configure_logging()
    asyncio.run(serve(lanes))
