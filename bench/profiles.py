"""Profiles at scale, in a tenant created for the run: 100,000 people imported, then searched.

(a) Import: from `POST /v1/admin/imports` (through the gateway, in-process) until the import
    has succeeded, the job run in this process as `mentorship import` runs it. Generating the
    file is not timed. Then the same file again: everyone is known, nothing changes. Target for
    the first: under 60 s.
(b) Search: `GET /v1/mentors?skill=&language=&q=` over those profiles, in-process through the
    gateway (httpx ASGITransport), several hundred queries one after another with varied
    skills, languages and words. Target: p95 under 50 ms.

Run: .venv/bin/python -c 'from deploy.environment import prepare; prepare();
from deploy.migrate import upgrade; upgrade(); from bench import profiles; profiles.main([])'
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import time
import uuid
from typing import Any

import httpx

PEOPLE = 100_000
LANGUAGES = ("en", "de", "fr", "es", "pt-BR", "it", "nl", "pl", "sv", "ja", "zh", "hi", "ar", "tr")
TIMEZONES = (
    "Europe/Berlin",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
)
INDUSTRIES = ("Fintech", "Healthcare", "Retail", "Logistics", "Energy", "Media", "Public sector")
VALUES = ("integrity", "collaboration", "innovation", "craftsmanship", "impact", "autonomy")
# Words of headlines and bios: each profile uses 12 of them, so a word is in ~8 % of profiles.
_WORD_TEXT = (
    "platform scaling reliability design systems leadership coaching growth product strategy "
    "analytics pipelines security cloud migration payments onboarding research hiring "
    "architecture mobile testing delivery roadmap negotiation budgeting storytelling "
    "observability latency compliance audit forecasting pricing retention churn funnels "
    "experimentation accessibility typography branding campaigns partnerships procurement "
    "logistics warehouse inventory contracts litigation privacy governance mentoring feedback "
    "facilitation workshops interviewing recruiting compensation benefits payroll wellbeing "
    "conflict resilience prioritisation estimation refactoring debugging incidents postmortems "
    "automation scripting dashboards modelling statistics forecasting valuation fundraising "
    "investors startups marketplaces subscriptions billing invoicing taxation treasury "
    "sustainability energy healthcare clinical regulatory quality manufacturing robotics "
    "embedded firmware hardware networking databases caching queues streaming search "
    "recommendations personalisation localisation translation writing speaking negotiation "
    "sales prospecting demos renewals support escalations community events sponsorship"
)
WORDS = list(dict.fromkeys(_WORD_TEXT.split()))
TITLES = ("Engineer", "Senior engineer", "Staff engineer", "Designer", "Product manager", "Analyst")
ORGANISATIONS = ("Payly", "Medico", "Shipfast", "Gridco", "Newsly", "Cityworks")
SENIORITIES = ("junior", "mid", "senior", "lead", "principal")


def _skill_names() -> list[str]:
    from services.profiles.skills import vocabulary

    return [skill.name for skill in vocabulary.vocabulary()]


def _popularity(count: int) -> list[float]:
    """Cumulative Zipf weights (s = 1.1): the most common skill is everyone's first skill about
    one time in six, as Python or Excel would be in a large organisation."""
    total = 0.0
    cumulative = []
    for rank in range(1, count + 1):
        total += 1 / rank**1.1
        cumulative.append(total)
    return cumulative


def _popular_skill(rng: random.Random, names: list[str], weights: list[float]) -> str:
    return rng.choices(names, cum_weights=weights)[0]


def person(
    index: int, rng: random.Random, skill_names: list[str], weights: list[float]
) -> dict[str, Any]:
    """One HR row with a profile about as rich as people fill in (~850 bytes as JSON)."""
    chosen = {_popular_skill(rng, skill_names, weights)}
    while len(chosen) < rng.randint(3, 6):
        chosen.add(rng.choice(skill_names))
    if rng.random() < 0.05:
        chosen.add(f"Internal tool {rng.randint(1, 40)}")  # a skill only this tenant knows
    is_mentor = rng.random() < 0.4
    words = rng.sample(WORDS, 12)
    profile: dict[str, Any] = {
        "headline": f"{rng.choice(TITLES)}, {' '.join(words[:3])}",
        "bio": f"I work on {' and '.join(words[3:6])}. Happy to talk about {', '.join(words[6:])}.",
        "timezone": rng.choice(TIMEZONES),
        "languages": rng.sample(LANGUAGES, rng.randint(1, 3)),
        "industries": rng.sample(INDUSTRIES, rng.randint(1, 2)),
        "years_experience": rng.randint(0, 30),
        "seniority": rng.choice(SENIORITIES),
        "career_history": [
            {
                "title": rng.choice(TITLES),
                "organisation": rng.choice(ORGANISATIONS),
                "start": f"{rng.randint(2005, 2022)}-0{rng.randint(1, 9)}-01",
            }
        ],
        "values": rng.sample(VALUES, 2),
        "communication": {"channels": ["video", "chat"], "style": "supportive"},
        "availability": {
            "weekly": [{"weekday": rng.randint(0, 4), "start": "17:00", "end": "18:00"}]
        },
        "skills": [
            {
                "name": name,
                "level": rng.randint(1, 5),
                "kind": "expertise" if is_mentor or n % 2 else "wants_to_learn",
            }
            for n, name in enumerate(sorted(chosen))
        ],
    }
    if is_mentor:
        profile["mentor"] = {"capacity": rng.randint(1, 4), "accepting_requests": True}
    else:
        profile["mentee"] = {"goals": [{"title": f"Grow in {words[0]}", "horizon_months": 6}]}
    return {
        "email": f"person{index}@bench.example",
        "display_name": f"Person {index}",
        "roles": ["mentor", "mentee"] if is_mentor else ["mentee"],
        "profile": profile,
    }


def jsonl_file(count: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    names = _skill_names()
    weights = _popularity(len(names))
    return "".join(json.dumps(person(i, rng, names, weights)) + "\n" for i in range(count)).encode()


def _percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def _ensure_routes(gateway: Any) -> None:
    """Until the import routes are wired into the profiles app, mount them for this run."""
    from services.profiles.imports.router import router

    app = gateway.mounted["profiles"]
    if not any(getattr(r, "path", "") == "/v1/admin/imports" for r in app.routes):
        app.include_router(router)


async def _import(
    client: httpx.AsyncClient, headers: dict[str, str], body: bytes
) -> dict[str, Any]:
    """POST the file, run the job here, and watch `GET /v1/admin/imports/{id}` as a client
    would until it says succeeded."""
    from services.profiles.imports.tasks import run_import

    started = time.perf_counter()
    response = await client.post(
        "/v1/admin/imports",
        content=body,
        headers={**headers, "Content-Type": "application/x-ndjson"},
        timeout=120,
    )
    assert response.status_code == 202, response.text
    accepted = time.perf_counter()
    url = f"/v1/admin/imports/{response.json()['id']}"
    job = asyncio.ensure_future(run_import(None, response.json()["id"]))
    while True:
        status = (await client.get(url, headers=headers)).json()
        if status["status"] in ("succeeded", "failed") or job.done():
            break
        await asyncio.sleep(0.1)
    succeeded = time.perf_counter()
    await job  # the statistics refresh after the import reported success
    status = (await client.get(url, headers=headers)).json()
    assert status["status"] == "succeeded", status
    return {
        "post": accepted - started,
        "job": succeeded - accepted,
        "total": succeeded - started,
        "after": time.perf_counter() - succeeded,
        "status": status,
    }


def _queries(count: int, seed: int = 11) -> list[dict[str, str]]:
    rng = random.Random(seed)
    names = _skill_names()
    weights = _popularity(len(names))
    queries = []
    for _ in range(count):
        # Popular skills are searched for more often, as they are held more often.
        skill = _popular_skill(rng, names, weights)
        queries.append(
            {"skill": skill, "language": rng.choice(LANGUAGES[:6]), "q": rng.choice(WORDS)}
        )
    return queries


async def _search(
    client: httpx.AsyncClient, headers: dict[str, str], count: int
) -> tuple[list[float], list[int]]:
    latencies: list[float] = []
    hits: list[int] = []
    queries = _queries(count + 20)
    for number, params in enumerate(queries):
        started = time.perf_counter()
        response = await client.get("/v1/mentors", params=params, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.text
        if number >= 20:  # the first ones warm caches and prepared statements
            latencies.append(elapsed)
            hits.append(len(response.json()["items"]))
    return latencies, hits


async def _explain(tenant_id: uuid.UUID, params: dict[str, str]) -> None:
    from sqlalchemy import text

    from services.core.db import database
    from services.profiles.profiles.rules import skill_key

    print(f"EXPLAIN ANALYZE for {params}, as services/profiles/mentors/repository.py builds it:")
    sql = """
        EXPLAIN (ANALYZE, BUFFERS)
        SELECT p.id, ts_rank_cd(p.search_vector, websearch_to_tsquery('english', :q)) AS rank
        FROM profiles.profiles p JOIN profiles.users u ON u.id = p.user_id
        WHERE p.tenant_id = :tenant_id AND u.tenant_id = :tenant_id AND p.is_mentor AND u.active
          AND p.expertise_keys && :skills AND p.language_keys && :languages
          AND p.search_vector @@ websearch_to_tsquery('english', :q)
        ORDER BY rank DESC, p.id LIMIT 21
    """
    async with database.session(readonly=True, tenant_id=tenant_id) as session:
        rows = await session.execute(
            text(sql),
            {
                "q": params["q"],
                "tenant_id": tenant_id,
                "skills": [skill_key(params["skill"])[0]],
                "languages": [params["language"].lower()],
            },
        )
        for (line,) in rows:
            print("   ", line)


async def _bench(args: argparse.Namespace) -> int:
    from redis.asyncio import Redis

    from api.gateway import Gateway
    from deploy import admin
    from services.core.db import database
    from services.core.settings import get_settings

    slug = f"bench-profiles-{uuid.uuid4().hex[:8]}"
    tenant = await admin.create_tenant(slug, "Profiles benchmark", f"admin@{slug}.example")
    token = await admin.issue_user_token(slug, f"admin@{slug}.example", ["admin"], 7200)
    headers = {"Authorization": f"Bearer {token}"}

    started = time.perf_counter()
    body = jsonl_file(args.people)
    print(
        f"generated {args.people:,} people: {len(body) / 1e6:.1f} MB of JSON Lines "
        f"in {time.perf_counter() - started:.1f} s (not timed below)",
        flush=True,
    )
    settings = get_settings()
    gateway = Gateway(settings, database=database, redis=Redis.from_url(settings.redis_url))
    await _ensure_routes(gateway)
    transport = httpx.ASGITransport(app=gateway)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            first = await _import(client, headers, body)
            status = first["status"]
            print(
                f"(a) import {args.people:,} new people: {first['total']:.1f} s "
                f"(POST {first['post']:.1f} s, job {first['job']:.1f} s, "
                f"{args.people / first['total']:,.0f} people/s)   target < 60 s\n"
                f"    then ANALYZE of users and profiles: {first['after']:.1f} s more\n"
                f"    created {status['created']:,}, updated {status['updated']:,}, "
                f"failed {status['failed']:,}",
                flush=True,
            )
            again = await _import(client, headers, body)
            print(
                f"    same file again (all known, nothing changed): {again['total']:.1f} s, "
                f"updated {again['status']['updated']:,}, created {again['status']['created']}",
                flush=True,
            )
            latencies, hits = await _search(client, headers, args.queries)
            ordered = sorted(latencies)
            print(
                f"(b) GET /v1/mentors?skill=&language=&q= over {args.people:,} profiles, "
                f"{len(latencies)} queries: p50 {_percentile(ordered, 0.5):.1f} ms, "
                f"p95 {_percentile(ordered, 0.95):.1f} ms, "
                f"p99 {_percentile(ordered, 0.99):.1f} ms, "
                f"mean {statistics.fmean(latencies):.1f} ms   target p95 < 50 ms\n"
                f"    results per query: median {statistics.median(hits):.0f}, "
                f"empty {hits.count(0)}, full page {hits.count(20)}",
                flush=True,
            )
            if args.explain:
                timed = zip(latencies, _queries(args.queries + 20)[20:], strict=True)
                slowest = max(timed, key=lambda pair: pair[0])
                await _explain(uuid.UUID(tenant["id"]), slowest[1])
    finally:
        await gateway.close()
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query")
    parser.add_argument(
        "--shared-database",
        action="store_true",
        help="Run in DATABASE_URL's database beside its other tenants (kept afterwards), "
        "instead of a scratch database dropped at the end.",
    )
    args = parser.parse_args(argv)
    # Several hundred searches a minute from one admin are the point here, not the limiter;
    # request logs would drown the figures.
    os.environ.setdefault("RATE_LIMIT_USER_PER_MINUTE", "1000000000")
    os.environ.setdefault("RATE_LIMIT_TENANT_PER_MINUTE", "1000000000")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from services.core.settings import get_settings

    get_settings.cache_clear()
    if args.shared_database:
        return asyncio.run(_bench(args))
    from bench.scratch import in_scratch_database

    return in_scratch_database(
        f"bench_profiles_{uuid.uuid4().hex[:8]}", lambda: asyncio.run(_bench(args))
    )
