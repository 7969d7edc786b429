"""Requests without a valid credential are limited per client address."""

import random
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from redis.asyncio import Redis

from api.gateway import Gateway
from services.core.db import database
from services.core.settings import get_settings
from tests.conftest import TenantFactory


def _address() -> str:
    # A fresh address per test: reruns and other test runs on this Redis count elsewhere.
    return f"198.18.{random.randrange(256)}.{random.randrange(1, 255)}"


@asynccontextmanager
async def _gateway(per_address: int) -> AsyncIterator[Gateway]:
    settings = get_settings().model_copy(update={"rate_limit_address_per_minute": per_address})
    app = Gateway(settings, database=database, redis=Redis.from_url(settings.redis_url))
    stopped = (time.time() // 60) * 60 + 30  # mid-window: one test's counts stay in one minute
    app.rate_limiter.clock = lambda: stopped
    try:
        yield app
    finally:
        await app.close()


def _from(app: Gateway, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_an_address_sending_no_valid_token_gets_429(
    rolled_back, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    headers = await tenant.headers("m@example.com")
    address = _address()
    async with _gateway(per_address=3) as app, _from(app, address) as client:
        refused = [
            (await client.get("/v1/users/me", headers={"Authorization": f"Bearer {bad}"}))
            for bad in ("", "not-a-jwt", "a.b.c")
        ]
        limited = await client.get("/v1/programs")
        signed_in = await client.get("/v1/users/me", headers=headers)
        async with _from(app, _address()) as elsewhere:
            other = await elsewhere.get("/v1/users/me")
    assert [r.status_code for r in refused] == [401, 401, 401]
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert 1 <= int(limited.headers["retry-after"]) <= 61
    assert signed_in.status_code == 200  # a caller with a valid token is not slowed down
    assert other.status_code == 401  # each address has its own budget


async def test_made_up_scim_tokens_use_up_the_address_budget(rolled_back) -> None:
    """A new guess per request gets no new per-credential budget: the address pays."""
    async with _gateway(per_address=2) as app, _from(app, _address()) as client:
        guesses = [
            await client.get(
                "/scim/v2/Users", headers={"Authorization": f"Bearer scim_{uuid.uuid4().hex}"}
            )
            for _ in range(3)
        ]
    assert [r.status_code for r in guesses] == [401, 401, 429]
    assert guesses[2].headers["content-type"] == "application/scim+json"
    assert "retry-after" in guesses[2].headers
