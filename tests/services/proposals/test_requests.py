"""Listing mentorship requests: your own, sent or received."""

import uuid

from services.core.db import database
from services.proposals.models import MentorshipRequest
from tests.conftest import TenantFactory


async def _user_id(client, headers: dict[str, str]) -> uuid.UUID:
    return uuid.UUID((await client.get("/v1/users/me", headers=headers)).json()["id"])


async def test_each_box_holds_only_your_own_requests(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    mia = await tenant.headers("mia@example.com")
    dev = await tenant.headers("dev@example.com", ["mentor"])
    ann = await tenant.headers("ann@example.com", ["mentor"])
    mia_id, dev_id, ann_id = [await _user_id(client, h) for h in (mia, dev, ann)]
    async with database.transaction(tenant_id=tenant.id) as session:
        for mentor_id, status in ((dev_id, "pending"), (ann_id, "declined")):
            session.add(
                MentorshipRequest(
                    tenant_id=tenant.id, mentee_id=mia_id, mentor_id=mentor_id, status=status
                )
            )

    async def box(headers: dict[str, str], query: str) -> list[tuple[str, str]]:
        response = await client.get(f"/v1/requests?{query}", headers=headers)
        assert response.status_code == 200
        return sorted((r["mentor_id"], r["status"]) for r in response.json()["items"])

    assert await box(mia, "box=sent") == sorted(
        [(str(dev_id), "pending"), (str(ann_id), "declined")]
    )
    assert await box(mia, "box=sent&status=pending") == [(str(dev_id), "pending")]
    assert await box(mia, "box=received") == []
    assert await box(dev, "box=received") == [(str(dev_id), "pending")]
    assert await box(dev, "box=sent") == []
