"""The outbox: events are rows in the writer's transaction, relayed to the queue by a worker;
nothing is lost while Redis is down."""

import socket
import uuid

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import select

from services.core.db import database
from services.core.outbox import OutboxEvent
from services.core.queue import Queue
from services.core.settings import get_settings
from tests.conftest import TenantFactory, burst_worker
from workers import outbox as relay


async def _events(tenant_id: uuid.UUID) -> list[OutboxEvent]:
    async with database.session(readonly=True, tenant_id=tenant_id) as session:
        rows = await session.scalars(
            select(OutboxEvent).where(OutboxEvent.tenant_id == tenant_id).order_by(OutboxEvent.seq)
        )
        return list(rows)


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


async def test_events_wait_out_a_redis_outage_then_relay(make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()  # writes tenant.created and user.created
    dead = Queue(_dead_redis_url())
    with pytest.raises(RedisConnectionError):
        await relay.relay_pending(dead)
    await dead.close()
    waiting = await _events(tenant.id)
    assert {e.event_type for e in waiting} >= {"tenant.created", "user.created"}
    assert all(e.relayed_at is None for e in waiting)

    live = Queue()
    try:
        relayed = 0
        while (count := await relay.relay_pending(live)) > 0:
            relayed += count
        assert relayed >= len(waiting)
        pool = await live.pool()
        queued = {
            job.job_id for job in await pool.queued_jobs(queue_name=get_settings().queue_name)
        }
    finally:
        await live.close()
    after = await _events(tenant.id)
    assert all(e.relayed_at is not None for e in after)
    assert {relay.dispatch_job_id(e.id) for e in after} <= queued

    # Relaying again sends nothing twice.
    again = Queue()
    try:
        assert await relay.relay_pending(again) == 0
    finally:
        await again.close()


async def test_dispatch_runs_handlers_once(make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    [created] = [e for e in await _events(tenant.id) if e.event_type == "tenant.created"]
    seen: list[uuid.UUID] = []

    async def handler(_session, event: OutboxEvent) -> None:
        seen.append(event.id)

    relay.HANDLERS["tenant.created"] = [handler]
    try:
        assert await relay.dispatch_event({}, str(created.id)) is True
        assert await relay.dispatch_event({}, str(created.id)) is False
    finally:
        relay.HANDLERS.pop("tenant.created")
    assert seen == [created.id]
    [after] = [e for e in await _events(tenant.id) if e.id == created.id]
    assert after.dispatched_at is not None


async def test_sweeper_redispatches_events_whose_job_was_lost(make_tenant: TenantFactory) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from services.core.models import utcnow

    tenant = await make_tenant()
    long_ago = utcnow() - timedelta(hours=1)
    async with database.transaction(tenant_id=tenant.id) as session:
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.tenant_id == tenant.id)
            .values(relayed_at=long_ago)
        )
    result = await relay.sweep_outbox({})
    assert result["reopened"] >= 2
    assert all(
        e.relayed_at is not None and e.relayed_at > long_ago for e in await _events(tenant.id)
    )


async def test_burst_worker_relays_and_dispatches(
    committing_client, make_tenant: TenantFactory
) -> None:
    """A real worker on the test queue: the request's commit wakes the relay; the relay's jobs
    dispatch the events."""
    tenant = await make_tenant()
    response = await committing_client.post(
        "/v1/programs", json={"name": "Worker cohort"}, headers=await tenant.admin_headers()
    )
    assert response.status_code == 201
    worker = burst_worker()
    try:
        await worker.main()
        # The relay job enqueued dispatch jobs; a second burst runs them.
        await worker.main()
    finally:
        await worker.close()
    events = await _events(tenant.id)
    assert "program.created" in {e.event_type for e in events}
    assert all(e.dispatched_at is not None for e in events)
