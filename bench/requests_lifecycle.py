"""Complete request lifecycles through the gateway, in-process (httpx ASGITransport): a mentee
creates a careful draft to a mentor, sends it (the review runs, the program's policies are
checked under the mentee's lock), and the mentor accepts it (a place is taken, the mentorship
starts with its goals, the events are written). Each lifecycle is three requests, by a mentee
of its own, to one of 50 mentors with room for all of them. The people and their profiles are
made before the clock starts. Target: at least 150 lifecycles a second.

Run: make bench ARGS=requests (after the review's figures)
"""

import asyncio
import os
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

TARGET_PER_SECOND = 150
MENTORS = 50
LIFECYCLES = 2000
CONCURRENCY = 8
WARM_UP = 40


def _mentor_profile(index: int) -> dict[str, Any]:
    return {
        "headline": f"Staff engineer {index}, payment systems",
        "timezone": "Europe/Berlin",
        "languages": ["en"],
        "industries": ["FinTech"],
        "availability": {
            "weekly": [{"weekday": day, "start": "09:00", "end": "17:00"} for day in range(5)],
            "hours_per_month": 6,
        },
        "skills": [
            {"name": "Kubernetes", "level": 5, "kind": "expertise"},
            {"name": "Python", "level": 4, "kind": "expertise"},
        ],
        "achievements": [{"title": "Led the payments rewrite"}],
        "mentor": {"capacity": 50, "accepting_requests": True},
    }


def _draft(mentor_id: str, index: int) -> dict[str, Any]:
    start = (datetime.now(UTC) + timedelta(days=8)).replace(hour=9, minute=0, second=0)
    return {
        "mentor_id": mentor_id,
        "message": (
            "Hello, I look after our checkout service and read how you led the payments "
            "rewrite without downtime. I would value your view on sequencing our own move "
            f"to Kubernetes and on bringing a sceptical team along. (#{index})"
        ),
        "goals": ["Lead the migration of our checkout to Kubernetes by Q3"],
        "objectives": ["Draft a migration plan", "Run two design reviews"],
        "questions": ["How did you decide the order in which services moved?"],
        "cadence": {"interval_days": 14, "session_minutes": 45},
        "duration_months": 6,
        "meeting_options": [
            {"start": start.isoformat(), "end": (start + timedelta(minutes=45)).isoformat()}
        ],
        "contribution": "I can share what we learn about PCI compliance in checkout",
    }


async def _people(slug: str, mentees: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Bearer headers of the mentors and of the mentees, created in one transaction."""
    from services.core.auth import issue_token
    from services.core.db import database
    from services.core.tenancy import bind_tenant
    from services.profiles.tenants.service import tenant_by_slug
    from services.profiles.users.service import ensure_user

    async def people(prefix: str, count: int, roles: list[str]) -> list[dict[str, str]]:
        headers = []
        async with database.transaction() as session:
            tenant = await tenant_by_slug(session, slug)
            bind_tenant(session, tenant.id)
            for i in range(count):
                user = await ensure_user(session, tenant, f"{prefix}{i}@{slug}.example", roles)
                token = issue_token(
                    tenant_id=tenant.id,
                    user_id=user.id,
                    email=user.email,
                    roles=user.roles,
                    ttl_seconds=7200,
                )
                headers.append({"Authorization": f"Bearer {token}"})
        return headers

    return await people("mentor", MENTORS, ["mentor"]), await people("mentee", mentees, [])


async def _lifecycle(
    client: httpx.AsyncClient,
    mentee: dict[str, str],
    mentor: tuple[dict[str, str], str],
    index: int,
) -> float:
    started = time.perf_counter()
    created = await client.post("/v1/requests", json=_draft(mentor[1], index), headers=mentee)
    assert created.status_code == 201, created.text
    path = f"/v1/requests/{created.json()['id']}"
    sent = await client.post(f"{path}/send", headers=mentee)
    assert sent.status_code == 200, sent.text
    accepted = await client.post(f"{path}/accept", headers=mentor[0])
    assert accepted.status_code == 200, accepted.text
    return (time.perf_counter() - started) * 1000


async def _floor(client: httpx.AsyncClient, callers: list[dict[str, str]]) -> float:
    """CPU milliseconds of this process per `GET /v1/users/me` (authority cached), as many at
    a time as the lifecycles ran: what any request costs here before it does any work."""
    calls = 1500
    left = list(range(calls))

    async def caller(headers: dict[str, str]) -> None:
        while left:
            left.pop()
            assert (await client.get("/v1/users/me", headers=headers)).status_code == 200

    for headers in callers:
        await client.get("/v1/users/me", headers=headers)
    cpu_started = time.process_time()
    await asyncio.gather(*(caller(headers) for headers in callers))
    return (time.process_time() - cpu_started) * 1000 / calls


async def _bench(lifecycles: int, concurrency: int) -> list[str]:
    from redis.asyncio import Redis

    from api.gateway import Gateway
    from deploy import admin
    from services.core.db import database
    from services.core.settings import get_settings

    slug = f"bench-requests-{uuid.uuid4().hex[:8]}"
    await admin.create_tenant(slug, "Requests benchmark", f"admin@{slug}.example")
    mentor_headers, mentees = await _people(slug, lifecycles + WARM_UP)
    settings = get_settings()
    gateway = Gateway(settings, database=database, redis=Redis.from_url(settings.redis_url))
    transport = httpx.ASGITransport(app=gateway)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            mentors = []
            for i, headers in enumerate(mentor_headers):
                put = await client.put(
                    "/v1/profiles/me",
                    json=_mentor_profile(i),
                    headers={**headers, "If-Match": '"0"'},
                )
                assert put.status_code == 200, put.text
                me = await client.get("/v1/users/me", headers=headers)
                mentors.append((headers, str(me.json()["id"])))
            for i in range(WARM_UP):
                await _lifecycle(client, mentees[i], mentors[i % MENTORS], i)

            queue: asyncio.Queue[int] = asyncio.Queue()
            for i in range(WARM_UP, WARM_UP + lifecycles):
                queue.put_nowait(i)
            latencies: list[float] = []

            async def worker() -> None:
                while not queue.empty():
                    i = queue.get_nowait()
                    latencies.append(await _lifecycle(client, mentees[i], mentors[i % MENTORS], i))

            started, cpu_started = time.perf_counter(), time.process_time()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.perf_counter() - started
            cpu_ms = (time.process_time() - cpu_started) * 1000 / lifecycles
            floor_ms = await _floor(client, mentees[:concurrency])
    finally:
        await gateway.close()
    latencies.sort()
    rate = lifecycles / elapsed
    return [
        f"request lifecycles (create + send + accept) through the gateway in-process, "
        f"{lifecycles:,} with {concurrency} at a time: {rate:,.0f} per second "
        f"(target >= {TARGET_PER_SECOND})",
        f"  per lifecycle: p50 {statistics.median(latencies):.1f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99)]:.1f} ms",
        # The client and the gateway share this process: its CPU time per lifecycle bounds the
        # rate one core can reach, whatever else the machine is doing.
        f"  CPU time of this process per lifecycle (client included): {cpu_ms:.1f} ms",
        f"  the floor in the same harness: GET /v1/users/me costs {floor_ms:.2f} ms of CPU, so "
        f"three requests of any kind cap a lifecycle at {1000 / (3 * floor_ms):,.0f} per second",
    ]


def main(argv: list[str]) -> int:
    lifecycles = int(argv[0]) if argv else LIFECYCLES
    # Thousands of requests a minute from one mentor are the point here, not the limiter;
    # request logs would drown the figures.
    os.environ.setdefault("RATE_LIMIT_USER_PER_MINUTE", "1000000000")
    os.environ.setdefault("RATE_LIMIT_TENANT_PER_MINUTE", "1000000000")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from bench.scratch import in_scratch_database
    from services.core.settings import get_settings

    get_settings.cache_clear()
    lines = in_scratch_database(
        f"bench_requests_{uuid.uuid4().hex[:8]}",
        lambda: asyncio.run(_bench(lifecycles, CONCURRENCY)),
    )
    for line in lines:
        print(line, flush=True)
    rate = float(lines[0].split(": ")[1].split(" per")[0].replace(",", ""))
    return 0 if rate >= TARGET_PER_SECOND else 1
