"""Authority comes from our tables: a token proves who is calling, the users table decides the
tenant, the roles and whether the account may act, on the very next request after a change,
with Redis up or down."""

import socket
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis.asyncio import Redis

from api.gateway import Gateway
from services.core import user_state
from services.core.auth import Identity, issue_token
from services.core.db import Database, database
from services.core.principal import principals
from services.core.queue import Lane
from services.core.settings import get_settings
from services.core.user_state import UserState, UserStateCache, user_state_key
from services.profiles.app import create_app as profiles_app
from tests.conftest import TenantFactory, TenantHandle, drain, http_client

PROGRAM = {"name": "Spring cohort"}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _dead_redis() -> Redis:
    return Redis.from_url(f"redis://127.0.0.1:{_closed_port()}/0", socket_connect_timeout=0.5)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _me(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, object]:
    response = await client.get("/v1/users/me", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _user_id(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    return str((await _me(client, headers))["id"])


async def _two_admins(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> tuple[dict[str, str], dict[str, str], str]:
    """The tenant's admin, a second admin, and the second admin's id."""
    admin = await tenant.admin_headers()
    other = await tenant.headers("second-admin@example.com", ["admin"])
    return admin, other, await _user_id(client, other)


async def _deliver_events() -> None:
    """What the workers do: relay the committed events, then run their subscribers."""
    await drain(Lane.INTERACTIVE)


@pytest.fixture
async def redis_down_client(rolled_back: None) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway with its Redis (rate limits and the authority cache) unreachable."""
    app = Gateway(get_settings(), database=database, redis=_dead_redis())
    try:
        async with http_client(app) as client:
            yield client
    finally:
        await app.close()


async def test_a_demoted_admin_is_refused_on_the_next_request_and_cannot_take_it_back(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin, demoted, demoted_id = await _two_admins(client, tenant)
    assert (await client.post("/v1/programs", json=PROGRAM, headers=demoted)).status_code == 201

    changed = await client.patch(
        f"/v1/users/{demoted_id}", json={"roles": ["mentee"]}, headers=admin
    )
    assert changed.status_code == 200, changed.text

    # The same token, still signed and unexpired, still saying "admin".
    refused = await client.post("/v1/programs", json=PROGRAM, headers=demoted)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert (await client.get("/v1/users", headers=demoted)).status_code == 403
    take_back = await client.patch(
        f"/v1/users/{demoted_id}", json={"roles": ["admin", "mentee"]}, headers=demoted
    )
    assert take_back.status_code == 403
    assert (await _me(client, demoted))["roles"] == ["mentee"]


async def test_tokens_naming_another_tenant_a_missing_tenant_or_a_missing_user_are_401(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    home, other = await make_tenant(), await make_tenant()
    admin = await home.admin_headers()
    admin_id = uuid.UUID(await _user_id(client, admin))  # its authority is cached now
    forged = {
        "another tenant": issue_token(
            tenant_id=other.id, user_id=admin_id, email=home.admin_email, roles=["admin"]
        ),
        "a missing tenant": issue_token(
            tenant_id=uuid.uuid4(), user_id=admin_id, email=home.admin_email, roles=["admin"]
        ),
        "a missing user": issue_token(
            tenant_id=home.id, user_id=uuid.uuid4(), email="ghost@example.com", roles=["admin"]
        ),
    }
    for case, token in forged.items():
        for method, path in (("GET", "/v1/users"), ("POST", "/v1/programs")):
            body = PROGRAM if method == "POST" else None
            response = await client.request(method, path, json=body, headers=_bearer(token))
            assert response.status_code == 401, (case, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == 401
    # Nothing was created in either tenant.
    listed = await client.get("/v1/programs", headers=admin)
    assert [p["name"] for p in listed.json()["items"]] == ["General mentoring"]


async def test_a_service_reached_directly_decides_from_the_database_too(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    home, other = await make_tenant(), await make_tenant()
    admin, demoted, demoted_id = await _two_admins(client, home)
    async with http_client(profiles_app(standalone=False)) as direct:
        assert (await direct.get("/v1/users", headers=demoted)).status_code == 200
        assert (
            await client.patch(f"/v1/users/{demoted_id}", json={"roles": ["mentor"]}, headers=admin)
        ).status_code == 200
        assert (await direct.get("/v1/users", headers=demoted)).status_code == 403
        elsewhere = issue_token(
            tenant_id=other.id,
            user_id=uuid.UUID(demoted_id),
            email="x@example.com",
            roles=["admin"],
        )
        response = await direct.get("/v1/users", headers=_bearer(elsewhere))
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"


async def test_deactivation_bites_on_the_next_request(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    mia = await tenant.headers("mia@example.com")
    mia_id = await _user_id(client, mia)
    assert (await client.get("/v1/programs", headers=mia)).status_code == 200

    off = await client.patch(f"/v1/users/{mia_id}", json={"active": False}, headers=admin)
    assert off.status_code == 200
    for path in ("/v1/users/me", "/v1/programs", "/v1/profiles/me", "/v1/mentors"):
        response = await client.get(path, headers=mia)
        assert response.status_code == 401, path
        assert "deactivated" in response.json()["detail"]

    on = await client.patch(f"/v1/users/{mia_id}", json={"active": True}, headers=admin)
    assert on.status_code == 200
    assert (await client.get("/v1/programs", headers=mia)).status_code == 200


async def test_a_role_given_by_the_token_command_counts_for_tokens_already_issued(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    mia = await tenant.headers("mia@example.com")
    assert (await client.get("/v1/users", headers=mia)).status_code == 403
    await tenant.token("mia@example.com", ["admin"])  # what `mentorship token --role admin` does
    assert (await client.get("/v1/users", headers=mia)).status_code == 200


async def test_a_role_given_by_an_import_counts_for_tokens_already_issued(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    from services.profiles.imports import tasks as job

    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    mia = await tenant.headers("mia@example.com")
    assert (await client.get("/v1/users", headers=mia)).status_code == 403
    accepted = await client.post(
        "/v1/admin/imports",
        content=b'{"email": "mia@example.com", "roles": ["admin", "mentee"]}\n',
        headers={**admin, "Content-Type": "application/x-ndjson"},
    )
    assert accepted.status_code == 202, accepted.text
    await job.run_import({}, accepted.json()["id"])
    assert (await client.get("/v1/users", headers=mia)).status_code == 200


async def test_with_redis_down_a_deactivated_user_and_a_demoted_admin_are_still_refused(
    redis_down_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = redis_down_client
    tenant = await make_tenant()
    admin, demoted, demoted_id = await _two_admins(client, tenant)
    mia = await tenant.headers("mia@example.com")
    mia_id = await _user_id(client, mia)
    assert (await client.get("/v1/users", headers=demoted)).status_code == 200

    assert (
        await client.patch(f"/v1/users/{mia_id}", json={"active": False}, headers=admin)
    ).status_code == 200
    assert (
        await client.patch(f"/v1/users/{demoted_id}", json={"roles": ["mentee"]}, headers=admin)
    ).status_code == 200

    assert (await client.get("/v1/programs", headers=mia)).status_code == 401
    assert (await client.post("/v1/programs", json=PROGRAM, headers=demoted)).status_code == 403
    assert (await client.get("/v1/users", headers=demoted)).status_code == 403
    assert (await client.get("/v1/users", headers=admin)).status_code == 200


async def test_with_the_database_down_an_uncached_caller_gets_503_not_500() -> None:
    dead = Database(f"postgresql://nobody@127.0.0.1:{_closed_port()}/nothing")
    app = Gateway(get_settings(), database=dead, redis=Redis.from_url(get_settings().redis_url))
    token = issue_token(
        tenant_id=uuid.uuid4(), user_id=uuid.uuid4(), email="x@example.com", roles=["admin"]
    )
    try:
        async with http_client(app) as client:
            response = await client.get("/v1/programs", headers=_bearer(token))
    finally:
        await app.close()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_stale_entry_left_by_a_failed_drop_is_repaired_by_the_outbox(
    committing_client: httpx.AsyncClient,
    make_tenant: TenantFactory,
    redis: Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = committing_client
    tenant = await make_tenant()
    admin, demoted, demoted_id = await _two_admins(client, tenant)
    mia = await tenant.headers("mia@example.com")
    mia_id = await _user_id(client, mia)
    await _deliver_events()  # what setting the tenant up announced
    assert await redis.exists(user_state_key(uuid.UUID(demoted_id)))

    # Redis is unreachable for the after-commit drop (the gateway's reads still work).
    with monkeypatch.context() as patched:
        patched.setattr(user_state, "user_states", UserStateCache(_dead_redis()))
        demote = {"roles": ["mentee"]}
        off = {"active": False}
        assert (
            await client.patch(f"/v1/users/{demoted_id}", json=demote, headers=admin)
        ).status_code == 200
        assert (
            await client.patch(f"/v1/users/{mia_id}", json=off, headers=admin)
        ).status_code == 200
    # The drop failed: both still pass on what the cache says.
    assert (await client.get("/v1/users", headers=demoted)).status_code == 200
    assert (await client.get("/v1/programs", headers=mia)).status_code == 200

    await _deliver_events()
    assert (await client.get("/v1/users", headers=demoted)).status_code == 403
    assert (await client.get("/v1/programs", headers=mia)).status_code == 401


async def test_a_request_that_read_the_row_before_a_change_cannot_cache_the_old_state(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin, demoted, demoted_id = await _two_admins(client, tenant)
    identity = Identity(tenant.id, uuid.UUID(demoted_id))
    read_before = await principals.load(identity)  # a slow request read the row ...
    assert read_before is not None and "admin" in read_before.roles
    assert (
        await client.patch(f"/v1/users/{demoted_id}", json={"roles": ["mentee"]}, headers=admin)
    ).status_code == 200
    await principals.cache.put(identity.user_id, read_before)  # ... and caches it too late
    assert (await client.get("/v1/users", headers=demoted)).status_code == 403


async def test_an_entry_expires_and_an_unreadable_one_is_a_miss(
    client: httpx.AsyncClient, make_tenant: TenantFactory, redis: Redis
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    key = user_state_key(uuid.UUID(await _user_id(client, admin)))
    ttl = await redis.ttl(key)
    assert 0 < ttl <= get_settings().user_state_ttl_seconds
    await redis.set(key, b'["written", "by another version"]', ex=60)
    assert (await client.get("/v1/users", headers=admin)).status_code == 200


@given(
    tenant_id=st.uuids(),
    roles=st.lists(st.sampled_from(["mentee", "mentor", "admin"]), unique=True).map(tuple),
    active=st.booleans(),
    email=st.text(max_size=50),
)
def test_a_state_reads_back_as_written(
    tenant_id: uuid.UUID, roles: tuple[str, ...], active: bool, email: str
) -> None:
    state = UserState(tenant_id, roles, active, email)
    assert UserState.decode(state.encode()) == state


@given(st.binary(max_size=200) | st.text(max_size=200))
def test_any_cache_entry_decodes_or_is_a_miss(raw: bytes | str) -> None:
    decoded = UserState.decode(raw)
    assert decoded is None or isinstance(decoded, UserState)
