"""Listing mentorships: participants see their own, admins the organisation's."""

import uuid

from services.core.db import database
from services.progress.models import Mentorship
from tests.conftest import TenantFactory


async def _user_id(client, headers: dict[str, str]) -> uuid.UUID:
    return uuid.UUID((await client.get("/v1/users/me", headers=headers)).json()["id"])


async def test_participants_see_their_own_and_admins_all(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    mia = await tenant.headers("mia@example.com")
    dev = await tenant.headers("dev@example.com", ["mentor"])
    bo = await tenant.headers("bo@example.com")
    mia_id, dev_id, bo_id = [await _user_id(client, h) for h in (mia, dev, bo)]
    async with database.transaction(tenant_id=tenant.id) as session:
        session.add(
            Mentorship(tenant_id=tenant.id, mentee_id=mia_id, mentor_id=dev_id, status="active")
        )
        session.add(
            Mentorship(tenant_id=tenant.id, mentee_id=bo_id, mentor_id=dev_id, status="completed")
        )

    async def mentees(headers: dict[str, str], query: str = "") -> list[str]:
        response = await client.get(f"/v1/mentorships?{query}", headers=headers)
        assert response.status_code == 200
        return sorted(m["mentee_id"] for m in response.json()["items"])

    assert await mentees(mia) == [str(mia_id)]
    assert await mentees(bo) == [str(bo_id)]
    assert await mentees(dev) == sorted([str(mia_id), str(bo_id)])
    assert await mentees(dev, "status=completed") == [str(bo_id)]
    assert await mentees(await tenant.admin_headers()) == sorted([str(mia_id), str(bo_id)])
