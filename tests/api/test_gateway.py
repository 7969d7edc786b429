"""The gateway's own duties: health, readiness, metrics, request ids, rate limits, one OpenAPI."""

import socket
import time
import uuid
from collections.abc import Callable

import httpx
from redis.asyncio import Redis

from api.gateway import Gateway
from services.core.db import Database, database
from services.core.settings import get_settings
from tests.conftest import TenantFactory, http_client


def _frozen_mid_window() -> Callable[[], float]:
    """A clock stopped half a minute into the current window: counts made in one test stay in
    one window even when the real minute turns over."""
    stopped = (time.time() // 60) * 60 + 30
    return lambda: stopped


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_liveness_and_readiness(client) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"postgres": "ok", "redis": "ok"}


async def test_readiness_is_503_when_postgres_is_unreachable() -> None:
    dead = Database(f"postgresql://nobody@127.0.0.1:{_closed_port()}/nothing")
    app = Gateway(get_settings(), database=dead, redis=Redis.from_url(get_settings().redis_url))
    try:
        async with http_client(app) as client:
            response = await client.get("/readyz")
    finally:
        await app.close()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["checks"]["redis"] == "ok"
    assert body["checks"]["postgres"].startswith("unavailable")


async def test_readiness_is_503_when_redis_is_unreachable() -> None:
    redis = Redis.from_url(f"redis://127.0.0.1:{_closed_port()}/0", socket_connect_timeout=0.5)
    app = Gateway(get_settings(), database=Database(), redis=redis)
    try:
        async with http_client(app) as client:
            response = await client.get("/readyz")
    finally:
        await app.close()
    assert response.status_code == 503
    assert response.json()["checks"]["postgres"] == "ok"


async def test_request_ids_are_assigned_or_echoed(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    headers = await tenant.headers("m@example.com")
    generated = await client.get("/v1/users/me", headers=headers)
    assert len(generated.headers["x-request-id"]) >= 16
    echoed = await client.get("/v1/users/me", headers={**headers, "X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    unauthenticated = await client.get("/v1/users/me", headers={"X-Request-ID": "trace-9"})
    assert unauthenticated.headers["x-request-id"] == "trace-9"
    hostile = await client.get("/healthz", headers={"X-Request-ID": "a\tb" + "x" * 300})
    assert hostile.headers["x-request-id"] != "a\tb" + "x" * 300


async def test_unknown_paths_are_404_problems(client) -> None:
    response = await client.get("/v2/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_metrics_count_requests(gateway: Gateway, client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    await client.get("/v1/users/me", headers=await tenant.headers("m@example.com"))
    assert (await client.get("/metrics")).status_code == 404  # not on the public port
    async with http_client(gateway.metrics) as metrics:
        text = (await metrics.get("/metrics")).text
    assert 'http_requests_total{method="GET",service="profiles",status="200"}' in text
    assert "http_request_duration_seconds_bucket" in text


async def test_openapi_lists_every_service_with_unique_ids(client) -> None:
    document = (await client.get("/openapi.json")).json()
    paths = document["paths"]
    for path in (
        "/v1/users/me",
        "/v1/programs",
        "/v1/tenant",
        "/v1/requests",
        "/v1/mentorships",
        "/v1/matching/runs/{run_id}",
        "/healthz",
        "/readyz",
    ):
        assert path in paths, path
    ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert "get_current_user" in ids
    assert "HTTPBearer" in document["components"]["securitySchemes"]
    assert (await client.get("/docs")).status_code == 200


async def test_rate_limit_answers_429_with_retry_after(
    rolled_back, make_tenant: TenantFactory
) -> None:
    settings = get_settings().model_copy(update={"rate_limit_user_per_minute": 3})
    app = Gateway(settings, database=database, redis=Redis.from_url(settings.redis_url))
    app.rate_limiter.clock = _frozen_mid_window()
    tenant = await make_tenant()
    headers = await tenant.headers("busy@example.com")
    try:
        async with http_client(app) as client:
            statuses = [
                (await client.get("/v1/users/me", headers=headers)).status_code for _ in range(5)
            ]
            limited = await client.get("/v1/users/me", headers=headers)
            other = await client.get(
                "/v1/users/me", headers=await tenant.headers("calm@example.com")
            )
    finally:
        await app.close()
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 61
    assert limited.headers["content-type"] == "application/problem+json"
    assert other.status_code == 200  # the limit is per user


async def test_split_mode_routes_over_http(rolled_back, make_tenant: TenantFactory) -> None:
    """The gateway proxies to a service over HTTP; the service, an ASGI app behind a real
    loopback server, checks the token itself."""
    import asyncio
    import contextlib

    import uvicorn

    from services.profiles.app import create_app

    port = _closed_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(standalone=False), host="127.0.0.1", port=port, log_level="error")
    )
    serving = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.02)
    settings = get_settings().model_copy(
        update={"service_mode": "split", "profiles_url": f"http://127.0.0.1:{port}"}
    )
    app = Gateway(settings, database=database, redis=Redis.from_url(settings.redis_url))
    tenant = await make_tenant()
    try:
        async with http_client(app) as client:
            me = await client.get(
                "/v1/users/me",
                headers={**await tenant.headers("m@example.com"), "X-Request-ID": "split-1"},
            )
            anonymous = await client.get("/v1/users/me")
            async with httpx.AsyncClient() as direct:
                direct_anonymous = await direct.get(f"http://127.0.0.1:{port}/v1/users/me")
    finally:
        await app.close()
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await serving
    assert me.status_code == 200, me.text
    assert me.json()["email"] == "m@example.com"
    assert me.headers["x-request-id"] == "split-1"
    assert anonymous.status_code == 401
    assert direct_anonymous.status_code == 401


async def test_integrations_are_rate_limited_by_credential(rolled_back) -> None:
    settings = get_settings().model_copy(update={"rate_limit_tenant_per_minute": 2})
    app = Gateway(settings, database=database, redis=Redis.from_url(settings.redis_url))
    app.rate_limiter.clock = _frozen_mid_window()
    token = {"Authorization": f"Bearer scim_{uuid.uuid4().hex}"}
    try:
        async with http_client(app) as client:
            responses = [await client.get("/scim/v2/Users", headers=token) for _ in range(3)]
            other = await client.get(
                "/scim/v2/Users", headers={"Authorization": f"Bearer scim_{uuid.uuid4().hex}"}
            )
    finally:
        await app.close()
    statuses = [r.status_code for r in responses]
    assert statuses[:2] == [401, 401]  # counted, then refused by the service: a bad SCIM token
    assert statuses[2] == 429
    assert responses[2].headers["content-type"] == "application/scim+json"  # what SCIM clients read
    assert responses[2].json()["status"] == "429"
    assert "retry-after" in responses[2].headers
    assert other.status_code == 401  # another credential has its own budget


async def test_oversized_bodies_are_refused_before_they_are_read(
    rolled_back, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    headers = await tenant.admin_headers()
    limit = get_settings().max_body_bytes
    async with http_client(
        Gateway(get_settings(), database=database, redis=Redis.from_url(get_settings().redis_url))
    ) as client:
        declared = await client.post(
            "/v1/programs",
            content=b"{}",
            headers={
                **headers,
                "content-type": "application/json",
                "content-length": str(limit + 1),
            },
        )
        assert declared.status_code == 413
        assert declared.headers["content-type"] == "application/problem+json"
        listed = await client.get("/v1/programs", headers=headers)
    assert len(listed.json()["items"]) == 1
