"""Fixtures: real PostgreSQL and Redis (the environment's, or the embedded ones), a fresh
database for the run, and an httpx client that goes through the gateway in-process."""

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from arq.worker import Worker
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

RUN_ID = uuid.uuid4().hex[:10]
_KEYS = Path(tempfile.mkdtemp(prefix="mentorship-test-keys-"))
os.environ["SIGNING_KEY_PATH"] = str(_KEYS / "signing-key.pem")
os.environ["INTERACTIVE_QUEUE"] = f"mentorship:test:{RUN_ID}:interactive"
os.environ["BULK_QUEUE"] = f"mentorship:test:{RUN_ID}:bulk"
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Every test run on this machine calls from 127.0.0.1 into one shared Redis: with the default
# per-address budget, one run's refused requests would make another run's 401s into 429s.
# The tests of that limit set their own budget and address.
os.environ.setdefault("RATE_LIMIT_ADDRESS_PER_MINUTE", "1000000")
# Gateways the tests start serve no metrics port unless a test asks for one: the default port
# may be held by a `make run` or another test run on the same machine.
os.environ.setdefault("METRICS_PORT", "0")
# Tests that warm an index do it themselves; no process warms tenants behind a test's back.
os.environ.setdefault("MATCHING_WARM_TENANTS", "0")

from deploy.embedded import ensure_environment  # noqa: E402

ensure_environment(Path(os.environ.get("DATA_DIR", ".data")))
SERVER_URL = os.environ["DATABASE_URL"]
TEST_DATABASE = f"mentorship_test_{RUN_ID}"


def _asyncpg_dsn(url: str, database: str) -> dict[str, object]:
    parsed = make_url(url)
    params: dict[str, object] = {
        "user": parsed.username,
        "password": parsed.password or None,
        "database": database,
        "host": parsed.query.get("host") or parsed.host,
        "port": parsed.port,
    }
    return params


async def _admin(sql: str) -> None:
    maintenance = make_url(SERVER_URL).database or "postgres"
    connection = await asyncpg.connect(**_asyncpg_dsn(SERVER_URL, maintenance))  # type: ignore[arg-type]
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def pytest_configure(config: pytest.Config) -> None:
    asyncio.run(_admin(f'CREATE DATABASE "{TEST_DATABASE}"'))
    os.environ["DATABASE_URL"] = (
        make_url(SERVER_URL).set(database=TEST_DATABASE).render_as_string(hide_password=False)
    )
    from deploy.migrate import upgrade

    upgrade()


def pytest_unconfigure(config: pytest.Config) -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{TEST_DATABASE}" WITH (FORCE)'))


from api.gateway import Gateway  # noqa: E402
from services.core.auth import issue_token  # noqa: E402
from services.core.db import database  # noqa: E402
from services.core.queue import Lane  # noqa: E402
from services.core.settings import get_settings  # noqa: E402
from services.profiles.tenants.service import create_tenant, tenant_by_slug  # noqa: E402
from services.profiles.users.service import ensure_user  # noqa: E402
from workers.main import create_worker  # noqa: E402


@pytest.fixture(scope="session")
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(get_settings().redis_url)
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
async def gateway(redis: Redis) -> AsyncIterator[Gateway]:
    app = Gateway(get_settings(), database=database, redis=Redis.from_url(get_settings().redis_url))
    yield app
    await app.close()


@pytest.fixture
async def rolled_back() -> AsyncIterator[None]:
    """Everything the test writes, even what the code commits, is rolled back at the end."""
    connection = await database.engine.connect()
    transaction = await connection.begin()
    database.bind_to_connection(connection)
    try:
        yield
    finally:
        await transaction.rollback()
        database.reset_binding()
        await connection.close()


def http_client(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def client(gateway: Gateway, rolled_back: None) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(gateway) as c:
        yield c


@pytest.fixture
async def committing_client(gateway: Gateway) -> AsyncIterator[httpx.AsyncClient]:
    """For tests that need real commits (concurrency, workers); each uses its own tenant."""
    async with http_client(gateway) as c:
        yield c


@dataclass
class TenantHandle:
    id: uuid.UUID
    slug: str
    admin_email: str

    async def token(self, email: str, roles: list[str] | None = None) -> str:
        async with database.transaction(tenant_id=self.id) as session:
            tenant = await tenant_by_slug(session, self.slug)
            user = await ensure_user(session, tenant, email, roles or [])
        return issue_token(
            tenant_id=user.tenant_id, user_id=user.id, email=user.email, roles=user.roles
        )

    async def headers(self, email: str, roles: list[str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(email, roles)}"}

    async def admin_headers(self) -> dict[str, str]:
        return await self.headers(self.admin_email, ["admin"])


TenantFactory = Callable[[], Awaitable[TenantHandle]]


@pytest.fixture
def make_tenant() -> TenantFactory:
    async def create() -> TenantHandle:
        slug = f"t-{uuid.uuid4().hex[:12]}"
        admin_email = f"admin@{slug}.example"
        async with database.transaction() as session:
            tenant = await create_tenant(
                session, slug=slug, name=f"Tenant {slug}", admin_email=admin_email
            )
        return TenantHandle(tenant.id, slug, admin_email)

    return create


def burst_worker(lane: Lane = Lane.INTERACTIVE) -> Worker:
    """The real worker of a lane on its test queue, running what is queued and then stopping
    (no cron, no startup checks)."""
    return create_worker(
        lane,
        burst=True,
        poll_delay=0.05,
        handle_signals=False,
        cron_jobs=[],
        on_startup=None,
    )


async def drain(*lanes: Lane) -> None:
    """Run the lanes' burst workers until none of their queues holds a job (a job may queue
    others, on either lane)."""
    from services.core.queue import Queue

    probe = Queue()
    try:
        for _ in range(20):
            for lane in lanes:
                worker = burst_worker(lane)
                try:
                    await worker.main()
                finally:
                    await worker.close()
            if all([await probe.length(lane) == 0 for lane in lanes]):
                return
        raise AssertionError("the queues did not drain")
    finally:
        await probe.close()
