"""A mentor's places: concurrent takers never exceed the capacity."""

import asyncio
import uuid

from sqlalchemy import select

from services.core.db import database
from services.profiles.commands import release_mentor_place, take_mentor_place
from services.profiles.profiles.models import Profile
from tests.conftest import TenantFactory


async def test_racing_takers_never_overbook(committing_client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    headers = await tenant.headers("dev@example.com", ["mentor"])
    response = await committing_client.put(
        "/v1/profiles/me", json={"mentor": {"capacity": 3}}, headers=headers
    )
    assert response.status_code == 200
    mentor_id = uuid.UUID(response.json()["user_id"])

    async def take() -> bool:
        async with database.transaction(tenant_id=tenant.id) as session:
            return await take_mentor_place(session, tenant.id, mentor_id)

    results = await asyncio.gather(*(take() for _ in range(8)))
    assert sum(results) == 3
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        profile = await session.scalar(select(Profile).where(Profile.user_id == mentor_id))
    assert profile is not None and profile.active_mentees == 3
    me = await committing_client.get("/v1/profiles/me", headers=headers)
    assert me.json()["mentor"]["active_mentees"] == 3

    async with database.transaction(tenant_id=tenant.id) as session:
        for _ in range(5):
            await release_mentor_place(session, tenant.id, mentor_id)
    assert await take()  # back to zero, never below: a place is free again
