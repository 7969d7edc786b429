"""The outbox: events are rows in the writer's transaction; each subscriber gets each event once,
on the event's lane, retried alone when it fails and parked after the last try; nothing is lost
while Redis is down, and bulk work never holds up interactive work."""

import asyncio
import os
import socket
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import select

from api.gateway import Gateway
from services.core.db import database
from services.core.models import utcnow
from services.core.outbox import (
    RELAY_JOB,
    SUBSCRIBERS,
    Delivery,
    Handler,
    OutboxEvent,
    Subscriber,
    emit,
    emit_many,
)
from services.core.outbox import tasks as outbox
from services.core.queue import Lane, Queue, queue_name
from services.core.settings import get_settings
from tests.conftest import TenantFactory, burst_worker, drain, http_client

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def subscribed(name: str, *event_types: str, handle: Handler) -> Iterator[None]:
    SUBSCRIBERS.add(Subscriber(name, frozenset(event_types), handle))
    try:
        yield
    finally:
        SUBSCRIBERS.remove(name)


async def _events(tenant_id: uuid.UUID) -> list[OutboxEvent]:
    async with database.session(readonly=True, tenant_id=tenant_id) as session:
        rows = await session.scalars(
            select(OutboxEvent).where(OutboxEvent.tenant_id == tenant_id).order_by(OutboxEvent.seq)
        )
        return list(rows)


async def _deliveries(tenant_id: uuid.UUID, subscriber: str) -> list[Delivery]:
    async with database.session(readonly=True, tenant_id=tenant_id) as session:
        rows = await session.scalars(
            select(Delivery).where(
                Delivery.tenant_id == tenant_id, Delivery.subscriber == subscriber
            )
        )
        return list(rows)


async def _emit(tenant_id: uuid.UUID, event_type: str, **data: object) -> uuid.UUID:
    async with database.transaction(tenant_id=tenant_id) as session:
        event = emit(session, event_type, dict(data), tenant_id=tenant_id)
    return event.id


async def _sweep_later(minutes: int) -> dict[str, int]:
    """The sweeper as it runs `minutes` from now: every backoff and lease has run out."""
    return await outbox.sweep_outbox({}, now=utcnow() + timedelta(minutes=minutes))


async def _metrics(gateway: Gateway) -> str:
    """What Prometheus scrapes from the gateway's metrics port."""
    async with http_client(gateway.metrics) as client:
        return (await client.get("/metrics")).text


def _dead_redis_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


async def test_rolled_back_work_leaves_no_event(
    committing_client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    headers = await tenant.admin_headers()
    before = len(await _events(tenant.id))
    bad = await committing_client.post("/v1/programs", json={"name": ""}, headers=headers)
    assert bad.status_code == 422
    assert len(await _events(tenant.id)) == before
    good = await committing_client.post(
        "/v1/programs", json={"name": "Cohort"}, headers={**headers, "X-Request-ID": "req-77"}
    )
    assert good.status_code == 201
    events = await _events(tenant.id)
    assert [e.event_type for e in events][-1] == "program.created"
    assert events[-1].payload["program_id"] == good.json()["id"]
    assert events[-1].request_id == "req-77"  # its jobs log under the request that caused it
    assert events[-1].lane == Lane.INTERACTIVE  # someone is waiting for what it causes


async def test_interactive_worker_delivers_a_requests_events(
    committing_client, make_tenant: TenantFactory
) -> None:
    """The request's commit wakes the interactive relay; its jobs deliver the event."""
    tenant = await make_tenant()
    seen: list[str] = []

    async def record(_session, event: OutboxEvent) -> None:
        if event.tenant_id == tenant.id:
            seen.append(event.payload["program_id"])

    with subscribed("test.programs_seen", "program.created", handle=record):
        response = await committing_client.post(
            "/v1/programs", json={"name": "Worker cohort"}, headers=await tenant.admin_headers()
        )
        assert response.status_code == 201
        await drain(Lane.INTERACTIVE)
    assert seen == [response.json()["id"]]
    [delivery] = await _deliveries(tenant.id, "test.programs_seen")
    assert delivery.delivered_at is not None and delivery.attempts == 1
    assert all(e.relayed_at is not None for e in await _events(tenant.id))


async def test_events_wait_out_a_redis_outage_then_arrive_once(
    make_tenant: TenantFactory,
) -> None:
    tenant = await make_tenant()  # writes tenant.created
    seen: Counter[uuid.UUID] = Counter()

    async def record(_session, event: OutboxEvent) -> None:
        if event.tenant_id == tenant.id:
            seen[event.id] += 1

    with subscribed("test.tenants_seen", "tenant.created", handle=record):
        dead = Queue(_dead_redis_url())
        with pytest.raises(RedisConnectionError):
            while await outbox.relay_pending(Lane.INTERACTIVE, dead) > 0:
                pass
        await dead.close()
        [waiting] = await _deliveries(tenant.id, "test.tenants_seen")
        # Recorded, not sent: due now, and the try that could not be sent is not counted.
        assert waiting.delivered_at is None and waiting.attempts == 0
        assert waiting.next_attempt_at <= utcnow()

        assert (await outbox.sweep_outbox({}))["resent"] >= 1
        await drain(Lane.INTERACTIVE)
        await _sweep_later(30)  # sending again later delivers nothing twice
        await drain(Lane.INTERACTIVE)
    [created] = [e for e in await _events(tenant.id) if e.event_type == "tenant.created"]
    assert seen == {created.id: 1}


async def test_a_failing_subscriber_is_retried_alone(make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    steady: Counter[uuid.UUID] = Counter()
    failures = 2

    async def count(_session, event: OutboxEvent) -> None:
        if event.tenant_id == tenant.id:
            steady[event.id] += 1

    async def flaky(_session, event: OutboxEvent) -> None:
        nonlocal failures
        if event.tenant_id == tenant.id and failures:
            failures -= 1
            raise RuntimeError("the peer is down")

    with (
        subscribed("test.steady", "test.happened", handle=count),
        subscribed("test.flaky", "test.happened", handle=flaky),
    ):
        event_id = await _emit(tenant.id, "test.happened", n=1)
        await drain(Lane.INTERACTIVE)
        [failed] = await _deliveries(tenant.id, "test.flaky")
        assert failed.delivered_at is None and failed.attempts == 1
        assert failed.last_error == "RuntimeError: the peer is down"
        # Not before its backoff: the sweeper now sends nothing of it.
        assert failed.next_attempt_at >= utcnow() + timedelta(seconds=5)
        await outbox.sweep_outbox({})
        await drain(Lane.INTERACTIVE)
        assert (await _deliveries(tenant.id, "test.flaky"))[0].attempts == 1
        for minutes in (1, 2):
            await _sweep_later(minutes)
            await drain(Lane.INTERACTIVE)
    [done] = await _deliveries(tenant.id, "test.flaky")
    assert done.delivered_at is not None and done.attempts == 3 and done.last_error is None
    assert steady == {event_id: 1}  # the other subscriber ran once, not once per retry
    [steady_delivery] = await _deliveries(tenant.id, "test.steady")
    assert steady_delivery.attempts == 1


async def test_a_poisoned_event_is_parked_counted_listed_and_sent_again(
    gateway: Gateway, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    fixed = False
    delivered: list[uuid.UUID] = []

    async def poisoned(_session, event: OutboxEvent) -> None:
        if event.tenant_id != tenant.id:
            return
        if not fixed:
            raise ValueError(f"cannot digest {event.payload['dish']}")
        delivered.append(event.id)

    with subscribed("test.poisoned", "test.served", handle=poisoned):
        event_id = await _emit(tenant.id, "test.served", dish="gravel")
        await drain(Lane.INTERACTIVE)
        for minutes in range(1, get_settings().outbox_max_attempts + 2):
            await _sweep_later(minutes * 20)
            await drain(Lane.INTERACTIVE)
        [parked] = await _deliveries(tenant.id, "test.poisoned")
        assert parked.parked_at is not None and parked.delivered_at is None
        assert parked.attempts == get_settings().outbox_max_attempts
        assert parked.last_error == "ValueError: cannot digest gravel"
        # Never sent again by the sweeper, however late.
        await _sweep_later(24 * 60)
        await drain(Lane.INTERACTIVE)
        assert (await _deliveries(tenant.id, "test.poisoned"))[0].attempts == parked.attempts

        metrics = await _metrics(gateway)
        assert 'mentorship_outbox_parked_deliveries{subscriber="test.poisoned"} 1.0' in metrics

        listed = await asyncio.to_thread(
            _cli, "outbox", "parked", "--tenant", tenant.slug, "--json"
        )
        assert listed.returncode == 0, listed.stderr
        assert '"subscriber": "test.poisoned"' in listed.stdout
        assert f'"event_id": "{event_id}"' in listed.stdout
        assert "cannot digest gravel" in listed.stdout
        table = await asyncio.to_thread(_cli, "outbox", "parked", "--tenant", tenant.slug)
        assert "test.poisoned" in table.stdout and "test.served" in table.stdout

        fixed = True
        retried = await asyncio.to_thread(_cli, "outbox", "retry", "--tenant", tenant.slug)
        assert retried.returncode == 0, retried.stderr
        assert "1 parked deliveries sent again" in retried.stdout
        await drain(Lane.INTERACTIVE)
    assert delivered == [event_id]
    [done] = await _deliveries(tenant.id, "test.poisoned")
    assert done.delivered_at is not None and done.parked_at is None
    metrics = await _metrics(gateway)
    assert 'subscriber="test.poisoned"' not in metrics


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deploy.cli", *args],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_bulk_events_are_delivered_in_batches_on_the_bulk_lane(
    make_tenant: TenantFactory,
) -> None:
    tenant = await make_tenant()
    seen: Counter[int] = Counter()

    async def count(_session, event: OutboxEvent) -> None:
        if event.tenant_id == tenant.id:
            seen[event.payload["n"]] += 1

    with subscribed("test.bulk_counter", "test.imported", handle=count):
        async with database.transaction(tenant_id=tenant.id) as session:
            await emit_many(
                session, [("test.imported", {"n": n}) for n in range(1200)], tenant_id=tenant.id
            )
        probe = Queue()
        try:
            interactive_before = await probe.length(Lane.INTERACTIVE)
            while await outbox.relay_pending(Lane.BULK) > 0:
                pass
            pool = await probe.pool()
            jobs = [
                job
                for job in await pool.queued_jobs(queue_name=queue_name(Lane.BULK))
                if job.function == outbox.DELIVER_JOB and job.args[0] == "test.bulk_counter"
            ]
            # One job per 500 events, not one per event; none of it on the interactive lane.
            assert sorted(len(job.args[2]) for job in jobs) == [200, 500, 500]
            assert await probe.length(Lane.INTERACTIVE) == interactive_before
        finally:
            await probe.close()
        await drain(Lane.BULK)
    assert seen == dict.fromkeys(range(1200), 1)


async def test_a_delivery_whose_job_was_lost_is_sent_again(
    redis: Redis, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    seen: list[uuid.UUID] = []

    async def record(_session, event: OutboxEvent) -> None:
        if event.tenant_id == tenant.id:
            seen.append(event.id)

    with subscribed("test.lost_and_found", "test.sent", handle=record):
        event_id = await _emit(tenant.id, "test.sent")
        while await outbox.relay_pending(Lane.INTERACTIVE) > 0:
            pass
        await redis.delete(queue_name(Lane.INTERACTIVE))  # Redis lost every queued job
        await outbox.sweep_outbox({})  # within its lease: still left alone
        await drain(Lane.INTERACTIVE)
        assert seen == []
        await _sweep_later(11)
        await drain(Lane.INTERACTIVE)
    assert seen == [event_id]
    [delivery] = await _deliveries(tenant.id, "test.lost_and_found")
    assert delivery.attempts == 2


async def test_an_import_starts_while_the_bulk_lane_holds_thousands_of_jobs(
    committing_client, redis: Redis, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    bulk = Queue()
    try:
        for _ in range(3000):
            await bulk.enqueue(RELAY_JOB, Lane.BULK.value, lane=Lane.BULK)
        started = utcnow()
        accepted = await committing_client.post(
            "/v1/admin/imports",
            content=b'{"email": "ada@example.com", "display_name": "Ada"}\n',
            headers={**admin, "Content-Type": "application/x-ndjson"},
        )
        assert accepted.status_code == 202
        worker = burst_worker(Lane.INTERACTIVE)
        try:
            await worker.main()
        finally:
            await worker.close()
        report = await committing_client.get(
            f"/v1/admin/imports/{accepted.json()['id']}", headers=admin
        )
        assert report.json()["status"] == "succeeded"
        assert utcnow() - started < timedelta(seconds=10)
        # Not one of them ran first (the import's own events joined the queue behind them).
        assert await bulk.length(Lane.BULK) >= 3000
    finally:
        ids = await bulk.queued_job_ids(Lane.BULK)
        await redis.delete(queue_name(Lane.BULK), *(f"arq:job:{job_id}" for job_id in ids))
        await bulk.close()


@dataclass
class WorkerProcess:
    process: subprocess.Popen[str]
    stderr: str = ""


@asynccontextmanager
async def worker_process() -> AsyncIterator[WorkerProcess]:
    """`python -m workers` as deployed (both lanes), sent SIGTERM on the way out."""
    process = subprocess.Popen(  # noqa: ASYNC220 - starting it is instant
        [sys.executable, "-m", "workers"],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "INFO"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    worker = WorkerProcess(process)
    try:
        yield worker
    finally:
        process.terminate()
        _, worker.stderr = await asyncio.to_thread(process.communicate, timeout=30)


async def _post_import(client: httpx.AsyncClient, admin: dict[str, str], lines: bytes) -> str:
    accepted = await client.post(
        "/v1/admin/imports",
        content=lines,
        headers={**admin, "Content-Type": "application/x-ndjson"},
    )
    assert accepted.status_code == 202, accepted.text
    return str(accepted.headers["location"])


async def test_one_process_runs_both_lanes_and_stops_on_sigterm(
    committing_client, make_tenant: TenantFactory
) -> None:
    """`mentorship worker` as deployed: both lanes, Redis checked, a clean stop."""
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    async with worker_process() as worker:
        url = await _post_import(
            committing_client, admin, b'{"email": "bo@example.com", "display_name": "Bo"}\n'
        )
        deadline = datetime.now() + timedelta(seconds=30)
        while (await committing_client.get(url, headers=admin)).json()["status"] != "succeeded":
            assert datetime.now() < deadline and worker.process.poll() is None, "not run"
            await asyncio.sleep(0.1)
        async with database.transaction(tenant_id=tenant.id) as session:
            await emit_many(session, [("test.bulk", {})], tenant_id=tenant.id)
        deadline = datetime.now() + timedelta(seconds=30)
        while any(e.relayed_at is None for e in await _events(tenant.id)):
            assert datetime.now() < deadline, "the bulk lane was not relayed"
            await asyncio.sleep(0.1)
    assert worker.process.returncode == 0, worker.stderr
    assert worker.stderr.count('"event": "worker.started"') == 2


async def test_a_worker_stopped_during_an_import_lets_it_finish_and_exits_cleanly(
    committing_client, make_tenant: TenantFactory
) -> None:
    """SIGTERM (a deploy, a scale-down) while a job runs: the job is given a grace period to
    finish (what is still running after it is cancelled), and the process stops cleanly."""
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    people = b"".join(
        b'{"email": "p%d@example.com", "display_name": "P %d"}\n' % (n, n) for n in range(4000)
    )
    async with worker_process() as worker:
        url = await _post_import(committing_client, admin, people)
        deadline = datetime.now() + timedelta(seconds=30)
        while (await committing_client.get(url, headers=admin)).json()["status"] == "queued":
            assert datetime.now() < deadline and worker.process.poll() is None, "not started"
            await asyncio.sleep(0.02)
    assert worker.process.returncode == 0, worker.stderr
    report = (await committing_client.get(url, headers=admin)).json()
    # The import was given its grace period and finished, rather than being cut off mid-run.
    assert (report["status"], report["done"], report["created"]) == ("succeeded", 4000, 4000)


async def test_relaying_events_nobody_subscribes_to_queues_nothing(
    make_tenant: TenantFactory,
) -> None:
    tenant = await make_tenant()
    async with database.transaction(tenant_id=tenant.id) as session:
        await emit_many(
            session, [("test.unheard", {"n": n}) for n in range(50)], tenant_id=tenant.id
        )
    probe = Queue()
    try:
        before = await probe.length(Lane.BULK)
        while await outbox.relay_pending(Lane.BULK) > 0:
            pass
        assert await probe.length(Lane.BULK) == before
    finally:
        await probe.close()
    unheard = [e for e in await _events(tenant.id) if e.event_type == "test.unheard"]
    assert len(unheard) == 50 and all(e.relayed_at is not None for e in unheard)
