"""Admins manage accounts and program participation; a deactivated account is cut off."""

import uuid

from sqlalchemy import select

from services.core.db import database
from services.core.outbox import OutboxEvent
from services.core.queue import Lane
from services.progress.mentorships.models import Mentorship
from services.proposals.models import MentorshipRequest
from tests.conftest import TenantFactory, drain


async def _me(client, headers) -> dict:
    response = await client.get("/v1/users/me", headers=headers)
    assert response.status_code == 200
    return response.json()


async def test_admin_lists_and_changes_roles(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    mia = await tenant.headers("mia@example.com")
    mia_id = (await _me(client, mia))["id"]
    listed = await client.get("/v1/users", params={"role": "mentee"}, headers=admin)
    assert [u["email"] for u in listed.json()["items"]] == ["mia@example.com"]
    assert (await client.get("/v1/users", headers=mia)).status_code == 403
    assert (await client.get(f"/v1/users/{mia_id}", headers=mia)).status_code == 200
    admin_id = (await _me(client, admin))["id"]
    assert (await client.get(f"/v1/users/{admin_id}", headers=mia)).status_code == 403

    changed = await client.patch(
        f"/v1/users/{mia_id}", json={"roles": ["mentee", "mentor"]}, headers=admin
    )
    assert changed.status_code == 200
    assert changed.json()["roles"] == ["mentee", "mentor"]
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        announced = (
            await session.scalars(
                select(OutboxEvent.payload).where(OutboxEvent.event_type == "user.updated")
            )
        ).all()
    # The same payload as SCIM's and a first token's: webhook consumers read one shape.
    assert {
        "user_id": mia_id,
        "roles": ["mentee", "mentor"],
        "display_name": "Mia",
        "email": "mia@example.com",
    } in announced
    bad = await client.patch(f"/v1/users/{mia_id}", json={"roles": ["owner"]}, headers=admin)
    assert bad.status_code == 422
    self_demote = await client.patch(
        f"/v1/users/{admin_id}", json={"roles": ["mentee"]}, headers=admin
    )
    assert self_demote.status_code == 409
    other = await make_tenant()
    assert (
        await client.patch(
            f"/v1/users/{mia_id}", json={"active": False}, headers=await other.admin_headers()
        )
    ).status_code == 404


async def test_participants_self_enrol_and_admin(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    mia = await tenant.headers("mia@example.com")
    mia_id = (await _me(client, mia))["id"]
    programs = (await client.get("/v1/programs", headers=mia)).json()["items"]
    default_id = programs[0]["id"]
    url = f"/v1/programs/{default_id}/participants"

    joined = await client.post(url, json={"user_id": mia_id, "role": "mentee"}, headers=mia)
    assert joined.status_code == 201
    again = await client.post(url, json={"user_id": mia_id, "role": "mentee"}, headers=mia)
    assert again.status_code == 409
    as_mentor = await client.post(url, json={"user_id": mia_id, "role": "mentor"}, headers=mia)
    assert as_mentor.status_code == 409  # Mia does not hold the mentor role

    closed = await client.post(
        "/v1/programs", json={"name": "Closed", "self_enrol": False}, headers=admin
    )
    closed_url = f"/v1/programs/{closed.json()['id']}/participants"
    denied = await client.post(closed_url, json={"user_id": mia_id, "role": "mentee"}, headers=mia)
    assert denied.status_code == 403
    enrolled = await client.post(
        closed_url, json={"user_id": mia_id, "role": "mentee"}, headers=admin
    )
    assert enrolled.status_code == 201

    listed = await client.get(url, headers=mia)
    assert [(p["user_id"], p["role"]) for p in listed.json()["items"]] == [(mia_id, "mentee")]
    assert (await client.delete(f"{url}/{mia_id}", headers=mia)).status_code == 204
    assert (await client.delete(f"{url}/{mia_id}", headers=mia)).status_code == 404
    assert (await client.get(url, headers=mia)).json()["items"] == []
    unknown = await client.post(
        f"/v1/programs/{uuid.uuid4()}/participants", json={"user_id": mia_id, "role": "mentee"},
        headers=admin,
    )  # fmt: skip
    assert unknown.status_code == 404


async def test_deactivation_cuts_off_hides_and_holds(
    committing_client, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    dev = await tenant.headers("dev@example.com", ["mentor"])
    dev_id = uuid.UUID((await _me(client, dev))["id"])
    mia = await tenant.headers("mia@example.com")
    mia_id = uuid.UUID((await _me(client, mia))["id"])
    put = await client.put(
        "/v1/profiles/me",
        json={"languages": ["en"], "mentor": {"capacity": 2}},
        headers=dev,
    )
    assert put.status_code == 200
    async with database.transaction(tenant_id=tenant.id) as session:
        session.add(
            MentorshipRequest(
                tenant_id=tenant.id, mentee_id=mia_id, mentor_id=dev_id, status="pending"
            )
        )
        session.add(
            Mentorship(tenant_id=tenant.id, mentee_id=mia_id, mentor_id=dev_id, status="active")
        )
    assert [
        m["user_id"] for m in (await client.get("/v1/mentors", headers=mia)).json()["items"]
    ] == [str(dev_id)]

    off = await client.patch(f"/v1/users/{dev_id}", json={"active": False}, headers=admin)
    assert off.status_code == 200
    assert off.json()["active"] is False
    # The token Dev already holds no longer opens anything.
    assert (await client.get("/v1/programs", headers=dev)).status_code == 401
    assert (await client.get("/v1/mentors", headers=mia)).json()["items"] == []
    assert (await client.get(f"/v1/profiles/{dev_id}", headers=mia)).status_code == 404

    # The interactive worker's subscribers put Dev's open request and mentorship on hold.
    await drain(Lane.INTERACTIVE)
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        request = await session.scalar(
            select(MentorshipRequest).where(MentorshipRequest.tenant_id == tenant.id)
        )
        mentorship = await session.scalar(
            select(Mentorship).where(Mentorship.tenant_id == tenant.id)
        )
    assert request is not None and request.on_hold and request.status == "pending"
    assert mentorship is not None and mentorship.on_hold and mentorship.status == "active"
    held = (await client.get("/v1/requests", headers=mia)).json()["items"]
    assert held[0]["on_hold"] is True

    on = await client.patch(f"/v1/users/{dev_id}", json={"active": True}, headers=admin)
    assert on.status_code == 200
    assert (await client.get("/v1/programs", headers=dev)).status_code == 200
    await drain(Lane.INTERACTIVE)
    released = (await client.get("/v1/requests", headers=mia)).json()["items"]
    assert released[0]["on_hold"] is False
