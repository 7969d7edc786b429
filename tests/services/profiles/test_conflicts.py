"""Conflicts of interest: a person's manager (from SCIM or an admin) and the people they declared
they must not be matched with; private to them, and carried to matching."""

import json
import uuid
from typing import Any

import httpx

from services.core.db import database
from services.profiles import queries
from tests.conftest import TenantFactory, TenantHandle
from tests.services.profiles.test_scim import ENTERPRISE_SCHEMA, SCIM, USER_SCHEMA, new_token


async def _id(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    me = await client.get("/v1/users/me", headers=headers)
    assert me.status_code == 200, me.text
    user_id: str = me.json()["id"]
    return user_id


async def _matching_row(tenant: TenantHandle, user_id: str) -> queries.MatchingRow:
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        [row] = await queries.matching_rows(session, tenant.id, user_ids=[uuid.UUID(user_id)])
    return row


def _scim_user(email: str, manager: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
        "userName": email,
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "displayName": email.split("@")[0].title(),
        "active": True,
        **extra,
    }
    if manager is not None:
        body[ENTERPRISE_SCHEMA] = {
            "department": "Research",
            "manager": {"value": manager, "$ref": f"../Users/{manager}"},
        }
    return body


async def test_scim_sets_the_manager_of_a_user(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    scim, admin = await new_token(client, tenant), await tenant.admin_headers()
    boss = await client.post(f"{SCIM}/Users", json=_scim_user("boss@example.com"), headers=scim)
    assert boss.status_code == 201, boss.text
    boss_id = boss.json()["id"]

    ada = await client.post(
        f"{SCIM}/Users", json=_scim_user("ada@example.com", manager=boss_id), headers=scim
    )
    assert ada.status_code == 201, ada.text
    ada_id = ada.json()["id"]
    assert ada.json()[ENTERPRISE_SCHEMA]["manager"]["value"] == boss_id
    read = await client.get(f"/v1/users/{ada_id}", headers=admin)
    assert read.json()["manager_id"] == boss_id
    assert (await _matching_row(tenant, ada_id)).manager_id == uuid.UUID(boss_id)

    # A manager the organisation does not know (another tenant's user, or an id from the
    # identity provider's own directory) is kept as sent, and is nobody's manager here.
    stranger = str(uuid.uuid4())
    moved = await client.put(
        f"{SCIM}/Users/{ada_id}", json=_scim_user("ada@example.com", manager=stranger), headers=scim
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()[ENTERPRISE_SCHEMA]["manager"]["value"] == stranger
    assert (await client.get(f"/v1/users/{ada_id}", headers=admin)).json()["manager_id"] is None

    # An admin names the manager; a SCIM write about something else keeps that choice.
    set_by_admin = await client.patch(
        f"/v1/users/{ada_id}", json={"manager_id": boss_id}, headers=admin
    )
    assert set_by_admin.status_code == 200, set_by_admin.text
    retitled = await client.patch(
        f"{SCIM}/Users/{ada_id}",
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "title", "value": "Engineer"}],
        },
        headers=scim,
    )
    assert retitled.status_code == 200, retitled.text
    assert (await client.get(f"/v1/users/{ada_id}", headers=admin)).json()["manager_id"] == boss_id

    # Removing the manager in the identity provider removes it here.
    removed = await client.put(
        f"{SCIM}/Users/{ada_id}", json=_scim_user("ada@example.com"), headers=scim
    )
    assert removed.status_code == 200, removed.text
    assert (await client.get(f"/v1/users/{ada_id}", headers=admin)).json()["manager_id"] is None


async def test_okta_and_entra_name_a_manager_by_id_alone(
    client, make_tenant: TenantFactory
) -> None:
    """RFC 7643 only recommends the manager's `$ref`: Okta sends `{"value": id}`, and Entra ID's
    PATCH sets the manager to the bare id."""
    tenant = await make_tenant()
    scim, admin = await new_token(client, tenant), await tenant.admin_headers()
    boss = await client.post(f"{SCIM}/Users", json=_scim_user("boss@example.com"), headers=scim)
    other = await client.post(f"{SCIM}/Users", json=_scim_user("other@example.com"), headers=scim)
    boss_id, other_id = boss.json()["id"], other.json()["id"]
    okta = _scim_user("ada@example.com")
    okta[ENTERPRISE_SCHEMA] = {"manager": {"value": boss_id, "displayName": "Boss"}}
    ada = await client.post(f"{SCIM}/Users", json=okta, headers=scim)
    assert ada.status_code == 201, ada.text
    ada_id = ada.json()["id"]
    assert (await client.get(f"/v1/users/{ada_id}", headers=admin)).json()["manager_id"] == boss_id

    entra = await client.patch(
        f"{SCIM}/Users/{ada_id}",
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "Add", "path": f"{ENTERPRISE_SCHEMA}:manager", "value": other_id}
            ],
        },
        headers=scim,
    )
    assert entra.status_code == 200, entra.text
    assert entra.json()[ENTERPRISE_SCHEMA]["manager"]["value"] == other_id
    assert (await client.get(f"/v1/users/{ada_id}", headers=admin)).json()["manager_id"] == other_id


async def test_admin_sets_and_clears_a_manager(client, make_tenant: TenantFactory) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    admin = await tenant.admin_headers()
    mia_id = await _id(client, await tenant.headers("mia@example.com"))
    boss_id = await _id(client, await tenant.headers("boss@example.com", ["mentor"]))
    theirs_id = await _id(client, await other.headers("eve@example.com"))
    url = f"/v1/users/{mia_id}"

    assert (await client.get(url, headers=admin)).json()["manager_id"] is None
    changed = await client.patch(url, json={"manager_id": boss_id}, headers=admin)
    assert changed.status_code == 200, changed.text
    assert changed.json()["manager_id"] == boss_id
    assert (await _matching_row(tenant, mia_id)).manager_id == uuid.UUID(boss_id)

    for wrong in (mia_id, theirs_id, str(uuid.uuid4())):
        refused = await client.patch(url, json={"manager_id": wrong}, headers=admin)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["errors"][0]["loc"] == ["body", "manager_id"]
    assert (await client.get(url, headers=admin)).json()["manager_id"] == boss_id

    # Only admins name managers.
    mia = await tenant.headers("mia@example.com")
    assert (await client.patch(url, json={"manager_id": None}, headers=mia)).status_code == 403
    cleared = await client.patch(url, json={"manager_id": None}, headers=admin)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["manager_id"] is None
    assert (await _matching_row(tenant, mia_id)).manager_id is None


async def test_declared_conflicts_are_private_and_reach_matching(
    client, make_tenant: TenantFactory
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    mia = await tenant.headers("mia@example.com", ["mentee", "mentor"])
    mia_id = await _id(client, mia)
    brother_id = await _id(client, await tenant.headers("brother@example.com", ["mentor"]))
    partner_id = await _id(client, await tenant.headers("partner@example.com", ["mentor"]))
    theirs_id = await _id(client, await other.headers("eve@example.com"))

    written = await client.put(
        "/v1/profiles/me",
        json={
            "headline": "Backend engineer",
            "mentor": {"capacity": 2},
            "conflicts_of_interest": [brother_id, partner_id, brother_id],
        },
        headers=mia,
    )
    assert written.status_code == 200, written.text
    assert written.json()["conflicts_of_interest"] == [brother_id, partner_id]
    own = await client.get("/v1/profiles/me", headers=mia)
    assert own.json()["conflicts_of_interest"] == [brother_id, partner_id]
    row = await _matching_row(tenant, mia_id)
    assert set(row.conflicts) == {uuid.UUID(brother_id), uuid.UUID(partner_id)}

    # Nobody else learns whom Mia declared: not the public view, not mentor search.
    brother = await tenant.headers("brother@example.com", ["mentor"])
    public = await client.get(f"/v1/profiles/{mia_id}", headers=brother)
    assert public.status_code == 200
    assert "conflicts_of_interest" not in public.json()
    assert brother_id not in public.text
    cards = await client.get("/v1/mentors", headers=brother)
    assert cards.status_code == 200, cards.text
    [card] = [card for card in cards.json()["items"] if card["user_id"] == mia_id]
    assert "conflicts_of_interest" not in card
    assert brother_id not in json.dumps(card) and partner_id not in json.dumps(card)

    # PATCH replaces the list whole; null empties it.
    patched = await client.patch(
        "/v1/profiles/me", json={"conflicts_of_interest": [partner_id]}, headers=mia
    )
    assert patched.status_code == 200, patched.text
    assert (await _matching_row(tenant, mia_id)).conflicts == (uuid.UUID(partner_id),)
    emptied = await client.patch(
        "/v1/profiles/me", json={"conflicts_of_interest": None}, headers=mia
    )
    assert emptied.json()["conflicts_of_interest"] == []
    assert (await _matching_row(tenant, mia_id)).conflicts == ()

    for wrong in ([mia_id], [theirs_id], [str(uuid.uuid4())], ["not-a-uuid"]):
        refused = await client.patch(
            "/v1/profiles/me", json={"conflicts_of_interest": wrong}, headers=mia
        )
        assert refused.status_code == 422, refused.text
    too_many = [str(uuid.uuid4()) for _ in range(51)]
    refused = await client.patch(
        "/v1/profiles/me", json={"conflicts_of_interest": too_many}, headers=mia
    )
    assert refused.status_code == 422
    assert (await client.get("/v1/profiles/me", headers=mia)).json()["conflicts_of_interest"] == []
