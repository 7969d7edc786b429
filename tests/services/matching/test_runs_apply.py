"""Applying a cohort run: its assignments become pending requests the mentors find in their
inbox (or mentorships, where the program says so), once, and a pair that may no longer be made
is skipped with its reason."""

import asyncio
import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from services.core.db import database
from services.core.queue import Lane
from services.matching.features import MatchProfile
from services.matching.runs.apply import Standing, screen
from services.progress.mentorships.models import Mentorship
from services.proposals.models import MentorshipRequest
from tests.conftest import TenantFactory, TenantHandle, drain
from tests.services.matching.test_runs import (
    Person,
    Program,
    all_assignments,
    events_of,
    make_program,
    read_run,
    start_run,
)


def cohort(n: int, tag: str, capacity: int = 1) -> list[Person]:
    """n mentors and n mentees who all may be paired (one language, every mentor accepting)."""
    mentors = [
        Person(f"mentor{i}-{tag}@example.com", "mentor", ["en"], capacity=capacity)
        for i in range(n)
    ]
    mentees = [Person(f"mentee{i}-{tag}@example.com", "mentee", ["en"]) for i in range(n)]
    return mentors + mentees


async def matched(
    client: httpx.AsyncClient, tenant: TenantHandle, people: list[Person]
) -> tuple[Program, str, list[tuple[str, str]]]:
    """A program of these people, a succeeded run over it, and its (mentee, mentor) pairs."""
    program = await make_program(client, tenant, people)
    run = await start_run(program, client)
    await drain(Lane.BULK)
    assert (await read_run(program, client, run["id"]))["status"] == "succeeded"
    items = await all_assignments(program, client, run["id"])
    return program, run["id"], [(item["mentee_id"], item["mentor_id"]) for item in items]


async def apply(client: httpx.AsyncClient, program: Program, run_id: str) -> httpx.Response:
    return await client.post(f"/v1/matching/runs/{run_id}/apply", headers=program.admin)


def person(program: Program, user_id: str) -> Person:
    return {**program.mentors, **program.mentees}[uuid.UUID(user_id)]


async def headers_of(program: Program, user_id: str) -> dict[str, str]:
    who = person(program, user_id)
    return await program.tenant.headers(who.email, [who.role])


async def received(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    box = await client.get("/v1/requests", headers=headers, params={"box": "received"})
    assert box.status_code == 200, box.text
    return list(box.json()["items"])


async def count_requests(tenant: TenantHandle) -> int:
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        return int(await session.scalar(select(func.count()).select_from(MentorshipRequest)) or 0)


async def test_a_cohort_runs_assignments_apply_into_pending_requests_once(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client, tenant = committing_client, await make_tenant()
    program, run_id, pairs = await matched(client, tenant, cohort(4, "req", capacity=2))
    assert len(pairs) == 4
    before = datetime.now().astimezone()

    first = await apply(client, program, run_id)
    assert first.status_code == 200, first.text
    report = first.json()
    assert (report["run_id"], report["program_id"], report["mode"]) == (
        run_id,
        program.id,
        "requests",
    )
    assert (report["assignments"], report["created"], report["skipped"]) == (4, 4, [])
    assert [(p["mentee_id"], p["mentor_id"]) for p in report["pairs"]] == pairs
    assert all(p["request_id"] and p["mentorship_id"] is None for p in report["pairs"])

    # Each mentor finds their mentees' requests waiting for an answer, from the run.
    for mentor_id in {mentor for _, mentor in pairs}:
        inbox = await received(client, await headers_of(program, mentor_id))
        theirs = sorted(mentee for mentee, mentor in pairs if mentor == mentor_id)
        assert sorted(r["mentee_id"] for r in inbox) == theirs
        for request in inbox:
            assert request["status"] == "pending" and request["run_id"] == run_id
            assert request["program_id"] == program.id and request["goals"] == []
            assert "matching" in request["message"]
            sent_at = datetime.fromisoformat(request["sent_at"])
            assert sent_at >= before - timedelta(seconds=1)
            expires = datetime.fromisoformat(request["expires_at"])
            assert expires - sent_at == timedelta(days=14)  # the program's default expiry
            assert set(request["allowed_actions"]) == {"accept", "decline", "counter"}
    # The mentee sees it as sent, with its history: created by the admin, sent by the platform.
    mentee_id, mentor_id = pairs[0]
    mentee = await headers_of(program, mentee_id)
    sent = (await client.get("/v1/requests", headers=mentee, params={"box": "sent"})).json()
    [request] = sent["items"]
    assert (request["mentor_id"], request["status"]) == (mentor_id, "pending")
    history = await client.get(f"/v1/requests/{request['id']}/history", headers=mentee)
    assert history.status_code == 200, history.text
    steps = [(s["from_status"], s["to_status"]) for s in history.json()["items"]][::-1]
    assert steps == [(None, "draft"), ("draft", "pending")]
    admin_id = (await client.get("/v1/users/me", headers=program.admin)).json()["id"]
    assert [s["actor_id"] for s in history.json()["items"]][::-1] == [admin_id, None]
    announced = await events_of(tenant, "request.sent")
    assert sorted(e["request_id"] for e in announced) == sorted(
        p["request_id"] for p in report["pairs"]
    )
    assert all(e["run_id"] == run_id and e["status"] == "pending" for e in announced)

    # Applying again answers the same report and makes nothing.
    again = await apply(client, program, run_id)
    assert again.status_code == 200
    assert again.json() == report
    assert await count_requests(tenant) == 4
    assert len(await events_of(tenant, "request.sent")) == 4
    assert (await read_run(program, client, run_id))["applied_at"] == report["applied_at"]


async def test_a_pair_that_may_no_longer_be_made_is_skipped_with_its_reason(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client, tenant = committing_client, await make_tenant()
    program, run_id, pairs = await matched(client, tenant, cohort(7, "skip"))
    assert len(pairs) == 7
    admin = program.admin
    (
        (m_deactivated, deactivated),
        (m_full, full),
        (m_open, open_mentor),
        (m_gone, gone),
        (m_manager, manager),
        (m_mentored, _),
        (m_fine, fine),
    ) = pairs
    changed = await client.patch(f"/v1/users/{deactivated}", headers=admin, json={"active": False})
    assert changed.status_code == 200, changed.text
    no_places = await client.patch(
        "/v1/profiles/me",
        headers=await headers_of(program, full),
        json={"mentor": {"capacity": 0, "accepting_requests": True}},
    )
    assert no_places.status_code == 200, no_places.text
    draft = await client.post(
        "/v1/requests",
        headers=await headers_of(program, m_open),
        json={"mentor_id": open_mentor, "program_id": program.id, "message": "Hello"},
    )
    assert draft.status_code == 201, draft.text
    left = await client.delete(f"/v1/programs/{program.id}/participants/{gone}", headers=admin)
    assert left.status_code == 204, left.text
    # The mentee's manager cannot be their mentor.
    managed = await client.patch(
        f"/v1/users/{m_manager}", headers=admin, json={"manager_id": manager}
    )
    assert managed.status_code == 200, managed.text
    # A mentor found elsewhere: the program allows one at a time (its default).
    outside = await tenant.token("outside-mentor@example.com", ["mentor"])
    outside_id = uuid.UUID(
        (await client.get("/v1/users/me", headers={"Authorization": f"Bearer {outside}"})).json()[
            "id"
        ]
    )
    async with database.transaction(tenant_id=tenant.id) as session:
        session.add(
            Mentorship(
                tenant_id=tenant.id,
                mentee_id=uuid.UUID(m_mentored),
                mentor_id=outside_id,
                program_id=uuid.UUID(program.id),
            )
        )

    applied = await apply(client, program, run_id)
    assert applied.status_code == 200, applied.text
    report = applied.json()
    assert {(s["mentee_id"], s["mentor_id"], s["reason"]) for s in report["skipped"]} == {
        (m_deactivated, deactivated, "deactivated"),
        (m_full, full, "full"),
        (m_open, open_mentor, "open_request_exists"),
        (m_gone, gone, "not_in_program"),
        (m_manager, manager, "conflict_of_interest"),
        (m_mentored, pairs[5][1], "already_mentored"),
    }
    assert report["created"] == 1
    assert [(p["mentee_id"], p["mentor_id"]) for p in report["pairs"]] == [(m_fine, fine)]
    # Only the one pair still free got a request; the mentee's own draft is untouched.
    assert [r["mentee_id"] for r in await received(client, await headers_of(program, fine))] == [
        m_fine
    ]
    assert await received(client, await headers_of(program, full)) == []
    mine = await client.get(
        f"/v1/requests/{draft.json()['id']}", headers=await headers_of(program, m_open)
    )
    assert mine.json()["status"] == "draft" and mine.json()["run_id"] is None
    assert await count_requests(tenant) == 2


async def test_a_program_that_applies_runs_as_mentorships_starts_them(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client, tenant = committing_client, await make_tenant()
    people = cohort(2, "ms")
    program = await make_program(client, tenant, people)
    changed = await client.patch(
        f"/v1/programs/{program.id}", headers=program.admin, json={"apply_runs_as": "mentorships"}
    )
    assert changed.status_code == 200, changed.text
    mentor_x, mentor_y = (str(p.id) for p in people[:2])
    mentee_a = str(people[2].id)
    # The mentee has asked mentor X already: the run pairs them with Y, and the request to X
    # is withdrawn once Y is their mentor (one mentor at a time).
    mentee_headers = await headers_of(program, mentee_a)
    draft = await client.post(
        "/v1/requests",
        headers=mentee_headers,
        json={"mentor_id": mentor_x, "program_id": program.id, "message": "Hello"},
    )
    assert draft.status_code == 201, draft.text
    request_id = draft.json()["id"]
    sent = await client.post(f"/v1/requests/{request_id}/send", headers=mentee_headers)
    assert sent.status_code == 200, sent.text
    run = await start_run(program, client)
    await drain(Lane.BULK)
    pairs = [
        (item["mentee_id"], item["mentor_id"])
        for item in await all_assignments(program, client, run["id"])
    ]
    assert (mentee_a, mentor_y) in pairs and len(pairs) == 2

    applied = await apply(client, program, run["id"])
    assert applied.status_code == 200, applied.text
    report = applied.json()
    assert (report["mode"], report["created"], report["skipped"]) == ("mentorships", 2, [])
    assert report["withdrawn_requests"] == 1
    assert all(p["mentorship_id"] and p["request_id"] is None for p in report["pairs"])
    listed = await client.get("/v1/mentorships", headers=program.admin)
    assert listed.status_code == 200, listed.text
    running = {(m["mentee_id"], m["mentor_id"]) for m in listed.json()["items"]}
    assert running == set(pairs)
    assert all(m["status"] == "active" for m in listed.json()["items"])
    for mentor_id in (mentor_x, mentor_y):
        profile = await client.get(f"/v1/profiles/{mentor_id}", headers=program.admin)
        assert profile.json()["mentor"]["active_mentees"] == 1
    withdrawn = await client.get(f"/v1/requests/{request_id}", headers=mentee_headers)
    assert withdrawn.json()["status"] == "withdrawn"
    assert [e["request_id"] for e in await events_of(tenant, "request.withdrawn")] == [request_id]
    started = await events_of(tenant, "mentorship.started")
    assert sorted(e["mentorship_id"] for e in started) == sorted(
        p["mentorship_id"] for p in report["pairs"]
    )
    assert all(e["run_id"] == run["id"] for e in started)
    # Once only: no second mentorship, no second place.
    again = await apply(client, program, run["id"])
    assert again.json() == report
    assert len((await client.get("/v1/mentorships", headers=program.admin)).json()["items"]) == 2
    profile = await client.get(f"/v1/profiles/{mentor_y}", headers=program.admin)
    assert profile.json()["mentor"]["active_mentees"] == 1


async def test_admins_of_the_tenant_only_and_succeeded_runs_only(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    program = await make_program(client, tenant, [])
    run = await start_run(program, client)
    path = f"/v1/matching/runs/{run['id']}/apply"
    mentee = await tenant.headers("someone@example.com", ["mentee", "mentor"])
    assert (await client.post(path, headers=mentee)).status_code == 403
    elsewhere = await client.post(path, headers=await other.admin_headers())
    assert elsewhere.status_code == 404
    assert elsewhere.headers["content-type"].startswith("application/problem+json")
    unknown = await client.post(f"/v1/matching/runs/{uuid.uuid4()}/apply", headers=program.admin)
    assert unknown.status_code == 404
    queued = await client.post(path, headers=program.admin)
    assert queued.status_code == 409
    assert (queued.json()["reason"], queued.json()["run_status"]) == ("run_status", "queued")
    assert (await read_run(program, client, run["id"]))["applied_at"] is None


async def test_two_applies_at_once_make_the_requests_once(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client, tenant = committing_client, await make_tenant()
    program, run_id, pairs = await matched(client, tenant, cohort(3, "race"))
    first, second = await asyncio.gather(
        apply(client, program, run_id), apply(client, program, run_id)
    )
    assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text)
    assert first.json() == second.json() and first.json()["created"] == len(pairs) == 3
    assert await count_requests(tenant) == 3


PROGRAM = uuid.uuid4()


@given(
    capacities=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=5),
    choices=st.lists(st.integers(0, 4), max_size=12),
    accepting=st.booleans(),
)
def test_screening_never_gives_a_mentor_more_than_their_places(
    capacities: list[tuple[int, int]], choices: list[int], accepting: bool
) -> None:
    mentors = [
        MatchProfile(
            uuid.uuid4(),
            "mentor",
            True,
            ("mentor",),
            is_mentor=True,
            accepting_requests=accepting or i % 2 == 0,
            capacity=capacity,
            active_mentees=taken,
            mentor_programs=frozenset({PROGRAM}),
        )
        for i, (capacity, taken) in enumerate(capacities)
    ]
    mentees = [
        MatchProfile(
            uuid.uuid4(), "mentee", True, ("mentee",), mentee_programs=frozenset({PROGRAM})
        )
        for _ in choices
    ]
    pairs = [
        (mentee.user_id, mentors[choice % len(mentors)].user_id)
        for mentee, choice in zip(mentees, choices, strict=True)
    ]
    standing = Standing({p.user_id: p for p in mentors + mentees}, set(), set(), set())
    kept, skipped = screen(pairs, standing, program_id=PROGRAM, one_mentor_at_a_time=True)
    # Every pair is either made or skipped, in the run's order.
    assert sorted(kept + [pair for pair, _ in skipped], key=pairs.index) == pairs
    given_places = Counter(mentor_id for _, mentor_id in kept)
    for mentor in mentors:
        assert given_places[mentor.user_id] <= mentor.places_left
        if not mentor.accepting_requests:
            assert given_places[mentor.user_id] == 0
    # A mentor's places go to the best-scored pairs (the first in the run's order).
    for (mentee_id, mentor_id), reason in skipped:
        if reason == "full":
            later = pairs[pairs.index((mentee_id, mentor_id)) :]
            assert not any(pair in kept for pair in later if pair[1] == mentor_id)
