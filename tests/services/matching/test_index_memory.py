"""The index holds only the tenants in use: one unused for the idle time is dropped, and the
next use loads it whole again."""

import uuid

import httpx

from services.core.db import database
from services.matching.recommendations.index import MentorIndex
from tests.conftest import TenantFactory
from tests.services.matching.test_recommendations import community


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_tenant_unused_for_the_idle_time_is_dropped(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    ours, theirs = await make_tenant(), await make_tenant()
    await community(client, ours)
    await community(client, theirs)
    clock = Clock()
    index = MentorIndex(idle_seconds=60, clock=clock)

    async def use(tenant_id: uuid.UUID) -> int:
        async with database.session(readonly=True, tenant_id=tenant_id) as session:
            return len(await index.current(session, tenant_id))

    assert await use(ours.id) == 2
    assert index.last_catch_up is not None and index.last_catch_up.full
    clock.now = 30
    assert await use(theirs.id) == 2
    assert index.tenants() == [ours.id, theirs.id]
    assert index.nbytes() > 0
    clock.now = 61  # ours unused for 61 s, theirs for 31 s
    assert await use(theirs.id) == 2
    assert index.last_catch_up is not None and not index.last_catch_up.full
    assert index.tenants() == [theirs.id]
    # Back in use: loaded whole again.
    assert await use(ours.id) == 2
    assert index.last_catch_up is not None and index.last_catch_up.full
    assert index.tenants() == [theirs.id, ours.id]
