"""The arq worker: every job, the cron schedule, and a refusal to run on a Redis that could
evict jobs."""

from collections.abc import Callable
from typing import Any, cast

from arq import cron, func
from arq.typing import WorkerCoroutine
from arq.worker import run_worker as arq_run_worker
from redis.asyncio import Redis

from services.core.db import database
from services.core.idempotency import purge_expired
from services.core.logging import configure_logging, get_logger
from services.core.outbox import RELAY_JOB
from services.core.queue import json_deserializer, json_serializer, queue, redis_settings
from services.core.settings import get_settings
from services.core.user_state import user_states
from services.profiles.imports import IMPORT_JOB
from workers import subscriptions  # noqa: F401 - registers the event handlers
from workers.imports import JOB_TIMEOUT_SECONDS, run_import, sweep_imports
from workers.outbox import DISPATCH_JOB, dispatch_event, relay_outbox, sweep_outbox

log = get_logger(__name__)


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


async def startup(ctx: dict[str, Any]) -> None:
    configure_logging()
    await check_redis_keeps_jobs(ctx["redis"])
    log.info("worker.started", queue=get_settings().queue_name)


async def shutdown(_ctx: dict[str, Any]) -> None:
    await queue.close()
    await user_states.close()
    await database.dispose()


async def purge_idempotency_keys(_ctx: dict[str, Any]) -> int:
    async with database.transaction() as session:
        return await purge_expired(session)


def _job(function: Callable[..., Any]) -> WorkerCoroutine:
    # arq types a job as taking any arguments; ours name theirs.
    return cast(WorkerCoroutine, function)


class WorkerSettings:
    functions = [  # noqa: RUF012 - arq reads these as class attributes
        func(_job(relay_outbox), name=RELAY_JOB, keep_result=0),
        func(_job(dispatch_event), name=DISPATCH_JOB, keep_result=0, max_tries=10),
        func(_job(run_import), name=IMPORT_JOB, keep_result=0, timeout=JOB_TIMEOUT_SECONDS),
    ]
    cron_jobs = [  # noqa: RUF012
        cron(_job(sweep_outbox), name="platform.sweep_outbox", second={0, 30}, unique=True),
        cron(_job(sweep_imports), name="profiles.sweep_imports", second={15, 45}, unique=True),
        cron(
            _job(purge_idempotency_keys),
            name="platform.purge_idempotency_keys",
            minute=17,
            second=0,
        ),
    ]
    on_startup = startup
    on_shutdown = shutdown
    job_serializer = staticmethod(json_serializer)
    job_deserializer = staticmethod(json_deserializer)
    max_jobs = 20
    job_timeout = 300


def worker_options() -> dict[str, Any]:
    settings = get_settings()
    return {"redis_settings": redis_settings(), "queue_name": settings.queue_name}


def run_worker() -> None:
    configure_logging()
    arq_run_worker(WorkerSettings, **worker_options())  # type: ignore[arg-type]
