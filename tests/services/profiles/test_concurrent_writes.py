"""Optimistic concurrency under real concurrency: many clients holding the same ETag write at
once, through the gateway, with real commits. Exactly one wins; every other one is told 412 and
its write is not applied, so no write is silently lost."""

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable

import httpx

from tests.conftest import TenantFactory

WRITERS = 50


async def _race(write: Callable[[int], Awaitable[httpx.Response]]) -> list[httpx.Response]:
    return list(await asyncio.gather(*(write(i) for i in range(WRITERS))))


def _statuses(responses: list[httpx.Response]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


def _winner(responses: list[httpx.Response]) -> httpx.Response:
    (winner,) = [r for r in responses if r.status_code == 200]
    return winner


async def test_patches_with_one_etag_let_exactly_one_profile_write_through(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    headers = await tenant.headers("ada@example.com", ["mentee"])
    first = await committing_client.put("/v1/profiles/me", json={"bio": "v1"}, headers=headers)
    assert first.status_code == 200
    read = {**headers, "If-Match": first.headers["etag"]}

    responses = await _race(
        lambda i: committing_client.patch("/v1/profiles/me", json={"bio": f"by {i}"}, headers=read)
    )

    assert _statuses(responses) == {200: 1, 412: WRITERS - 1}
    winner = _winner(responses)
    stored = await committing_client.get("/v1/profiles/me", headers=headers)
    assert stored.json()["bio"] == winner.json()["bio"]
    assert stored.headers["etag"] == winner.headers["etag"] == '"2"'
    assert all(
        r.headers["content-type"] == "application/problem+json"
        for r in responses
        if r.status_code == 412
    )


async def test_puts_with_one_etag_let_exactly_one_profile_write_through(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    headers = await tenant.headers("ada@example.com", ["mentee"])
    first = await committing_client.put("/v1/profiles/me", json={"bio": "v1"}, headers=headers)
    read = {**headers, "If-Match": first.headers["etag"]}

    responses = await _race(
        lambda i: committing_client.put("/v1/profiles/me", json={"bio": f"by {i}"}, headers=read)
    )

    assert _statuses(responses) == {200: 1, 412: WRITERS - 1}
    stored = (await committing_client.get("/v1/profiles/me", headers=headers)).json()
    assert stored["bio"] == _winner(responses).json()["bio"]


async def test_first_writes_racing_with_etag_zero_create_one_profile_and_refuse_the_rest(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    headers = await tenant.headers("new@example.com", ["mentee"])
    unwritten = await committing_client.get("/v1/profiles/me", headers=headers)
    assert unwritten.headers["etag"] == '"0"'
    read = {**headers, "If-Match": '"0"'}

    responses = await _race(
        lambda i: committing_client.put("/v1/profiles/me", json={"bio": f"by {i}"}, headers=read)
    )

    assert _statuses(responses) == {200: 1, 412: WRITERS - 1}
    stored = await committing_client.get("/v1/profiles/me", headers=headers)
    assert stored.json()["bio"] == _winner(responses).json()["bio"]
    assert stored.headers["etag"] == '"1"'


async def test_first_writes_racing_without_etag_all_apply_one_after_another(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    # No If-Match: the client accepts last-writer-wins, so no one is refused (no 409, no 412).
    tenant = await make_tenant()
    headers = await tenant.headers("new@example.com", ["mentee"])
    writers = 10
    responses = await asyncio.gather(
        *(
            committing_client.patch("/v1/profiles/me", json={"bio": f"by {i}"}, headers=headers)
            for i in range(writers)
        )
    )
    assert _statuses(responses) == {200: writers}
    assert sorted(r.headers["etag"] for r in responses) == sorted(
        f'"{v}"' for v in range(1, writers + 1)
    )
    stored = await committing_client.get("/v1/profiles/me", headers=headers)
    assert stored.headers["etag"] == f'"{writers}"'


async def test_user_patches_with_one_etag_let_exactly_one_write_through(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    member = await committing_client.get(
        "/v1/users/me", headers=await tenant.headers("bo@example.com")
    )
    url = f"/v1/users/{member.json()['id']}"
    read = await committing_client.get(url, headers=admin)
    assert read.headers["etag"] == '"1"'
    stale = {**admin, "If-Match": read.headers["etag"]}

    responses = await _race(
        lambda i: committing_client.patch(url, json={"display_name": f"Bo {i}"}, headers=stale)
    )

    assert _statuses(responses) == {200: 1, 412: WRITERS - 1}
    winner = _winner(responses)
    stored = await committing_client.get(url, headers=admin)
    assert stored.json()["display_name"] == winner.json()["display_name"]
    assert stored.headers["etag"] == winner.headers["etag"] == '"2"'


async def test_program_patches_with_one_etag_let_exactly_one_write_through(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    program = await committing_client.post("/v1/programs", json={"name": "Cohort"}, headers=admin)
    url = f"/v1/programs/{program.json()['id']}"
    stale = {**admin, "If-Match": program.headers["etag"]}

    responses = await _race(
        lambda i: committing_client.patch(url, json={"name": f"Cohort {i}"}, headers=stale)
    )

    assert _statuses(responses) == {200: 1, 412: WRITERS - 1}
    stored = await committing_client.get(url, headers=admin)
    assert stored.json()["name"] == _winner(responses).json()["name"]


async def test_a_write_by_any_path_moves_the_etag(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    # The version is the ORM's, not each route's: an identity provider renaming the user over
    # SCIM makes the admin's ETag stale, so the admin's PATCH cannot undo the rename unseen.
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    token = await committing_client.post("/v1/tenant/scim-tokens", headers=admin)
    scim = {"Authorization": f"Bearer {token.json()['token']}"}
    created = await committing_client.post(
        "/scim/v2/Users",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "ada@example.com",
            "displayName": "Ada",
        },
        headers={**scim, "Content-Type": "application/scim+json"},
    )
    url = f"/v1/users/{created.json()['id']}"
    read = await committing_client.get(url, headers=admin)

    renamed = await committing_client.patch(
        f"/scim/v2/Users/{created.json()['id']}",
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "displayName", "value": "Ada Lovelace"}],
        },
        headers={**scim, "Content-Type": "application/scim+json"},
    )
    assert renamed.status_code == 200

    stale = await committing_client.patch(
        url, json={"display_name": "Ada L."}, headers={**admin, "If-Match": read.headers["etag"]}
    )
    assert stale.status_code == 412
    now = await committing_client.get(url, headers=admin)
    assert now.json()["display_name"] == "Ada Lovelace"
    assert now.headers["etag"] != read.headers["etag"]
