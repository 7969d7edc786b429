"""Read-your-writes across processes: two gateways over one database, each with its own
in-memory mentor index. Once a write through one of them (or SCIM, or an import) has
returned, the other's very next recommendation reflects it, by catching up, not reloading.
Real commits: each test has its own tenant."""

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import update

from api.gateway import Gateway
from services.core.db import database
from services.core.settings import get_settings
from services.matching.recommendations.index import MentorIndex
from services.profiles.imports import tasks as import_job
from services.profiles.profiles.models import Profile
from tests.conftest import TenantFactory, http_client
from tests.services.matching.test_recommendations import ADA, BEN, Community, community


@pytest.fixture
async def other_gateway() -> AsyncIterator[Gateway]:
    """A second process, as far as matching can tell: its own apps and so its own index."""
    app = Gateway(get_settings(), database=database, redis=Redis.from_url(get_settings().redis_url))
    yield app
    # Not app.close(): the database, queue and caches are the suite's own, shared with the
    # session's gateway; only this Redis client is the second gateway's.
    await app.redis.aclose()


def index_of(gateway: Gateway) -> MentorIndex:
    index: MentorIndex = gateway.mounted["matching"].state.mentor_index
    return index


async def _recommended(client: httpx.AsyncClient, people: Community, **params: Any) -> list[str]:
    response = await client.get(
        "/v1/matching/recommendations", params=params, headers=people.headers["mia"]
    )
    assert response.status_code == 200, response.text
    return [people.names[uuid.UUID(item["mentor_id"])] for item in response.json()["items"]]


async def _scores(client: httpx.AsyncClient, people: Community) -> dict[str, float]:
    response = await client.get("/v1/matching/recommendations", headers=people.headers["mia"])
    assert response.status_code == 200, response.text
    return {
        people.names[uuid.UUID(item["mentor_id"])]: item["score"]
        for item in response.json()["items"]
    }


async def test_a_change_through_one_process_is_in_the_others_next_answer(
    committing_client: httpx.AsyncClient,
    gateway: Gateway,
    other_gateway: Gateway,
    make_tenant: TenantFactory,
) -> None:
    tenant = await make_tenant()
    people = await community(committing_client, tenant)  # written through gateway A
    async with http_client(other_gateway) as b:
        # Both warm, each loaded the tenant once.
        assert await _recommended(committing_client, people) == ["ada", "ben"]
        assert await _recommended(b, people) == ["ada", "ben"]
        assert index_of(gateway) is not index_of(other_gateway)
        assert tenant.id in index_of(gateway) and tenant.id in index_of(other_gateway)

        # Ben gains Ada's skills, through A; B's next answer scores him anew, as A does.
        before = await _scores(b, people)
        await people.put("ben", {**ADA, "headline": "Principal engineer"})
        in_b, in_a = await _scores(b, people), await _scores(committing_client, people)
        assert in_b["ben"] > before["ben"]
        assert in_b == in_a
        catch_up = index_of(other_gateway).last_catch_up
        assert catch_up is not None and catch_up.full is False

        # Ada stops taking requests, through A: B never offers her again.
        await people.put("ada", {**ADA, "mentor": {**ADA["mentor"], "accepting_requests": False}})
        assert await _recommended(b, people) == ["ben"]

        # Ben is deactivated by an admin, through A: gone from B at once.
        deactivated = await committing_client.patch(
            f"/v1/users/{people.ids['ben']}", json={"active": False}, headers=await people.admin()
        )
        assert deactivated.status_code == 200, deactivated.text
        assert await _recommended(b, people) == []
        # And back.
        reactivated = await committing_client.patch(
            f"/v1/users/{people.ids['ben']}", json={"active": True}, headers=await people.admin()
        )
        assert reactivated.status_code == 200, reactivated.text
        assert await _recommended(b, people) == ["ben"]


async def test_a_bulk_import_is_in_the_other_processes_next_answer(
    committing_client: httpx.AsyncClient,
    gateway: Gateway,
    other_gateway: Gateway,
    make_tenant: TenantFactory,
) -> None:
    tenant = await make_tenant()
    people = await community(committing_client, tenant)
    async with http_client(other_gateway) as b:
        assert await _recommended(b, people) == ["ada", "ben"]

        # The raw-SQL import path: a new mentor, and Ada's profile replaced (no longer a mentor).
        lines = [
            {
                "email": "zoe@example.com",
                "display_name": "Zoe",
                "roles": ["mentor"],
                "profile": {**ADA, "headline": "Imported"},
            },
            {
                "email": "ada@example.com",
                "display_name": "Ada",
                "roles": ["mentor"],
                "profile": {**BEN, "mentor": None},
            },
        ]
        body = "\n".join(json.dumps(line) for line in lines).encode()
        admin = await people.admin()
        accepted = await committing_client.post(
            "/v1/admin/imports",
            content=body,
            headers={**admin, "Content-Type": "application/x-ndjson"},
        )
        assert accepted.status_code == 202, accepted.text
        await import_job.run_import({}, accepted.json()["id"])
        report = await committing_client.get(accepted.headers["location"], headers=admin)
        assert report.json()["status"] == "succeeded", report.json()
        assert report.json()["failed"] == 0, report.json()

        response = await b.get("/v1/matching/recommendations", headers=people.headers["mia"])
        names = [item["display_name"] for item in response.json()["items"]]
        assert sorted(names) == ["Ben", "Zoe"]


async def test_a_write_in_flight_while_an_index_catches_up_is_in_its_next_catch_up(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    people = await community(committing_client, tenant)
    index = MentorIndex(idle_seconds=600)

    async def indexed() -> set[str]:
        async with database.session(readonly=True, tenant_id=tenant.id) as session:
            arrays = await index.current(session, tenant.id)
        return {name for name in ("ada", "ben") if arrays.row_of(people.ids[name]) is not None}

    assert await indexed() == {"ada", "ben"}
    async with database.transaction(tenant_id=tenant.id) as writer:
        # Ada stops mentoring (as the bulk import writes it: the flat column).
        await writer.execute(
            update(Profile).where(Profile.user_id == people.ids["ada"]).values(is_mentor=False)
        )
        # The index catches up while the writer has not committed: not seen yet...
        assert await indexed() == {"ada", "ben"}
    # ...and the very next catch-up, from the position taken meanwhile, has it.
    assert await indexed() == {"ben"}
