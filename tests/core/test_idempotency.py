"""Idempotency-Key: a retried POST answers the first response and creates nothing new."""

import asyncio
import uuid

from tests.conftest import TenantFactory


async def _count_programs(client, headers) -> int:
    return len(
        (await client.get("/v1/programs", params={"limit": 100}, headers=headers)).json()["items"]
    )


async def test_replay_returns_the_first_response(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    headers = {**await tenant.admin_headers(), "Idempotency-Key": "create-cohort-1"}
    first = await client.post("/v1/programs", json={"name": "Cohort"}, headers=headers)
    again = await client.post("/v1/programs", json={"name": "Cohort"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert "idempotent-replayed" not in first.headers
    assert await _count_programs(client, headers) == 2  # default + one


async def test_same_key_other_body_is_422(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    headers = {**await tenant.admin_headers(), "Idempotency-Key": "k-1"}
    await client.post("/v1/programs", json={"name": "Cohort"}, headers=headers)
    other = await client.post("/v1/programs", json={"name": "Different"}, headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert "different request" in other.json()["detail"]
    assert await _count_programs(client, headers) == 2


async def test_failed_request_does_not_burn_the_key(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    headers = {**await tenant.admin_headers(), "Idempotency-Key": "k-2"}
    bad = await client.post("/v1/programs", json={"name": ""}, headers=headers)
    assert bad.status_code == 422
    fixed = await client.post("/v1/programs", json={"name": ""}, headers=headers)
    assert fixed.status_code == 422
    assert "idempotent-replayed" not in fixed.headers
    good = await client.post("/v1/programs", json={"name": "Now valid"}, headers=headers)
    assert good.status_code == 201


async def test_keys_belong_to_one_user(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    ada = {**await tenant.headers("ada@example.com", ["admin"]), "Idempotency-Key": "same"}
    bob = {**await tenant.headers("bob@example.com", ["admin"]), "Idempotency-Key": "same"}
    a = await client.post("/v1/programs", json={"name": "A"}, headers=ada)
    b = await client.post("/v1/programs", json={"name": "B"}, headers=bob)
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]
    too_long = {**ada, "Idempotency-Key": "x" * 300}
    assert (
        await client.post("/v1/programs", json={"name": "C"}, headers=too_long)
    ).status_code == 422


async def test_concurrent_duplicates_create_one_resource(
    committing_client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    headers = {**await tenant.admin_headers(), "Idempotency-Key": f"race-{uuid.uuid4()}"}
    responses = await asyncio.gather(
        *(
            committing_client.post("/v1/programs", json={"name": "Raced"}, headers=headers)
            for _ in range(6)
        )
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 5
    names = [
        p["name"]
        for p in (await committing_client.get("/v1/programs", headers=headers)).json()["items"]
    ]
    assert names.count("Raced") == 1
