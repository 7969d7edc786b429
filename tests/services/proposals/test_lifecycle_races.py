"""Steps that race, on real commits: many accepts for a mentor's last place, an accept against a
withdraw, and a step on a request whose participant was deactivated meanwhile."""

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from services.core.db import database
from services.core.queue import Lane
from services.profiles.profiles.models import Profile
from services.progress.mentorships.models import Mentorship
from tests.conftest import TenantFactory, TenantHandle, drain
from tests.services.proposals.people import careful_draft, put_mentor


async def _pending(
    client: httpx.AsyncClient, tenant: TenantHandle, email: str, mentor_id: str
) -> tuple[dict[str, str], str]:
    headers = await tenant.headers(email)
    created = await client.post("/v1/requests", json=careful_draft(mentor_id), headers=headers)
    assert created.status_code == 201, created.text
    sent = await client.post(f"/v1/requests/{created.json()['id']}/send", headers=headers)
    assert sent.status_code == 200, sent.text
    return headers, str(created.json()["id"])


async def _places(tenant: TenantHandle, mentor_id: str) -> tuple[int, int, int]:
    """The mentor's capacity, their active mentees, and the mentorships they really have."""
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        profile = await session.scalar(select(Profile).where(Profile.user_id == mentor_id))
        mentorships = await session.scalar(
            select(func.count()).select_from(Mentorship).where(Mentorship.mentor_id == mentor_id)
        )
    assert profile is not None
    return profile.mentor_capacity, profile.active_mentees, int(mentorships or 0)


@pytest.mark.parametrize("attempt", range(3))
async def test_fifty_accepts_for_the_last_place_give_one_mentorship(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory, attempt: int
) -> None:
    client = committing_client
    tenant = await make_tenant()
    dev, dev_id = await put_mentor(client, tenant, capacity=2)
    requests = [
        (await _pending(client, tenant, f"mentee{i}@example.com", dev_id))[1] for i in range(51)
    ]
    first = await client.post(f"/v1/requests/{requests[0]}/accept", headers=dev)
    assert first.status_code == 200, first.text
    assert await _places(tenant, dev_id) == (2, 1, 1)

    answers = await asyncio.gather(
        *(client.post(f"/v1/requests/{r}/accept", headers=dev) for r in requests[1:])
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [409] * 49, statuses
    refused = [answer.json() for answer in answers if answer.status_code == 409]
    assert {(p["reason"], p["current_status"]) for p in refused} == {("full", "pending")}
    assert await _places(tenant, dev_id) == (2, 2, 2)
    # The losers are still pending: the mentor may decline them, or take one when a place frees.
    box = await client.get("/v1/requests?box=received&status=pending&limit=100", headers=dev)
    assert len(box.json()["items"]) == 49


@pytest.mark.parametrize("attempt", range(5))
async def test_an_accept_racing_a_withdraw_has_one_winner(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory, attempt: int
) -> None:
    client = committing_client
    tenant = await make_tenant()
    dev, dev_id = await put_mentor(client, tenant)
    mia, request_id = await _pending(client, tenant, "mia@example.com", dev_id)
    path = f"/v1/requests/{request_id}"

    accept, withdraw = await asyncio.gather(
        client.post(f"{path}/accept", headers=dev), client.post(f"{path}/withdraw", headers=mia)
    )
    assert sorted([accept.status_code, withdraw.status_code]) == [200, 409], (
        accept.text,
        withdraw.text,
    )
    final: dict[str, Any] = (await client.get(path, headers=mia)).json()
    loser = withdraw if accept.status_code == 200 else accept
    assert loser.json()["current_status"] == final["status"]
    _, active, mentorships = await _places(tenant, dev_id)
    if final["status"] == "accepted":
        assert (active, mentorships) == (1, 1)
    else:
        assert final["status"] == "withdrawn"
        assert (active, mentorships) == (0, 0)


async def test_a_request_of_a_deactivated_mentee_is_on_hold(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    dev, dev_id = await put_mentor(client, tenant)
    mia, request_id = await _pending(client, tenant, "mia@example.com", dev_id)
    mia_id = (await client.get("/v1/users/me", headers=mia)).json()["id"]
    path = f"/v1/requests/{request_id}"

    off = await client.patch(f"/v1/users/{mia_id}", json={"active": False}, headers=admin)
    assert off.status_code == 200, off.text
    # Even before the worker has put the request on hold, an accept is refused.
    early = await client.post(f"{path}/accept", headers=dev)
    assert (early.status_code, early.json()["reason"]) == (409, "on_hold")
    await drain(Lane.INTERACTIVE)
    held = (await client.get(path, headers=dev)).json()
    assert (held["on_hold"], held["status"], held["allowed_actions"]) == (True, "pending", [])
    for step, body in (("decline", {"reason": "timing"}), ("accept", None)):
        refused = await client.post(f"{path}/{step}", json=body, headers=dev)
        assert (refused.status_code, refused.json()["reason"]) == (409, "on_hold")
    assert await _places(tenant, dev_id) == (3, 0, 0)

    on = await client.patch(f"/v1/users/{mia_id}", json={"active": True}, headers=admin)
    assert on.status_code == 200
    await drain(Lane.INTERACTIVE)
    accepted = await client.post(f"{path}/accept", headers=dev)
    assert accepted.status_code == 200, accepted.text
