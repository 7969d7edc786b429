"""Cohort matching runs: an admin matches a whole program, a worker computes it, and the
assignments respect every mentor's places, every mentee once, only eligible pairs."""

import asyncio
import csv
import io
import json
import random
import uuid
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from api.gateway import Gateway
from services.core.db import database
from services.core.outbox import OutboxEvent
from services.core.queue import Lane, Queue
from services.matching import RUN_JOB, run_job_id
from services.matching import tasks as job
from services.matching.features import FACTORS
from services.matching.runs import cohort, service
from services.matching.runs.models import MatchingAssignment, MatchingRun
from services.profiles.commands import take_mentor_place
from services.profiles.imports import tasks as imports
from services.progress.mentorships.models import Mentorship
from tests.conftest import TenantFactory, TenantHandle, drain, http_client
from workers.main import FUNCTIONS, LANES

JSONL = {"Content-Type": "application/x-ndjson"}
SKILLS = ["Python", "Go", "Kubernetes", "System design", "Hiring", "SQL", "React", "Leadership"]
T = TypeVar("T")


# --- a generated program -----------------------------------------------------------------------


@dataclass
class Person:
    email: str
    role: str  # mentor | mentee
    languages: list[str]
    capacity: int = 0
    accepting: bool = True
    id: uuid.UUID | None = None
    active_mentees: int = 0

    def record(self, rng: random.Random) -> dict[str, Any]:
        skills = rng.sample(SKILLS, 3)
        profile: dict[str, Any] = {
            "headline": f"{self.role} {self.email}",
            "timezone": rng.choice(["Europe/Berlin", "America/New_York", "UTC"]),
            "languages": self.languages,
            "values": rng.sample(["integrity", "curiosity", "courage", "kindness"], 2),
            "communication": {"channels": rng.sample(["video", "chat", "email"], 2)},
            "availability": {
                "weekly": [{"weekday": rng.randrange(5), "start": "09:00", "end": "12:00"}]
            },
        }
        if self.role == "mentor":
            profile["skills"] = [
                {"name": name, "level": rng.randint(3, 5), "kind": "expertise"} for name in skills
            ]
            profile["mentor"] = {"capacity": self.capacity, "accepting_requests": self.accepting}
        else:
            profile["skills"] = [
                {"name": name, "level": rng.randint(1, 2), "kind": "wants_to_learn"}
                for name in skills
            ]
            profile["mentee"] = {"goals": [{"title": f"Get better at {skills[0]}"}]}
        return {
            "email": self.email,
            "display_name": self.email.split("@")[0],
            "roles": [self.role],
            "profile": profile,
        }


@dataclass
class Program:
    tenant: TenantHandle
    admin: dict[str, str]
    id: str
    people: list[Person] = field(default_factory=list)

    @property
    def mentors(self) -> dict[uuid.UUID, Person]:
        return {p.id: p for p in self.people if p.role == "mentor" and p.id}

    @property
    def mentees(self) -> dict[uuid.UUID, Person]:
        return {p.id: p for p in self.people if p.role == "mentee" and p.id}


def generated(rng: random.Random, n_mentees: int, n_mentors: int, tag: str) -> list[Person]:
    people = [
        Person(
            f"mentor{i}-{tag}@example.com",
            "mentor",
            ["en", *(["de"] if rng.random() < 0.4 else [])],
            capacity=rng.randint(1, 4),
            accepting=rng.random() > 0.1,
        )
        for i in range(n_mentors)
    ]
    for i in range(n_mentees):
        # One mentee in six speaks only Japanese, which no mentor does: never matched.
        languages = ["ja"] if i % 6 == 5 else ["de"] if rng.random() < 0.2 else ["en"]
        people.append(Person(f"mentee{i}-{tag}@example.com", "mentee", languages))
    return people


async def _ids_by_email(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, uuid.UUID]:
    found: dict[str, uuid.UUID] = {}
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/users", headers=admin, params=params)).json()
        found |= {user["email"]: uuid.UUID(user["id"]) for user in page["items"]}
        if not (cursor := page["next_cursor"]):
            return found


async def make_program(
    client: httpx.AsyncClient, tenant: TenantHandle, people: list[Person], seed: int = 7
) -> Program:
    """A new program of `tenant` with these people imported (profiles included) and enrolled."""
    admin = await tenant.admin_headers()
    created = await client.post(
        "/v1/programs", headers=admin, json={"name": f"Cohort {uuid.uuid4().hex[:6]}"}
    )
    assert created.status_code == 201, created.text
    program = Program(tenant, admin, created.json()["id"], people)
    if people:
        rng = random.Random(seed)
        body = "\n".join(json.dumps(person.record(rng)) for person in people).encode()
        accepted = await client.post("/v1/admin/imports", content=body, headers={**admin, **JSONL})
        assert accepted.status_code == 202, accepted.text
        await imports.run_import({}, accepted.json()["id"])
        ids = await _ids_by_email(client, admin)
        for person in people:
            person.id = ids[person.email.lower()]
            enrolled = await client.post(
                f"/v1/programs/{program.id}/participants",
                headers=admin,
                json={"user_id": str(person.id), "role": person.role},
            )
            assert enrolled.status_code == 201, enrolled.text
    return program


async def start_run(program: Program, client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    started = await client.post(
        "/v1/matching/runs",
        headers=program.admin,
        json={"program_id": program.id, "mode": "optimal", **body},
    )
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "queued"
    assert started.headers["location"] == f"/v1/matching/runs/{started.json()['id']}"
    return dict(started.json())


async def read_run(program: Program, client: httpx.AsyncClient, run_id: str) -> dict[str, Any]:
    read = await client.get(f"/v1/matching/runs/{run_id}", headers=program.admin)
    assert read.status_code == 200, read.text
    return dict(read.json())


async def all_assignments(
    program: Program, client: httpx.AsyncClient, run_id: str, limit: int = 100
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        page = await client.get(
            f"/v1/matching/runs/{run_id}/assignments", headers=program.admin, params=params
        )
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if not (cursor := page.json()["next_cursor"]):
            return items


def check_assignments(
    program: Program, items: list[dict[str, Any]], existing: set[tuple[uuid.UUID, uuid.UUID]]
) -> None:
    """What an admin relies on: nobody twice, no mentor over their places, only eligible pairs."""
    mentees = Counter(uuid.UUID(item["mentee_id"]) for item in items)
    assert all(count == 1 for count in mentees.values()), "a mentee matched twice"
    per_mentor = Counter(uuid.UUID(item["mentor_id"]) for item in items)
    for mentor_id, count in per_mentor.items():
        mentor = program.mentors[mentor_id]
        assert mentor.accepting
        assert count <= mentor.capacity - mentor.active_mentees, mentor
    for item in items:
        mentee = program.mentees[uuid.UUID(item["mentee_id"])]
        mentor = program.mentors[uuid.UUID(item["mentor_id"])]
        assert set(mentee.languages) & set(mentor.languages), "paired without a shared language"
        assert (mentee.id, mentor.id) not in existing
        assert set(item["factors"]) == set(FACTORS)
        assert all(0 <= value <= 1 for value in item["factors"].values())
        assert 0 <= item["score"] <= 1
        assert item["reasons"] and all(isinstance(r, str) and r for r in item["reasons"])
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True), "best score first"


async def events_of(tenant: TenantHandle, event_type: str) -> list[dict[str, Any]]:
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        rows = await session.scalars(
            select(OutboxEvent.payload)
            .where(OutboxEvent.tenant_id == tenant.id, OutboxEvent.event_type == event_type)
            .order_by(OutboxEvent.seq)
        )
        return [dict(row) for row in rows]


# --- end to end, through the gateway and the real worker ---------------------------------------


def most_matchable(program: Program, existing: set[tuple[uuid.UUID, uuid.UUID]]) -> int:
    """The most mentees any assignment can match (augmenting paths over eligible pairs: a
    shared language, a mentor accepting with places left, no existing pair)."""
    places = {m.id: m.capacity - m.active_mentees for m in program.mentors.values() if m.accepting}
    holders: dict[uuid.UUID, list[uuid.UUID]] = {mentor: [] for mentor in places}

    def options(mentee: Person) -> list[uuid.UUID]:
        return [
            mentor.id
            for mentor in program.mentors.values()
            if mentor.id in places
            and places[mentor.id] > 0
            and set(mentee.languages) & set(mentor.languages)
            and (mentee.id, mentor.id) not in existing
        ]

    def place(mentee: Person, seen: set[uuid.UUID]) -> bool:
        for mentor_id in options(mentee):
            if mentor_id in seen:
                continue
            seen.add(mentor_id)
            if len(holders[mentor_id]) < places[mentor_id]:
                holders[mentor_id].append(mentee.id)  # type: ignore[arg-type]
                return True
            for holder in list(holders[mentor_id]):
                if place(program.mentees[holder], seen):
                    holders[mentor_id].remove(holder)
                    holders[mentor_id].append(mentee.id)  # type: ignore[arg-type]
                    return True
        return False

    return sum(place(mentee, set()) for mentee in program.mentees.values())


async def test_a_generated_program_is_matched_within_every_capacity(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client, tenant = committing_client, await make_tenant()
    people = generated(random.Random(1), 60, 15, "big")
    # Two mentors already have a mentee each: fewer places left, and that pair is not proposed.
    busy = [p for p in people if p.role == "mentor"][:2]
    for mentor in busy:
        mentor.capacity, mentor.accepting = max(mentor.capacity, 2), True
    program = await make_program(client, tenant, people)
    taken = [p for p in people if p.role == "mentee"][:2]
    existing = {(mentee.id, mentor.id) for mentee, mentor in zip(taken, busy, strict=True)}
    async with database.transaction(tenant_id=tenant.id) as session:
        for mentee, mentor in zip(taken, busy, strict=True):
            assert mentee.id and mentor.id
            session.add(Mentorship(tenant_id=tenant.id, mentee_id=mentee.id, mentor_id=mentor.id))
            assert await take_mentor_place(session, tenant.id, mentor.id)
            mentor.active_mentees = 1

    run = await start_run(program, client)
    await drain(Lane.BULK)
    done = await read_run(program, client, run["id"])
    assert done["status"] == "succeeded", done
    assert done["progress"] == 1.0
    assert done["started_at"] and done["finished_at"] and done["attempts"] == 1
    items = await all_assignments(program, client, run["id"], limit=7)
    check_assignments(program, items, existing)
    stats = done["stats"]
    assert stats["mentees"] == 60 and stats["mentors"] == 15
    assert stats["matched"] == len(items) and stats["unmatched"] == 60 - len(items)
    # Optimal matches as many mentees as the places and the hard filters allow.
    assert len(items) == most_matchable(program, existing)
    assert stats["total_score"] == pytest.approx(sum(i["score"] for i in items), abs=1e-3)
    assert stats["min_score"] == pytest.approx(min(i["score"] for i in items), abs=1e-5)
    assert stats["gap"] is not None and 0 <= stats["gap"] <= 1
    completed = await events_of(tenant, service.COMPLETED_EVENT)
    assert completed == [
        {
            "run_id": run["id"],
            "program_id": program.id,
            "mode": "optimal",
            "status": "succeeded",
            "matched": len(items),
            "unmatched": 60 - len(items),
        }
    ]


async def test_every_mode_runs_and_optimal_matches_at_least_as_many_as_greedy(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client, tenant = committing_client, await make_tenant()
    program = await make_program(client, tenant, generated(random.Random(2), 30, 8, "modes"))
    runs = {mode: await start_run(program, client, mode=mode) for mode in cohort_modes()}
    await drain(Lane.BULK)
    matched = {}
    for mode, run in runs.items():
        done = await read_run(program, client, run["id"])
        assert (done["status"], done["mode"], done["progress"]) == ("succeeded", mode, 1.0)
        items = await all_assignments(program, client, run["id"])
        check_assignments(program, items, set())
        matched[mode] = done["stats"]["matched"]
        assert matched[mode] == len(items)
        assert (done["stats"]["gap"] is None) == (mode != "optimal")
    assert matched["optimal"] >= max(matched["greedy"], matched["stable"])
    listed = await client.get(
        "/v1/matching/runs", headers=program.admin, params={"program_id": program.id}
    )
    assert [r["id"] for r in listed.json()["items"]] == [r["id"] for r in runs.values()][::-1]


def cohort_modes() -> tuple[str, ...]:
    return ("optimal", "greedy", "stable")


async def test_assignments_export_as_csv_one_row_each(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client, tenant = committing_client, await make_tenant()
    program = await make_program(client, tenant, generated(random.Random(3), 18, 5, "csv"))
    run = await start_run(program, client)
    await drain(Lane.BULK)
    items = await all_assignments(program, client, run["id"])
    assert items
    exported = await client.get(
        f"/v1/matching/runs/{run['id']}/assignments",
        headers={**program.admin, "Accept": "text/csv"},
        params={"limit": 1},  # a page's limit does not cut the export
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert list(rows[0]) == ["mentee_id", "mentor_id", "score", *FACTORS, "reasons"]
    assert len(rows) == len(items)
    for row, item in zip(rows, items, strict=True):
        assert (row["mentee_id"], row["mentor_id"]) == (item["mentee_id"], item["mentor_id"])
        assert float(row["score"]) == pytest.approx(item["score"])
        assert row["reasons"].split(" | ") == item["reasons"]
        assert float(row["expertise"]) == pytest.approx(item["factors"]["expertise"])
    # JSON stays the default, and wins when ranked above CSV.
    for accept in ("*/*", "application/json", "text/csv;q=0.5, application/json"):
        page = await client.get(
            f"/v1/matching/runs/{run['id']}/assignments",
            headers={**program.admin, "Accept": accept},
        )
        assert page.headers["content-type"].startswith("application/json"), accept


async def test_a_program_without_mentors_or_mentees_still_succeeds(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client, tenant = committing_client, await make_tenant()
    only_mentees = await make_program(
        client, tenant, [p for p in generated(random.Random(4), 6, 0, "nom")]
    )
    empty = await make_program(client, tenant, [])
    unmatched = await start_run(only_mentees, client, mode="stable")
    zeros = await start_run(empty, client)
    await drain(Lane.BULK)
    done = await read_run(only_mentees, client, unmatched["id"])
    assert done["status"] == "succeeded"
    assert (done["stats"]["mentees"], done["stats"]["matched"], done["stats"]["unmatched"]) == (
        6,
        0,
        6,
    )
    assert await all_assignments(only_mentees, client, unmatched["id"]) == []
    nothing = await read_run(empty, client, zeros["id"])
    assert nothing["status"] == "succeeded"
    assert {k: nothing["stats"][k] for k in ("mentees", "mentors", "matched", "unmatched")} == {
        "mentees": 0,
        "mentors": 0,
        "matched": 0,
        "unmatched": 0,
    }


async def test_a_failing_solve_fails_the_run_with_a_readable_error(
    committing_client: httpx.AsyncClient,
    make_tenant: TenantFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, tenant = committing_client, await make_tenant()
    program = await make_program(client, tenant, generated(random.Random(5), 6, 2, "fail"))

    def broken_solver(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("solver exploded at 0x7f3a")

    monkeypatch.setattr(cohort.assignment, "solve", broken_solver)
    run = await start_run(program, client)
    await drain(Lane.BULK)
    failed = await read_run(program, client, run["id"])
    assert failed["status"] == "failed"
    assert failed["error"] == service.INTERNAL_ERROR
    assert "0x7f3a" not in failed["error"] and failed["stats"] is None
    assert failed["finished_at"] is not None
    gone = await client.get(f"/v1/matching/runs/{run['id']}/assignments", headers=program.admin)
    assert gone.status_code == 409 and gone.json()["run_status"] == "failed"
    events = await events_of(tenant, service.COMPLETED_EVENT)
    assert [(e["run_id"], e["status"], e["matched"]) for e in events] == [(run["id"], "failed", 0)]


# --- a worker killed mid-run -------------------------------------------------------------------


async def _queued_job_ids() -> set[str]:
    probe = Queue()
    try:
        return await probe.queued_job_ids(Lane.BULK)
    finally:
        await probe.close()


async def _age(run_id: str, **values: Any) -> None:
    async with database.transaction(all_tenants=True) as session:
        await session.execute(
            update(MatchingRun).where(MatchingRun.id == uuid.UUID(run_id)).values(**values)
        )


async def test_a_run_whose_worker_died_is_queued_again_and_then_finishes(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client, tenant = committing_client, await make_tenant()
    program = await make_program(client, tenant, generated(random.Random(6), 12, 4, "swept"))
    run = await start_run(program, client)
    # A worker took it, wrote half its assignments, and died: its heartbeat stopped.
    async with database.transaction(tenant_id=tenant.id) as session:
        attempt = await service.start_attempt(session, uuid.UUID(run["id"]))
    assert attempt is not None and attempt.number == 1
    async with database.transaction(tenant_id=tenant.id) as session:
        some = next(iter(program.mentees)), next(iter(program.mentors))
        await service.write_assignments(
            session,
            attempt,
            [service.AssignmentRow(0, some[0], some[1], 0.1, {}, ["partial"])],
            first=True,
            progress=0.95,
        )
    running = await read_run(program, client, run["id"])
    assert (running["status"], running["progress"]) == ("running", 0.95)
    # A live heartbeat keeps the sweeper away, and a second delivery of the job too.
    assert await job.sweep_runs({}) == 0
    assert (await job.run_cohort({}, run["id"]))["ran"] is False
    await _age(run["id"], heartbeat_at=MatchingRun.heartbeat_at - timedelta(minutes=3))
    await _drop_queued_jobs()
    assert await job.sweep_runs({}) == 1
    assert run_job_id(run["id"]) in await _queued_job_ids()
    assert (await read_run(program, client, run["id"]))["status"] == "queued"
    # The old worker wakes up: the run is no longer its own, so it writes nothing.
    async with database.transaction(tenant_id=tenant.id) as session:
        assert not await service.record_progress(session, attempt, 0.99)
    await drain(Lane.BULK)
    done = await read_run(program, client, run["id"])
    assert (done["status"], done["attempts"], done["progress"]) == ("succeeded", 2, 1.0)
    items = await all_assignments(program, client, run["id"])
    assert all(item["reasons"] != ["partial"] for item in items)
    check_assignments(program, items, set())
    async with database.transaction(tenant_id=tenant.id) as session:
        assert not await service.write_assignments(session, attempt, [], first=True, progress=1)
        assert not await service.succeed(session, attempt, {}, wrote_any=False)


async def _drop_queued_jobs() -> None:
    # The run's first job, queued at the POST, stands for the lost one.
    probe = Queue()
    try:
        pool = await probe.pool()
        for job_id in await probe.queued_job_ids(Lane.BULK):
            if job_id.startswith("matching-run:"):
                await pool.delete(f"arq:job:{job_id}")
                await pool.zrem(get_bulk_queue(), job_id)
    finally:
        await probe.close()


def get_bulk_queue() -> str:
    from services.core.queue import queue_name

    return queue_name(Lane.BULK)


async def test_a_run_that_keeps_losing_its_worker_is_failed_not_left_running(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client, tenant = committing_client, await make_tenant()
    program = await make_program(client, tenant, [])
    run = await start_run(program, client)
    await _age(
        run["id"],
        status="running",
        attempts=service.MAX_ATTEMPTS,
        heartbeat_at=MatchingRun.created_at - timedelta(minutes=10),
    )
    await job.sweep_runs({})
    failed = await read_run(program, client, run["id"])
    assert (failed["status"], failed["error"]) == ("failed", service.GAVE_UP)
    assert [e["status"] for e in await events_of(tenant, service.COMPLETED_EVENT)] == ["failed"]


async def test_a_run_whose_job_was_lost_is_queued_again(make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    run_id = uuid.uuid4()
    async with database.transaction(tenant_id=tenant.id) as session:
        session.add(
            MatchingRun(
                id=run_id,
                tenant_id=tenant.id,
                program_id=uuid.uuid4(),
                mode="greedy",
                created_by=uuid.uuid4(),
            )
        )  # as if Redis had been down when the run was accepted
    await job.sweep_runs({})
    # Just accepted: its own wake-up may still be on the way, so it is left alone.
    assert run_job_id(run_id) not in await _queued_job_ids()
    await _age(str(run_id), updated_at=MatchingRun.updated_at - timedelta(minutes=2))
    assert await job.sweep_runs({}) >= 1
    assert run_job_id(run_id) in await _queued_job_ids()
    await drain(Lane.BULK)
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        run = await session.scalar(select(MatchingRun).where(MatchingRun.id == run_id))
    # Its program does not exist: the run says so instead of staying queued.
    assert run is not None and (run.status, run.error) == ("failed", service.PROGRAM_GONE)


# --- who may, and bad input --------------------------------------------------------------------


async def test_admins_of_the_tenant_only(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    program = await make_program(client, tenant, [])
    run = await start_run(program, client)
    mentee = await tenant.headers("someone@example.com", ["mentee", "mentor"])
    elsewhere = await other.admin_headers()
    paths = [f"/v1/matching/runs/{run['id']}", f"/v1/matching/runs/{run['id']}/assignments"]
    for path in paths:
        assert (await client.get(path, headers=mentee)).status_code == 403
        assert (await client.get(path, headers=elsewhere)).status_code == 404
    assert (await client.get("/v1/matching/runs", headers=mentee)).status_code == 403
    assert (await client.get("/v1/matching/runs", headers=elsewhere)).json()["items"] == []
    body = {"program_id": program.id, "mode": "optimal"}
    assert (await client.post("/v1/matching/runs", headers=mentee, json=body)).status_code == 403
    theirs = await client.post("/v1/matching/runs", headers=elsewhere, json=body)
    assert theirs.status_code == 404
    assert theirs.headers["content-type"].startswith("application/problem+json")
    unknown = await client.get(f"/v1/matching/runs/{uuid.uuid4()}", headers=program.admin)
    assert unknown.status_code == 404


async def test_bad_input_is_refused(client: httpx.AsyncClient, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    program = await make_program(client, tenant, [])
    admin = program.admin

    async def post(**body: Any) -> httpx.Response:
        return await client.post(
            "/v1/matching/runs", headers=admin, json={"program_id": program.id, **body}
        )

    zero = {factor: 0.0 for factor in FACTORS}
    assert (await post(mode="optimal", weights=zero)).status_code == 422
    assert (await post(mode="optimal", weights={"expertise": -0.1})).status_code == 422
    assert (await post(mode="optimal", weights={"expertise": "1"})).status_code == 422
    assert (await post(mode="optimal", weights={"charm": 1.0})).status_code == 422
    assert (await post(mode="fastest")).status_code == 422
    assert (await post(mode="optimal", extra=True)).status_code == 422
    unknown = await client.post(
        "/v1/matching/runs", headers=admin, json={"program_id": str(uuid.uuid4()), "mode": "greedy"}
    )
    assert unknown.status_code == 404
    # A factor left out keeps the program's weight; the rest are the request's.
    program_weights = (await client.get(f"/v1/programs/{program.id}", headers=admin)).json()[
        "matching_weights"
    ]
    started = await post(mode="greedy", weights={"expertise": 0.0, "values": 1.0})
    assert started.status_code == 202
    assert started.json()["weights"] == {**program_weights, "expertise": 0.0, "values": 1.0}
    queued = await client.get(
        f"/v1/matching/runs/{started.json()['id']}/assignments", headers=admin
    )
    assert queued.status_code == 409 and queued.json()["run_status"] == "queued"
    bad_cursor = await client.get(
        f"/v1/matching/runs/{started.json()['id']}/assignments",
        headers=admin,
        params={"cursor": "not-a-cursor"},
    )
    assert bad_cursor.status_code in (409, 422)


async def test_one_run_for_two_posts_with_one_idempotency_key(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    program = await make_program(client, tenant, [])
    headers = {**program.admin, "Idempotency-Key": f"cohort-{uuid.uuid4()}"}
    body = {"program_id": program.id, "mode": "stable"}
    first = await client.post("/v1/matching/runs", headers=headers, json=body)
    again = await client.post("/v1/matching/runs", headers=headers, json=body)
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json()["id"] == first.json()["id"]
    listed = await client.get("/v1/matching/runs", headers=program.admin)
    assert [run["id"] for run in listed.json()["items"]] == [first.json()["id"]]
    other = await client.post("/v1/matching/runs", headers=headers, json={**body, "mode": "greedy"})
    assert other.status_code == 422


def test_wired_into_the_bulk_worker_and_the_sweeper() -> None:
    jobs = {f.name: f for f in FUNCTIONS}
    assert RUN_JOB in jobs
    assert (jobs[RUN_JOB].timeout_s or 0) >= job.JOB_TIMEOUT_SECONDS
    assert "matching.sweep_runs" in {c.name for c in LANES[Lane.INTERACTIVE].cron_jobs}


async def test_assignments_pages_walk_every_row_once(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client, tenant = committing_client, await make_tenant()
    program = await make_program(client, tenant, generated(random.Random(8), 10, 4, "pages"))
    run = await start_run(program, client, mode="greedy")
    await drain(Lane.BULK)
    whole = await all_assignments(program, client, run["id"], limit=100)
    paged = await all_assignments(program, client, run["id"], limit=3)
    assert whole == paged and len(whole) > 3
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        stored = await session.scalars(
            select(MatchingAssignment.position).where(
                MatchingAssignment.run_id == uuid.UUID(run["id"])
            )
        )
        assert sorted(stored) == list(range(len(whole)))


# --- a property over whole runs ----------------------------------------------------------------


@pytest.fixture
async def session_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


populations = st.fixed_dictionaries(
    {
        "mentors": st.lists(
            st.tuples(
                st.integers(0, 3),  # capacity
                st.integers(0, 2),  # places already taken
                st.sampled_from([["en"], ["de"], ["en", "de"]]),
            ),
            max_size=4,
        ),
        "mentees": st.lists(st.sampled_from([["en"], ["de"], ["fr"], ["en", "de"]]), max_size=7),
        "mode": st.sampled_from(cohort_modes()),
    }
)


def test_any_population_keeps_capacities_and_matches_nobody_twice(
    session_loop: asyncio.AbstractEventLoop, gateway: Gateway, make_tenant: TenantFactory
) -> None:
    def run(step: Awaitable[T]) -> T:
        return session_loop.run_until_complete(step)

    @settings(
        max_examples=8,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(population=populations)
    def whole_run(population: dict[str, Any]) -> None:
        run(_one_population(gateway, make_tenant, population))

    whole_run()


async def _one_population(
    gateway: Gateway, make_tenant: TenantFactory, population: dict[str, Any]
) -> None:
    tag = uuid.uuid4().hex[:6]
    people = [
        Person(f"m{i}-{tag}@example.com", "mentor", languages, capacity=capacity)
        for i, (capacity, _, languages) in enumerate(population["mentors"])
    ] + [
        Person(f"e{i}-{tag}@example.com", "mentee", languages)
        for i, languages in enumerate(population["mentees"])
    ]
    async with http_client(gateway) as client:
        tenant = await make_tenant()
        program = await make_program(client, tenant, people)
        async with database.transaction(tenant_id=tenant.id) as session:
            for person, (capacity, taken, _) in zip(people, population["mentors"], strict=False):
                for _ in range(min(taken, capacity)):
                    assert person.id and await take_mentor_place(session, tenant.id, person.id)
                    person.active_mentees += 1
        started = await start_run(program, client, mode=population["mode"])
        await drain(Lane.BULK)
        done = await read_run(program, client, started["id"])
        assert done["status"] == "succeeded", done
        items = await all_assignments(program, client, started["id"])
        check_assignments(program, items, set())
        assert done["stats"]["matched"] + done["stats"]["unmatched"] == len(population["mentees"])
