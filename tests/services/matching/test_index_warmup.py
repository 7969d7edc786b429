"""The mentor index's warm-up: a process serving matching loads the busiest tenants' indexes
in the background when it starts, so their first recommendation only catches up; a request
for a tenant being loaded waits for that load (never a partial index, never a second load).
Real commits: each test has its own tenant."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from api.gateway import Gateway
from services.core.app import run_lifespan_hooks
from services.core.db import Database, database
from services.core.settings import get_settings
from services.matching.recommendations.index import IndexWarmUp, MentorIndex
from tests.conftest import TenantFactory, http_client
from tests.services.matching.test_recommendations import community

# More than the tenants a test run creates: the test's own tenant is always among them.
EVERY_TENANT = 100_000


@pytest.fixture
async def warming_gateway(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Gateway]:
    """A second process started with warm-up on: its own apps, so its own (cold) index."""
    monkeypatch.setenv("MATCHING_WARM_TENANTS", str(EVERY_TENANT))
    get_settings.cache_clear()
    try:
        app = Gateway(
            get_settings(), database=database, redis=Redis.from_url(get_settings().redis_url)
        )
    finally:
        monkeypatch.delenv("MATCHING_WARM_TENANTS")
        get_settings.cache_clear()
    yield app
    # Not app.close(): the database, queue and caches are the suite's own.
    await app.redis.aclose()


async def test_warm_up_loads_the_tenant_before_its_first_request(
    committing_client: httpx.AsyncClient, warming_gateway: Gateway, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    people = await community(committing_client, tenant)
    matching = warming_gateway.mounted["matching"]
    index: MentorIndex = matching.state.mentor_index
    warm_up: IndexWarmUp = matching.state.index_warm_up
    assert tenant.id not in index

    # What the gateway's startup runs for its mounted services.
    async with run_lifespan_hooks(matching):
        await warm_up.wait()
        assert index.is_loaded(tenant.id) and tenant.id in warm_up.loaded
        loads = index.full_loads

        async with http_client(warming_gateway) as b:
            response = await b.get("/v1/matching/recommendations", headers=people.headers["mia"])
        assert response.status_code == 200, response.text
        names = [people.names[uuid.UUID(item["mentor_id"])] for item in response.json()["items"]]
        assert names == ["ada", "ben"]
        # The request only caught up with the feed: no second full load.
        assert index.last_catch_up is not None and index.last_catch_up.full is False
        assert index.full_loads == loads


async def test_a_request_during_a_load_waits_for_it_and_gets_every_mentor(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    people = await community(committing_client, tenant)
    index = MentorIndex(idle_seconds=600)

    async def load() -> None:
        async with database.session(readonly=True, tenant_id=tenant.id) as session:
            await index.current(session, tenant.id)

    loading = asyncio.create_task(load())
    for _ in range(100):
        if index.is_loading(tenant.id):
            break
        await asyncio.sleep(0)
    assert index.is_loading(tenant.id)

    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        arrays = await index.current(session, tenant.id)
        # Returned only once the load had finished, with everyone in it.
        assert loading.done()
        assert all(arrays.row_of(people.ids[name]) is not None for name in ("ada", "ben"))
    await loading
    assert index.full_loads == 1
    assert index.last_catch_up is not None and index.last_catch_up.full is False


async def test_warm_up_is_off_when_the_setting_is_zero(
    gateway: Gateway, committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    await community(committing_client, tenant)
    # The suite runs with MATCHING_WARM_TENANTS=0: the gateway's own warm-up does nothing.
    matching = gateway.mounted["matching"]
    async with run_lifespan_hooks(matching):
        await matching.state.index_warm_up.wait()
        assert matching.state.index_warm_up.loaded == []
        assert tenant.id not in matching.state.mentor_index
    index = MentorIndex(idle_seconds=600)
    warm_up = IndexWarmUp(index, database, tenants=0)
    warm_up.start()
    await warm_up.wait()
    assert index.tenants() == [] and warm_up.loaded == []


async def test_warm_up_survives_a_database_that_is_down_and_stops_on_shutdown() -> None:
    # Nothing listens on port 1: every connection is refused, as when the server restarts.
    down = Database("postgresql://nobody@127.0.0.1:1/nothing")
    warm_up = IndexWarmUp(MentorIndex(idle_seconds=600), down, tenants=5, retry_seconds=0.05)
    warm_up.start()
    try:
        for _ in range(200):
            if warm_up.failures >= 2:
                break
            await asyncio.sleep(0.05)
        # It failed, logged and tried again, rather than crashing or giving up.
        assert warm_up.failures >= 2
    finally:
        await asyncio.wait_for(warm_up.stop(), timeout=5)
        await down.dispose()
