"""The job queues (arq on Redis), kept behind this one module.

Two lanes, each its own arq queue consumed by its own worker, so neither waits behind the other:
`interactive` for work a person is waiting for (an import's start, holds on a deactivation,
webhooks), `bulk` for volume (relaying and delivering the events of a large import, cohort
runs, nightly recomputes). Every job names its lane when it is sent.

Jobs carry ids and small JSON values only (never pickles). Anything that must not be lost is in
PostgreSQL first; a job is only the trigger to act on it.
"""

import json
from enum import StrEnum
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from services.core.settings import get_settings


class Lane(StrEnum):
    INTERACTIVE = "interactive"
    BULK = "bulk"


def queue_name(lane: Lane) -> str:
    settings = get_settings()
    return settings.interactive_queue if lane is Lane.INTERACTIVE else settings.bulk_queue


def json_serializer(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), default=str).encode()


def json_deserializer(raw: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(raw)
    return value


def redis_settings(url: str | None = None) -> RedisSettings:
    settings = RedisSettings.from_dsn(url or get_settings().redis_url)
    settings.conn_timeout = 2
    settings.conn_retries = 0
    return settings


class Queue:
    """A lazily opened pool shared by a process; `enqueue` is the only way jobs are sent."""

    def __init__(self, url: str | None = None) -> None:
        self._url = url
        self._pool: ArqRedis | None = None

    async def pool(self) -> ArqRedis:
        if self._pool is None:
            self._pool = await create_pool(
                redis_settings(self._url),
                job_serializer=json_serializer,
                job_deserializer=json_deserializer,
                default_queue_name=queue_name(Lane.INTERACTIVE),
                retry=0,
            )
        return self._pool

    async def enqueue(
        self, function: str, *args: Any, lane: Lane, job_id: str | None = None
    ) -> bool:
        """Send a job to a lane; False when a job with this id is already queued or kept."""
        pool = await self.pool()
        job = await pool.enqueue_job(function, *args, _job_id=job_id, _queue_name=queue_name(lane))
        return job is not None

    async def length(self, lane: Lane) -> int:
        """Jobs waiting in a lane (for operators and benchmarks)."""
        pool = await self.pool()
        return int(await pool.zcard(queue_name(lane)))

    async def queued_job_ids(self, lane: Lane) -> set[str]:
        pool = await self.pool()
        jobs = await pool.queued_jobs(queue_name=queue_name(lane))
        return {job.job_id for job in jobs if job.job_id is not None}

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
        self._pool = None


queue = Queue()
