"""Split mode: the gateway in front of services that run as their own processes."""

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from redis.asyncio import Redis

from api.gateway import Gateway
from services.core.db import database
from services.core.gateway_secret import gateway_secret
from services.core.settings import SERVICE_NAMES, get_settings
from services.standalone import create_app as standalone_app
from tests.conftest import TenantFactory, http_client
from tests.loopback import free_port, serving, silent_port


@asynccontextmanager
async def split_gateway(read_timeout: float = 30.0, **urls: str) -> AsyncIterator[Gateway]:
    """A split gateway; services not named point at ports nobody listens on. The read timeout
    is short only where a test waits for it: a loaded machine must not turn answers into 504s."""
    update: dict[str, object] = {
        "service_mode": "split",
        "upstream_read_timeout_seconds": read_timeout,
        **{f"{name}_url": f"http://127.0.0.1:{free_port()}" for name in SERVICE_NAMES},
        **{f"{name}_url": url for name, url in urls.items()},
    }
    settings = get_settings().model_copy(update=update)
    app = Gateway(settings, database=database, redis=Redis.from_url(settings.redis_url))
    try:
        yield app
    finally:
        await app.close()


def _scim() -> dict[str, str]:
    # SCIM paths go straight to the service (it checks its own tokens): no database needed here.
    return {"Authorization": f"Bearer scim_{uuid.uuid4().hex}"}


async def test_proxied_responses_carry_each_header_once(
    rolled_back, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    headers = await tenant.headers("m@example.com")
    async with (
        serving(standalone_app("profiles")) as profiles,
        split_gateway(profiles=profiles) as gateway,
        serving(gateway) as front,
        httpx.AsyncClient() as client,
    ):
        response = await client.get(front + "/v1/users/me", headers=headers)
    assert response.status_code == 200, response.text
    for name in ("date", "server", "content-type", "x-request-id"):
        assert len(response.headers.get_list(name)) == 1, (name, response.headers)


async def test_a_service_reached_directly_refuses_the_request(
    rolled_back, make_tenant: TenantFactory
) -> None:
    """Only the gateway, which adds its secret, gets an answer: a caller who finds a service's
    port cannot skip the gateway's rate limits."""
    tenant = await make_tenant()
    headers = await tenant.headers("m@example.com")
    async with (
        serving(standalone_app("profiles")) as profiles,
        split_gateway(profiles=profiles) as gateway,
        http_client(gateway) as through_gateway,
        httpx.AsyncClient() as direct,
    ):
        refused = await direct.get(profiles + "/v1/users/me", headers=headers)
        guessed = await direct.get(
            profiles + "/v1/users/me", headers={**headers, "X-Gateway-Secret": "guess"}
        )
        probe = await direct.get(profiles + "/healthz")
        spoofed = await through_gateway.get(
            "/v1/users/me", headers={**headers, "X-Gateway-Secret": "guess"}
        )
        allowed = await direct.get(
            profiles + "/v1/users/me", headers={**headers, "X-Gateway-Secret": gateway_secret()}
        )
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert guessed.status_code == 403
    assert probe.status_code == 200  # liveness probes ask the service itself
    assert spoofed.status_code == 200  # the gateway sends its own secret, not the caller's
    assert allowed.status_code == 200


async def test_a_service_that_does_not_answer_is_504_after_the_read_timeout() -> None:
    with silent_port() as hung:
        async with split_gateway(0.5, profiles=hung) as gateway, http_client(gateway) as client:
            started = time.monotonic()
            response = await client.get("/scim/v2/Users", headers=_scim())
            waited = time.monotonic() - started
    assert response.status_code == 504
    assert response.headers["content-type"] == "application/problem+json"
    assert 0.4 <= waited < 3  # the configured 0.5 s, not a minute


async def test_a_service_that_is_down_is_502_at_once() -> None:
    async with split_gateway() as gateway, http_client(gateway) as client:
        started = time.monotonic()
        response = await client.get("/scim/v2/Users", headers=_scim())
        waited = time.monotonic() - started
    assert response.status_code == 502
    assert response.json()["status"] == 502
    assert waited < 2  # refused at once, not after a timeout (loose: the machine may be busy)


async def test_readiness_needs_every_split_service() -> None:
    async with serving(standalone_app("profiles")) as service:
        # One live app stands in for all four: readiness asks each URL for /healthz.
        everyone = dict.fromkeys(SERVICE_NAMES, service)
        async with split_gateway(**everyone) as gateway, http_client(gateway) as client:
            ready = await client.get("/readyz")
        async with (
            split_gateway(**{**everyone, "matching": f"http://127.0.0.1:{free_port()}"}) as gateway,
            http_client(gateway) as client,
        ):
            one_down = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == dict.fromkeys(("postgres", "redis", *SERVICE_NAMES), "ok")
    assert one_down.status_code == 503
    assert one_down.json()["checks"]["matching"].startswith("unavailable")
    assert one_down.json()["checks"]["profiles"] == "ok"
    assert "matching" in one_down.json()["detail"]
