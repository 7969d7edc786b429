"""An identity provider retrying or parallelising SCIM creates: of many creates of one userName
racing each other, exactly one creates the user (201); every other one is told it exists (409,
SCIM uniqueness), never handed the winner's user as if it had created it."""

import asyncio
from collections import Counter

import httpx

from tests.conftest import TenantFactory
from tests.services.profiles.test_scim import (
    SCIM,
    SCIM_JSON,
    assert_scim_error,
    new_token,
    okta_user,
)

CREATORS = 50
ROUNDS = 5


async def _race_creates(
    client: httpx.AsyncClient, scim: dict[str, str], email: str
) -> list[httpx.Response]:
    headers = {**scim, "Content-Type": SCIM_JSON}
    return list(
        await asyncio.gather(
            *(
                client.post(f"{SCIM}/Users", json=okta_user(email), headers=headers)
                for _ in range(CREATORS)
            )
        )
    )


async def _users_named(client: httpx.AsyncClient, scim: dict[str, str], email: str) -> list[str]:
    found = await client.get(
        f"{SCIM}/Users", params={"filter": f'userName eq "{email}"'}, headers=scim
    )
    return [resource["id"] for resource in found.json()["Resources"]]


async def test_racing_creates_of_one_user_name_give_one_201(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    scim = await new_token(committing_client, tenant)
    # The window a lost race needs is narrow: several rounds make a regression show.
    for round_ in range(ROUNDS):
        email = f"ada{round_}@example.com"
        responses = await _race_creates(committing_client, scim, email)

        assert Counter(r.status_code for r in responses) == {201: 1, 409: CREATORS - 1}
        for refused in (r for r in responses if r.status_code == 409):
            assert_scim_error(refused, 409)
            assert refused.json()["scimType"] == "uniqueness"
        (created,) = [r for r in responses if r.status_code == 201]
        assert await _users_named(committing_client, scim, email) == [created.json()["id"]]


async def test_racing_creates_of_a_deleted_user_bring_it_back_once(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    scim = await new_token(committing_client, tenant)
    headers = {**scim, "Content-Type": SCIM_JSON}
    first = await committing_client.post(
        f"{SCIM}/Users", json=okta_user("ada@example.com"), headers=headers
    )
    user_id = first.json()["id"]
    assert (
        await committing_client.delete(f"{SCIM}/Users/{user_id}", headers=scim)
    ).status_code == 204

    responses = await _race_creates(committing_client, scim, "ada@example.com")

    assert Counter(r.status_code for r in responses) == {201: 1, 409: CREATORS - 1}
    (revived,) = [r for r in responses if r.status_code == 201]
    assert revived.json()["id"] == user_id and revived.json()["active"] is True
    assert await _users_named(committing_client, scim, "ada@example.com") == [user_id]


async def test_racing_creates_of_one_user_name_in_two_cases_give_one_201(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    # userName is case-insensitive (RFC 7643 section 4.1.1): "Ada" and "ada" are one user, even
    # when each create brings its own email and only the database can tell them apart in time.
    tenant = await make_tenant()
    scim = await new_token(committing_client, tenant)
    headers = {**scim, "Content-Type": SCIM_JSON}
    for round_ in range(ROUNDS):
        names = [f"Ada{round_}", f"ada{round_}"]
        responses = await asyncio.gather(
            *(
                committing_client.post(
                    f"{SCIM}/Users",
                    json=okta_user(f"{name.lower()}-{n}@example.com", userName=name),
                    headers=headers,
                )
                for n, name in enumerate(names * (CREATORS // 2))
            )
        )

        assert Counter(r.status_code for r in responses) == {201: 1, 409: CREATORS - 1}
        for refused in (r for r in responses if r.status_code == 409):
            assert_scim_error(refused, 409)
            assert refused.json()["scimType"] == "uniqueness"
        (created,) = [r for r in responses if r.status_code == 201]
        for name in names:
            assert await _users_named(committing_client, scim, name) == [created.json()["id"]]
