"""SCIM 2.0 provisioning through the gateway: tokens, Okta's and Entra ID's ways of creating,
deactivating and grouping users, SCIM errors everywhere under /scim/v2, and scim2-tester."""

import asyncio
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scim2_tester import Status, check_server

from services.core.settings import get_settings
from services.profiles.scim.rules import (
    Grants,
    GroupEffect,
    group_effect,
    roles_after,
    sign_in_email,
)
from services.profiles.tenants.service import DEFAULT_PROGRAM_NAME
from tests.conftest import TenantFactory, TenantHandle
from tests.services.profiles.scim_tester_client import GatewaySCIMClient

SCIM = "/scim/v2"
SCIM_JSON = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


async def new_token(client: httpx.AsyncClient, tenant: TenantHandle) -> dict[str, str]:
    created = await client.post("/v1/tenant/scim-tokens", headers=await tenant.admin_headers())
    assert created.status_code == 201, created.text
    return {"Authorization": f"Bearer {created.json()['token']}"}


def okta_user(email: str, **extra: Any) -> dict[str, Any]:
    return {
        "schemas": [USER_SCHEMA],
        "userName": email,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "displayName": "Ada Lovelace",
        "locale": "en-US",
        "externalId": "00u1abcd",
        "groups": [],
        "password": "ignored-by-us",
        "active": True,
        **extra,
    }


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def assert_scim_error(response: httpx.Response, status: int, scim_type: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(SCIM_JSON)
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    if scim_type is not None:
        assert body["scimType"] == scim_type


async def create_user(
    client: httpx.AsyncClient, scim: dict[str, str], email: str, **extra: Any
) -> dict[str, Any]:
    created = await client.post(f"{SCIM}/Users", json=okta_user(email, **extra), headers=scim)
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def find_user(client: httpx.AsyncClient, headers: dict[str, str], email: str) -> Any:
    """The account as the admin API shows it (None if it is not in the list)."""
    listed = await client.get("/v1/users", params={"q": email, "limit": 100}, headers=headers)
    assert listed.status_code == 200, listed.text
    return next((u for u in listed.json()["items"] if u["email"] == email), None)


async def test_tokens_are_created_listed_and_revoked(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    created = await client.post("/v1/tenant/scim-tokens", headers=admin)
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "token", "prefix", "created_at"}
    assert body["token"].startswith("scim_") and len(body["token"]) >= 40
    assert body["token"].startswith(body["prefix"]) and body["prefix"] != body["token"]
    scim = {"Authorization": f"Bearer {body['token']}"}

    listed = (await client.get("/v1/tenant/scim-tokens", headers=admin)).json()
    [item] = listed["items"]
    assert item["id"] == body["id"] and item["prefix"] == body["prefix"]
    assert body["token"] not in str(listed)
    assert (await client.get(f"{SCIM}/Users", headers=scim)).status_code == 200
    used = (await client.get("/v1/tenant/scim-tokens", headers=admin)).json()["items"][0]
    assert used["last_used_at"] is not None
    member = await tenant.headers("member@example.com")
    assert (await client.post("/v1/tenant/scim-tokens", headers=member)).status_code == 403

    revoked = await client.delete(f"/v1/tenant/scim-tokens/{body['id']}", headers=admin)
    assert revoked.status_code == 204
    assert (await client.get("/v1/tenant/scim-tokens", headers=admin)).json()["items"] == []
    assert_scim_error(await client.get(f"{SCIM}/Users", headers=scim), 401)
    again = await client.delete(f"/v1/tenant/scim-tokens/{body['id']}", headers=admin)
    assert again.status_code == 404


async def test_requests_without_a_valid_scim_token_are_refused(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    for headers in (
        {},
        {"Authorization": "Bearer scim_not-a-token"},
        await tenant.admin_headers(),  # an access token is not a SCIM token
    ):
        response = await client.get(f"{SCIM}/Users", headers=headers)
        assert_scim_error(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert_scim_error(await client.get(f"{SCIM}/Schemas"), 401)
    # How to authenticate is public (RFC 7643 §5).
    config = await client.get(f"{SCIM}/ServiceProviderConfig")
    assert config.status_code == 200
    assert config.json()["patch"]["supported"] is True
    assert config.json()["authenticationSchemes"][0]["type"] == "oauthbearertoken"


async def test_a_token_sees_only_its_own_tenant(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    ours, theirs = await make_tenant(), await make_tenant()
    our_scim, their_scim = await new_token(client, ours), await new_token(client, theirs)
    theirs_user = await create_user(client, their_scim, "grace@theirs.example")

    listed = (await client.get(f"{SCIM}/Users", headers=our_scim)).json()
    assert [u["userName"] for u in listed["Resources"]] == [ours.admin_email]
    filtered = await client.get(
        f"{SCIM}/Users",
        params={"filter": 'userName eq "grace@theirs.example"'},
        headers=our_scim,
    )
    assert filtered.json()["totalResults"] == 0
    url = f"{SCIM}/Users/{theirs_user['id']}"
    assert_scim_error(await client.get(url, headers=our_scim), 404)
    assert_scim_error(
        await client.patch(
            url, json=patch({"op": "replace", "value": {"active": False}}), headers=our_scim
        ),
        404,
    )
    assert (await client.get(url, headers=their_scim)).json()["active"] is True


async def test_okta_creates_finds_deactivates_and_reactivates_a_user(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    scim, admin = await new_token(client, tenant), await tenant.admin_headers()
    created = await client.post(
        f"{SCIM}/Users", json=okta_user("Ada.Lovelace@Example.com"), headers=scim
    )
    assert created.status_code == 201, created.text
    assert created.headers["content-type"].startswith(SCIM_JSON)
    user = created.json()
    # userName and emails read back as sent; the account signs in with the email, lower case.
    assert user["userName"] == "Ada.Lovelace@Example.com"
    assert user["displayName"] == "Ada Lovelace"
    assert user["name"] == {"givenName": "Ada", "familyName": "Lovelace"}
    assert user["emails"] == [
        {"value": "Ada.Lovelace@Example.com", "type": "work", "primary": True}
    ]
    assert user["externalId"] == "00u1abcd" and user["active"] is True
    meta = user["meta"]
    assert meta["resourceType"] == "User"
    assert meta["location"].endswith(f"{SCIM}/Users/{user['id']}")
    assert created.headers["location"] == meta["location"]
    assert created.headers["etag"] == meta["version"] and meta["created"] and meta["lastModified"]
    account = await find_user(client, admin, "ada.lovelace@example.com")
    assert account["id"] == user["id"] and account["roles"] == ["mentee"]

    # Okta looks the user up by userName, whatever the case of attribute, operator or value.
    for query in (
        'userName eq "ADA.LOVELACE@example.com"',
        'USERNAME EQ "ada.lovelace@example.com"',
    ):
        found = await client.get(f"{SCIM}/Users", params={"filter": query}, headers=scim)
        assert found.status_code == 200, found.text
        body = found.json()
        assert body["totalResults"] == 1 and body["Resources"][0]["id"] == user["id"]
    by_email = await client.get(
        f"{SCIM}/Users",
        params={"filter": 'emails[type eq "work"].value eq "ada.lovelace@example.com"'},
        headers=scim,
    )
    assert [u["id"] for u in by_email.json()["Resources"]] == [user["id"]]
    by_external = await client.get(
        f"{SCIM}/Users", params={"filter": 'externalId eq "00u1abcd"'}, headers=scim
    )
    assert by_external.json()["totalResults"] == 1

    # A token issued before the deactivation stops working at once.
    own = {"Authorization": f"Bearer {await tenant.token('ada.lovelace@example.com')}"}
    assert (await client.get("/v1/users/me", headers=own)).status_code == 200
    url = f"{SCIM}/Users/{user['id']}"
    deactivated = await client.patch(
        url, json=patch({"op": "replace", "value": {"active": False}}), headers=scim
    )
    assert deactivated.status_code == 200, deactivated.text
    assert deactivated.json()["active"] is False
    assert (await client.get("/v1/users/me", headers=own)).status_code == 401
    active_ids = {
        u["id"]
        for u in (await client.get("/v1/users?active=true&limit=100", headers=admin)).json()[
            "items"
        ]
    }
    assert user["id"] not in active_ids
    still_there = await client.get(url, headers=scim)
    assert still_there.status_code == 200 and still_there.json()["active"] is False

    reactivated = await client.patch(
        url, json=patch({"op": "replace", "value": {"active": "True"}}), headers=scim
    )
    assert reactivated.status_code == 200, reactivated.text
    assert reactivated.json()["active"] is True
    assert (await client.get("/v1/users/me", headers=own)).status_code == 200


async def test_entra_patches_with_paths_and_string_booleans(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    scim, admin = await new_token(client, tenant), await tenant.admin_headers()
    user = await create_user(client, scim, "alan@example.com")
    url = f"{SCIM}/Users/{user['id']}"
    own = {"Authorization": f"Bearer {await tenant.token('alan@example.com')}"}

    renamed = await client.patch(
        url,
        json=patch(
            {"op": "Replace", "path": "name.givenName", "value": "Alan"},
            {"op": "Replace", "path": "name.familyName", "value": "Turing"},
            {"op": "Add", "path": "externalId", "value": "entra-42"},
            # Attributes beyond the columns are kept and read back.
            {"op": "Add", "path": "title", "value": "Mathematician"},
            {
                "op": "Add",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                "value": "Research",
            },
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "alan@example.com"},
        ),
        headers=scim,
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["displayName"] == "Alan Turing"
    assert renamed.json()["externalId"] == "entra-42"
    assert renamed.json()["title"] == "Mathematician"
    assert renamed.json()[ENTERPRISE_SCHEMA] == {"department": "Research"}
    # An attribute nobody keeps (ims) is accepted and ignored, as Entra ID expects.
    ignored = await client.patch(
        url, json=patch({"op": "Add", "path": "ims", "value": [{"value": "x"}]}), headers=scim
    )
    assert ignored.status_code == 200, ignored.text
    assert "ims" not in ignored.json()
    assert (await find_user(client, admin, "alan@example.com"))["display_name"] == "Alan Turing"

    off = await client.patch(
        url, json=patch({"op": "Replace", "path": "active", "value": "False"}), headers=scim
    )
    assert off.status_code == 200, off.text
    assert off.json()["active"] is False
    assert (await client.get("/v1/users/me", headers=own)).status_code == 401
    assert (await find_user(client, admin, "alan@example.com"))["active"] is False

    stale = await client.patch(
        url,
        json=patch({"op": "Replace", "path": "displayName", "value": "Lost update"}),
        headers={**scim, "If-Match": renamed.headers["etag"]},
    )
    assert_scim_error(stale, 412)
    shown = await client.patch(
        url,
        json=patch({"op": "Replace", "path": "displayName", "value": "A. M. Turing"}),
        headers=scim,
    )
    assert shown.json()["displayName"] == "A. M. Turing"
    assert shown.json()["active"] is False


async def test_emails_and_other_attributes_read_back_as_sent(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    scim, admin = await new_token(client, tenant), await tenant.admin_headers()
    emails = [
        {"value": "Kate@Example.com", "type": "work"},
        {"value": "kate.private@example.org", "type": "home", "primary": True},
    ]
    phones = [{"value": "+44 20 7946 0000", "type": "mobile"}]
    user = await create_user(
        client,
        scim,
        "Kate@Example.com",
        emails=emails,
        phoneNumbers=phones,
        title="Engineer",
        name={"givenName": "Kate", "familyName": "Bell", "honorificPrefix": "Dr"},
        schemas=[USER_SCHEMA, ENTERPRISE_SCHEMA],
        **{ENTERPRISE_SCHEMA: {"department": "R&D", "employeeNumber": "7"}},
    )
    url = f"{SCIM}/Users/{user['id']}"
    read = (await client.get(url, headers=scim)).json()
    # What is kept is published, and only that.
    schemas = (await client.get(f"{SCIM}/Schemas", headers=scim)).json()["Resources"]
    published = {s["id"]: {a["name"] for a in s["attributes"]} for s in schemas}
    assert {"title", "phoneNumbers", "emails", "name"} <= published[USER_SCHEMA]
    assert "ims" not in published[USER_SCHEMA] and "password" not in published[USER_SCHEMA]
    assert "department" in published[ENTERPRISE_SCHEMA]
    assert read["emails"] == emails
    assert read["phoneNumbers"] == phones and read["title"] == "Engineer"
    assert read["name"] == {"givenName": "Kate", "familyName": "Bell", "honorificPrefix": "Dr"}
    assert read[ENTERPRISE_SCHEMA] == {"department": "R&D", "employeeNumber": "7"}
    # The primary address is the sign-in email; userName stays as sent.
    assert read["userName"] == "Kate@Example.com"
    account = await find_user(client, admin, "kate.private@example.org")
    assert account is not None and account["id"] == user["id"]
    assert account["display_name"] == "Ada Lovelace"

    replaced = await client.patch(
        url,
        json=patch({"op": "replace", "path": "emails", "value": [{"value": "k@example.net"}]}),
        headers=scim,
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["emails"] == [{"value": "k@example.net"}]
    assert replaced.json()["userName"] == "Kate@Example.com"
    assert (await find_user(client, admin, "k@example.net"))["id"] == user["id"]
    # With no emails left the userName, an email, is the sign-in email again.
    removed = await client.patch(url, json=patch({"op": "remove", "path": "emails"}), headers=scim)
    assert removed.status_code == 200, removed.text
    assert "emails" not in removed.json()
    assert (await client.get(url, headers=scim)).json()["userName"] == "Kate@Example.com"
    assert (await find_user(client, admin, "kate@example.com"))["id"] == user["id"]


async def test_removing_name_or_display_name_keeps_the_display_name(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    scim, admin = await new_token(client, tenant), await tenant.admin_headers()
    user = await create_user(client, scim, "named@example.com")
    url = f"{SCIM}/Users/{user['id']}"

    no_name = await client.patch(url, json=patch({"op": "remove", "path": "name"}), headers=scim)
    assert no_name.status_code == 200, no_name.text
    assert "name" not in no_name.json()
    assert no_name.json()["displayName"] == "Ada Lovelace"
    no_display = await client.patch(
        url, json=patch({"op": "remove", "path": "displayName"}), headers=scim
    )
    assert no_display.status_code == 200, no_display.text
    assert "displayName" not in no_display.json() and "name" not in no_display.json()
    assert "displayName" not in (await client.get(url, headers=scim)).json()
    # The platform keeps the last display name the identity provider set.
    account = await find_user(client, admin, "named@example.com")
    assert account["display_name"] == "Ada Lovelace"

    # Setting them again works as before.
    named = await client.patch(
        url,
        json=patch({"op": "add", "value": {"name": {"givenName": "Ann", "familyName": "Lee"}}}),
        headers=scim,
    )
    assert named.status_code == 200, named.text
    assert (await find_user(client, admin, "named@example.com"))["display_name"] == "Ann Lee"
    shown = await client.patch(
        url, json=patch({"op": "add", "path": "displayName", "value": "Annie"}), headers=scim
    )
    assert shown.json()["displayName"] == "Annie"
    assert (await find_user(client, admin, "named@example.com"))["display_name"] == "Annie"


async def test_removing_active_leaves_the_account_as_it_is(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    scim, admin = await new_token(client, tenant), await tenant.admin_headers()
    on = await create_user(client, scim, "on@example.com")
    off = await create_user(client, scim, "off@example.com", active=False)
    on_token = {"Authorization": f"Bearer {await tenant.token('on@example.com')}"}
    assert (await client.get("/v1/users/me", headers=on_token)).status_code == 200

    for user in (on, off):
        url = f"{SCIM}/Users/{user['id']}"
        removed = await client.patch(
            url, json=patch({"op": "remove", "path": "active"}), headers=scim
        )
        assert removed.status_code == 200, removed.text
        assert "active" not in removed.json()
        assert "active" not in (await client.get(url, headers=scim)).json()
    # Neither deactivated nor reactivated by the removal.
    assert (await client.get("/v1/users/me", headers=on_token)).status_code == 200
    assert (await find_user(client, admin, "on@example.com"))["active"] is True
    assert (await find_user(client, admin, "off@example.com"))["active"] is False
    # Filters still see the account's state.
    found = await client.get(f"{SCIM}/Users", params={"filter": "active eq false"}, headers=scim)
    assert [u["id"] for u in found.json()["Resources"]] == [off["id"]]

    # Setting it again takes effect, and reads show it again.
    deactivated = await client.patch(
        f"{SCIM}/Users/{on['id']}",
        json=patch({"op": "add", "path": "active", "value": False}),
        headers=scim,
    )
    assert deactivated.status_code == 200, deactivated.text
    assert deactivated.json()["active"] is False
    assert (await client.get("/v1/users/me", headers=on_token)).status_code == 401


async def test_a_taken_user_name_is_a_uniqueness_conflict(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    scim = await new_token(client, tenant)
    first = await create_user(client, scim, "dup@example.com")
    again = await client.post(f"{SCIM}/Users", json=okta_user("DUP@example.com"), headers=scim)
    assert_scim_error(again, 409, "uniqueness")
    # The tenant's admin, created outside SCIM, holds their email too.
    taken = await client.post(f"{SCIM}/Users", json=okta_user(tenant.admin_email), headers=scim)
    assert_scim_error(taken, 409, "uniqueness")
    other = await create_user(client, scim, "other@example.com")
    renamed = await client.patch(
        f"{SCIM}/Users/{other['id']}",
        json=patch({"op": "replace", "path": "userName", "value": "dup@example.com"}),
        headers=scim,
    )
    assert_scim_error(renamed, 409, "uniqueness")
    assert (await client.get(f"{SCIM}/Users/{first['id']}", headers=scim)).status_code == 200


async def test_delete_deactivates_hides_and_a_new_post_brings_the_user_back(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    scim, admin = await new_token(client, tenant), await tenant.admin_headers()
    user = await create_user(client, scim, "gone@example.com")
    url = f"{SCIM}/Users/{user['id']}"
    deleted = await client.delete(url, headers=scim)
    assert deleted.status_code == 204
    assert_scim_error(await client.get(url, headers=scim), 404)
    assert_scim_error(await client.delete(url, headers=scim), 404)
    listed = await client.get(
        f"{SCIM}/Users", params={"filter": 'userName eq "gone@example.com"'}, headers=scim
    )
    assert listed.json()["totalResults"] == 0
    kept = await find_user(client, admin, "gone@example.com")
    assert kept["id"] == user["id"] and kept["active"] is False

    back = await client.post(f"{SCIM}/Users", json=okta_user("gone@example.com"), headers=scim)
    assert back.status_code == 201, back.text
    assert back.json()["id"] == user["id"] and back.json()["active"] is True
    assert (await client.get(url, headers=scim)).status_code == 200


async def test_role_groups_grant_and_withdraw_roles(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    scim, admin = await new_token(client, tenant), await tenant.admin_headers()
    user = await create_user(client, scim, "mentor@example.com")
    mentors = await client.post(
        f"{SCIM}/Groups",
        json={
            "schemas": [GROUP_SCHEMA],
            "displayName": "Mentors",
            "members": [{"value": user["id"]}],
        },
        headers=scim,
    )
    assert mentors.status_code == 201, mentors.text
    group = mentors.json()
    assert [m["value"] for m in group["members"]] == [user["id"]]
    assert group["members"][0]["$ref"].endswith(f"{SCIM}/Users/{user['id']}")
    assert (await find_user(client, admin, "mentor@example.com"))["roles"] == ["mentee", "mentor"]

    # A second group granting the same role: leaving one of them keeps the role.
    also = await client.post(
        f"{SCIM}/Groups", json={"schemas": [GROUP_SCHEMA], "displayName": "mentor"}, headers=scim
    )
    added = await client.patch(
        f"{SCIM}/Groups/{also.json()['id']}",
        json=patch({"op": "Add", "path": "members", "value": [{"value": user["id"]}]}),
        headers=scim,
    )
    assert added.status_code == 200, added.text
    found = await client.get(
        f"{SCIM}/Groups",
        params={"filter": f'displayName eq "mentors" and members[value eq "{user["id"]}"]'},
        headers=scim,
    )
    assert [g["id"] for g in found.json()["Resources"]] == [group["id"]]
    # Entra ID reads big groups without their members.
    bare = await client.get(
        f"{SCIM}/Groups/{group['id']}", params={"excludedAttributes": "members"}, headers=scim
    )
    assert bare.status_code == 200 and "members" not in bare.json()
    assert bare.json()["displayName"] == "Mentors"

    # Entra ID's way of removing a member.
    removed = await client.patch(
        f"{SCIM}/Groups/{group['id']}",
        json=patch({"op": "Remove", "path": f'members[value eq "{user["id"]}"]'}),
        headers=scim,
    )
    assert removed.status_code == 200, removed.text
    assert "members" not in removed.json()
    assert (await find_user(client, admin, "mentor@example.com"))["roles"] == ["mentee", "mentor"]
    # Entra ID also removes by value.
    removed = await client.patch(
        f"{SCIM}/Groups/{also.json()['id']}",
        json=patch({"op": "Remove", "path": "members", "value": [{"value": user["id"]}]}),
        headers=scim,
    )
    assert removed.status_code == 200, removed.text
    assert (await find_user(client, admin, "mentor@example.com"))["roles"] == ["mentee"]
    other = await client.post(
        f"{SCIM}/Groups",
        json={
            "schemas": [GROUP_SCHEMA],
            "displayName": "Book club",
            "members": [{"value": user["id"]}],
        },
        headers=scim,
    )
    assert other.status_code == 201
    assert (await find_user(client, admin, "mentor@example.com"))["roles"] == ["mentee"]


async def test_program_groups_enrol_in_the_program(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    scim, admin = await new_token(client, tenant), await tenant.admin_headers()
    [program] = (await client.get("/v1/programs", headers=admin)).json()["items"]
    assert program["name"] == DEFAULT_PROGRAM_NAME
    participants = f"/v1/programs/{program['id']}/participants"
    first = await create_user(client, scim, "first@example.com")
    second = await create_user(client, scim, "second@example.com")
    group = await client.post(
        f"{SCIM}/Groups",
        json={
            "schemas": [GROUP_SCHEMA],
            "displayName": f"{DEFAULT_PROGRAM_NAME.upper()} Mentees",
            "members": [{"value": first["id"]}],
        },
        headers=scim,
    )
    assert group.status_code == 201, group.text
    enrolled = (await client.get(participants, headers=admin)).json()["items"]
    assert [(p["user_id"], p["role"]) for p in enrolled] == [(first["id"], "mentee")]

    # Okta pushes the whole member list with a replace, and renames with the id in the value.
    members = [{"value": second["id"], "display": "second@example.com"}]
    replaced = await client.patch(
        f"{SCIM}/Groups/{group.json()['id']}",
        json=patch(
            {"op": "replace", "path": "members", "value": members},
            {
                "op": "replace",
                "value": {
                    "id": group.json()["id"],
                    "displayName": f"{DEFAULT_PROGRAM_NAME} mentees",
                },
            },
        ),
        headers=scim,
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["displayName"] == f"{DEFAULT_PROGRAM_NAME} mentees"
    enrolled = (await client.get(participants, headers=admin)).json()["items"]
    assert [(p["user_id"], p["role"]) for p in enrolled] == [(second["id"], "mentee")]

    deleted = await client.delete(f"{SCIM}/Groups/{group.json()['id']}", headers=scim)
    assert deleted.status_code == 204
    assert (await client.get(participants, headers=admin)).json()["items"] == []


async def test_every_error_under_scim_is_a_scim_error(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    scim = await new_token(client, tenant)
    assert_scim_error(await client.get(f"{SCIM}/Nothing", headers=scim), 404)
    assert_scim_error(await client.get(f"{SCIM}/Users/not-an-id", headers=scim), 404)
    assert_scim_error(await client.get(f"{SCIM}/Users/{uuid.uuid4()}", headers=scim), 404)
    assert_scim_error(await client.put(f"{SCIM}/ServiceProviderConfig", headers=scim), 405)
    not_json = await client.post(
        f"{SCIM}/Users",
        content=b"{not json",
        headers={**scim, "content-type": SCIM_JSON},
    )
    assert_scim_error(not_json, 400)
    assert_scim_error(
        await client.post(f"{SCIM}/Users", json=okta_user(" "), headers=scim), 400, "invalidValue"
    )
    assert_scim_error(
        await client.post(f"{SCIM}/Users", json=okta_user("x" * 321), headers=scim),
        400,
        "invalidValue",
    )
    assert_scim_error(
        await client.post(
            f"{SCIM}/Users", json={"schemas": [USER_SCHEMA], "active": True}, headers=scim
        ),
        400,
    )
    assert_scim_error(
        await client.get(f"{SCIM}/Users", params={"filter": 'title eq "x"'}, headers=scim),
        400,
        "invalidFilter",
    )
    assert_scim_error(
        await client.get(f"{SCIM}/Users", params={"filter": "userName eq"}, headers=scim),
        400,
        "invalidFilter",
    )
    assert_scim_error(
        await client.post(
            f"{SCIM}/Groups",
            json={
                "schemas": [GROUP_SCHEMA],
                "displayName": "X",
                "members": [{"value": str(uuid.uuid4())}],
            },
            headers=scim,
        ),
        400,
        "invalidValue",
    )
    assert_scim_error(
        await client.patch(
            f"{SCIM}/Users/{uuid.uuid4()}",
            json=patch({"op": "explode", "path": "active", "value": False}),
            headers=scim,
        ),
        400,
    )


async def test_filters_translate_to_the_columns(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    scim = await new_token(client, tenant)
    ada = await create_user(client, scim, "ada@example.com")
    off = await create_user(client, scim, "off@example.com", externalId="Ext-2", active=False)

    async def ids(query: str) -> set[str]:
        found = await client.get(f"{SCIM}/Users", params={"filter": query}, headers=scim)
        assert found.status_code == 200, (query, found.text)
        return {user["id"] for user in found.json()["Resources"]}

    assert await ids('displayName co "LOVE"') == {ada["id"], off["id"]}
    assert await ids("active eq false") == {off["id"]}
    assert await ids("not (active eq true)") == {off["id"]}
    assert await ids('externalId eq "Ext-2"') == {off["id"]}
    assert await ids('externalId eq "ext-2"') == set()  # externalId is case-exact
    assert await ids('userName sw "ADA@"') == {ada["id"]}
    assert await ids('emails.value ew "off@example.com"') == {off["id"]}
    assert await ids('emails[type eq "home"].value eq "ada@example.com"') == set()
    assert await ids(f'id eq "{ada["id"]}" or userName eq "off@example.com"') == {
        ada["id"],
        off["id"],
    }
    assert await ids('meta.created gt "2000-01-01T00:00:00Z" and displayName pr') >= {ada["id"]}
    assert await ids('id eq "not-a-uuid"') == set()
    assert_scim_error(
        await client.get(f"{SCIM}/Users", params={"filter": "active gt true"}, headers=scim),
        400,
        "invalidFilter",
    )


def test_group_names_decide_what_membership_grants() -> None:
    default, other = uuid.uuid4(), uuid.uuid4()
    programs = [(default, DEFAULT_PROGRAM_NAME), (other, "Leaders 2027")]
    assert group_effect("Mentors", programs) == GroupEffect(role="mentor")
    assert group_effect("  mentee ", programs) == GroupEffect(role="mentee")
    assert group_effect("ADMINS", programs) == GroupEffect(role="admin")
    assert group_effect("leaders  2027 Mentors", programs) == GroupEffect("mentor", other)
    assert group_effect(f"{DEFAULT_PROGRAM_NAME} mentee", programs) == GroupEffect(
        "mentee", default
    )
    assert group_effect("Leaders 2027 admins", programs) == GroupEffect()
    assert group_effect("Unknown program mentors", programs) == GroupEffect()
    assert group_effect("Book club", programs) == GroupEffect()
    twins = [*programs, (uuid.uuid4(), "Leaders 2027")]
    assert group_effect("Leaders 2027 mentors", twins) == GroupEffect()


_ROLES = st.frozensets(st.sampled_from(["mentee", "mentor", "admin"]))


@given(current=_ROLES, before=_ROLES, after=_ROLES)
def test_roles_follow_group_grants(
    current: frozenset[str], before: frozenset[str], after: frozenset[str]
) -> None:
    roles = set(roles_after(current, Grants(roles=before), Grants(roles=after)))
    assert roles  # an account always keeps a role
    assert after <= roles  # what a group still grants is held
    withdrawn = before - after
    assert not roles & withdrawn or roles == {"mentee"}  # unless mentee is all that is left
    assert (current - before - after) <= roles  # roles no group touched stay


async def test_paging_is_one_based(client: httpx.AsyncClient, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    scim = await new_token(client, tenant)
    for n in range(3):
        await create_user(client, scim, f"page{n}@example.com")
    seen: list[str] = []
    for start in (1, 3):
        page = await client.get(
            f"{SCIM}/Users", params={"startIndex": start, "count": 2}, headers=scim
        )
        body = page.json()
        assert body["totalResults"] == 4 and body["startIndex"] == start
        seen += [u["userName"] for u in body["Resources"]]
    assert seen == [tenant.admin_email] + [f"page{n}@example.com" for n in range(3)]


def _urn(result: Any) -> str | None:
    return result.data.get("urn") if isinstance(result.data, dict) else None


async def test_scim2_tester_finds_no_failure(
    client: httpx.AsyncClient, make_tenant: TenantFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant()
    scim = await new_token(client, tenant)
    async with httpx.AsyncClient(
        transport=client._transport,  # the gateway, in-process
        base_url=f"http://testserver{SCIM}",
        headers=scim,
    ) as scim_client:
        tester = GatewaySCIMClient(scim_client, asyncio.get_running_loop())
        results = await asyncio.to_thread(check_server, tester)
    counts = Counter(result.status.name for result in results)
    failed = {
        (result.title, result.resource_type, _urn(result)): result.reason
        for result in results
        if result.status in (Status.ERROR, Status.CRITICAL)
    }
    print(f"scim2-tester: {len(results)} checks: {dict(counts)}")
    for result in results:
        if result.status == Status.SKIPPED:
            print("skipped:", result.title, result.resource_type, result.reason)
    assert failed == {}, failed
    # Only features we do not offer are skipped (searching all resource types at once).
    assert {r.title for r in results if r.status == Status.SKIPPED} <= {"search_with_attributes"}
    assert counts["SUCCESS"] >= 100  # discovery worked and both resource types were exercised


async def test_locations_start_with_the_public_base_url_whatever_the_host_header(
    client: httpx.AsyncClient, make_tenant: TenantFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant()
    scim = await new_token(client, tenant)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://mentoring.example.com/")
    get_settings.cache_clear()
    try:
        created = await client.post(
            f"{SCIM}/Users",
            json=okta_user("host@example.com"),
            headers={**scim, "Host": "attacker.example"},
        )
        listed = await client.get(
            f"{SCIM}/Users", params={"filter": 'userName eq "host@example.com"'}, headers=scim
        )
    finally:
        monkeypatch.delenv("PUBLIC_BASE_URL")
        get_settings.cache_clear()
    assert created.status_code == 201, created.text
    location = f"https://mentoring.example.com{SCIM}/Users/{created.json()['id']}"
    assert created.json()["meta"]["location"] == location
    assert created.headers["location"] == location
    assert listed.json()["Resources"][0]["meta"]["location"] == location
    assert get_settings().base_url == f"http://localhost:{get_settings().port}"


async def test_user_name_is_whatever_the_identity_provider_sends(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    """Okta's custom login formats and Entra ID's mailNickname or employeeId: the account signs
    in with the primary email, and the identity provider finds the user by its userName."""
    tenant = await make_tenant()
    scim, admin = await new_token(client, tenant), await tenant.admin_headers()
    okta = okta_user(
        "ada.lovelace",
        emails=[
            {"value": "ada@personal.example", "type": "home"},
            {"value": "Ada@Corp.Example", "type": "work", "primary": True},
        ],
    )
    entra = {
        "schemas": [USER_SCHEMA],
        "userName": "E-10042",
        "externalId": "4f1c",
        "displayName": "Grace Hopper",
        "emails": [{"type": "work", "value": "grace@corp.example"}],
    }
    for body, user_name, email in (
        (okta, "ada.lovelace", "ada@corp.example"),
        (entra, "E-10042", "grace@corp.example"),
    ):
        created = await client.post(f"{SCIM}/Users", json=body, headers=scim)
        assert created.status_code == 201, created.text
        assert created.json()["userName"] == user_name
        account = await find_user(client, admin, email)
        assert account is not None and account["id"] == created.json()["id"]
        found = await client.get(
            f"{SCIM}/Users",
            params={"filter": f'userName eq "{user_name.upper()}"'},
            headers=scim,
        )
        assert [u["id"] for u in found.json()["Resources"]] == [created.json()["id"]]
        duplicate = {**body, "userName": user_name.lower(), "emails": []}
        assert_scim_error(
            await client.post(f"{SCIM}/Users", json=duplicate, headers=scim), 409, "uniqueness"
        )

    # A new primary address moves the sign-in; the account and its id stay.
    ada = (await find_user(client, admin, "ada@corp.example"))["id"]
    moved = await client.patch(
        f"{SCIM}/Users/{ada}",
        json=patch(
            {
                "op": "replace",
                "path": "emails",
                "value": [{"value": "ada@new.example", "primary": True}],
            }
        ),
        headers=scim,
    )
    assert moved.status_code == 200, moved.text
    assert (await find_user(client, admin, "ada@new.example"))["id"] == ada
    # Another account's email is not taken over.
    taken = await client.patch(
        f"{SCIM}/Users/{ada}",
        json=patch({"op": "replace", "path": "emails", "value": [{"value": "grace@corp.example"}]}),
        headers=scim,
    )
    assert_scim_error(taken, 409, "uniqueness")

    # An employee id and no email at all: the account exists (groups can grant it roles) and
    # signs in with an email once the identity provider sends one.
    bare = await client.post(
        f"{SCIM}/Users", json={"schemas": [USER_SCHEMA], "userName": "10043"}, headers=scim
    )
    assert bare.status_code == 201, bare.text
    assert bare.json()["userName"] == "10043" and "emails" not in bare.json()
    given = await client.patch(
        f"{SCIM}/Users/{bare.json()['id']}",
        json=patch({"op": "add", "path": "emails", "value": [{"value": "new.hire@corp.example"}]}),
        headers=scim,
    )
    assert given.status_code == 200, given.text
    assert (await find_user(client, admin, "new.hire@corp.example"))["id"] == bare.json()["id"]


@given(
    user_name=st.one_of(st.text(max_size=30), st.emails()),
    emails=st.lists(
        st.tuples(st.one_of(st.none(), st.text(max_size=20), st.emails()), st.booleans()),
        max_size=4,
    ),
)
def test_the_sign_in_email_prefers_a_primary_email_then_user_name(
    user_name: str, emails: list[tuple[str | None, bool]]
) -> None:
    chosen = sign_in_email(user_name, emails)
    valid = [(v.strip().lower(), p) for v, p in emails if v and sign_in_email("", [(v, p)])]
    if valid:
        primary = [v for v, p in valid if p]
        assert chosen == (primary[0] if primary else valid[0][0])
    else:
        assert chosen == sign_in_email(user_name, [])
    assert chosen is None or (chosen == chosen.strip().lower() and "@" in chosen)
