"""A request's lifecycle through the gateway: the journey from a reviewed draft to a running
mentorship, who may take which step, the program's policies, and input that is refused."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.conftest import TenantFactory
from tests.events import events_of
from tests.services.proposals.people import careful_draft, option, put_mentor


async def _me(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    return str((await client.get("/v1/users/me", headers=headers)).json()["id"])


async def _sent(
    client: httpx.AsyncClient, headers: dict[str, str], draft: dict[str, Any]
) -> dict[str, Any]:
    created = await client.post("/v1/requests", json=draft, headers=headers)
    assert created.status_code == 201, created.text
    sent = await client.post(f"/v1/requests/{created.json()['id']}/send", headers=headers)
    assert sent.status_code == 200, sent.text
    body: dict[str, Any] = sent.json()
    return body


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


async def test_from_a_reviewed_draft_to_a_mentorship_with_the_agreed_goals(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    dev, dev_id = await put_mentor(client, tenant)
    mia = await tenant.headers("mia@example.com")
    mia_id = await _me(client, mia)

    careless = await client.post(
        "/v1/requests/review",
        json={"mentor_id": dev_id, "message": "Hi, can you mentor me?"},
        headers=mia,
    )
    assert careless.json()["score"] < 30
    draft = careful_draft(dev_id)
    created = await client.post("/v1/requests", json=draft, headers=mia)
    assert created.status_code == 201, created.text
    request = created.json()
    assert created.headers["Location"] == f"/v1/requests/{request['id']}"
    assert (request["status"], request["allowed_actions"]) == ("draft", ["send", "withdraw"])
    review = await client.get(f"/v1/requests/{request['id']}/review", headers=mia)
    assert review.json()["score"] == 100

    # A draft is the mentee's alone: the mentor neither sees it nor finds it in their box.
    assert (await client.get(f"/v1/requests/{request['id']}", headers=dev)).status_code == 404
    assert (await client.get("/v1/requests?box=received", headers=dev)).json()["items"] == []

    sent = await client.post(f"/v1/requests/{request['id']}/send", headers=mia)
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "pending"
    assert sent.json()["review_score"] == 100
    expires = datetime.fromisoformat(sent.json()["expires_at"])
    assert timedelta(days=13, hours=23) < expires - datetime.now(UTC) <= timedelta(days=14)

    inbox = (await client.get("/v1/requests?box=received", headers=dev)).json()["items"]
    assert [(r["id"], r["status"], r["mentee_id"]) for r in inbox] == [
        (request["id"], "pending", mia_id)
    ]
    assert inbox[0]["goals"] == draft["goals"]
    # The mentor's brief: why this mentee fits, the review's score at sending, their goals.
    brief = inbox[0]["brief"]
    assert brief["review_score"] == 100 and brief["mentee_id"] == mia_id
    assert brief["goals"][: len(draft["goals"])] == draft["goals"]
    assert set(brief["factors"]) >= {"expertise", "accessibility", "values"}
    assert (await client.get(f"/v1/requests/{request['id']}", headers=mia)).json()["brief"] is None
    assert inbox[0]["allowed_actions"] == ["accept", "decline", "counter"]

    accepted = await client.post(f"/v1/requests/{request['id']}/accept", headers=dev)
    assert accepted.status_code == 200, accepted.text
    mentorship_id = accepted.json()["mentorship_id"]
    assert accepted.json()["request"]["status"] == "accepted"
    assert accepted.json()["request"]["mentorship_id"] == mentorship_id
    assert accepted.json()["request"]["allowed_actions"] == []
    assert accepted.json()["request"]["brief"] is None  # decided: the mentorship takes over

    # The mentorship exists, for both of them, with the request's goals and cadence.
    for headers in (mia, dev):
        mentorship = await client.get(f"/v1/mentorships/{mentorship_id}", headers=headers)
        assert mentorship.status_code == 200, mentorship.text
        assert mentorship.json()["status"] == "active"
        assert (mentorship.json()["mentee_id"], mentorship.json()["mentor_id"]) == (mia_id, dev_id)
        assert mentorship.json()["cadence"] == draft["cadence"]
        assert mentorship.json()["duration_months"] == draft["duration_months"]
        assert mentorship.json()["request_id"] == request["id"]
    goals = await client.get(f"/v1/mentorships/{mentorship_id}/goals", headers=mia)
    assert [g["title"] for g in reversed(goals.json()["items"])] == draft["goals"]
    assert all(g["status"] == "active" and g["progress"] == 0 for g in goals.json()["items"])
    profile = (await client.get(f"/v1/profiles/{dev_id}", headers=mia)).json()
    assert profile["mentor"]["active_mentees"] == 1

    history = (await client.get(f"/v1/requests/{request['id']}/history", headers=dev)).json()
    assert [(h["from_status"], h["to_status"], h["actor_id"]) for h in history["items"]] == [
        ("pending", "accepted", dev_id),
        ("draft", "pending", mia_id),
        (None, "draft", mia_id),
    ]
    events = await events_of(tenant.id, prefix="request.") + await events_of(
        tenant.id, prefix="mentorship."
    )
    assert [kind for kind, _ in events] == [
        "request.sent",
        "request.accepted",
        "mentorship.started",
    ]
    started = events[2][1]
    assert started["mentorship_id"] == mentorship_id
    assert started["goals"] == draft["goals"]
    # Someone else of the organisation sees neither the request nor the mentorship.
    sam = await tenant.headers("sam@example.com")
    assert (await client.get(f"/v1/requests/{request['id']}", headers=sam)).status_code == 404
    assert (await client.get(f"/v1/mentorships/{mentorship_id}", headers=sam)).status_code == 404
    # An admin looks on without a side: everything is visible, no step is theirs.
    admin = await tenant.admin_headers()
    seen = await client.get(f"/v1/requests/{request['id']}", headers=admin)
    assert (seen.status_code, seen.json()["allowed_actions"]) == (200, [])


async def test_only_the_right_party_takes_a_step_and_illegal_steps_name_the_status(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant, elsewhere = await make_tenant(), await make_tenant()
    dev, dev_id = await put_mentor(client, tenant)
    mia = await tenant.headers("mia@example.com")
    request = await _sent(client, mia, careful_draft(dev_id))
    path = f"/v1/requests/{request['id']}"

    forbidden = _problem(await client.post(f"{path}/accept", headers=mia), 403)
    assert "mentor" in forbidden["detail"]
    _problem(await client.post(f"{path}/withdraw", headers=dev), 403)
    _problem(await client.post(f"{path}/decline", json={"reason": "timing"}, headers=mia), 403)
    admin = await tenant.admin_headers()
    _problem(await client.post(f"{path}/accept", headers=admin), 403)
    for stranger in (await tenant.headers("sam@example.com"), await elsewhere.headers("x@y.z")):
        _problem(await client.post(f"{path}/accept", headers=stranger), 404)
        _problem(await client.get(path, headers=stranger), 404)
        _problem(await client.get(f"{path}/history", headers=stranger), 404)

    again = _problem(await client.post(f"{path}/send", headers=mia), 409)
    assert again["current_status"] == "pending"
    edit = _problem(
        await client.patch(path, json={"message": "Changed"}, headers={**mia, "If-Match": '"2"'}),
        409,
    )
    assert edit["current_status"] == "pending"

    declined = await client.post(
        f"{path}/decline",
        json={"reason": "timing", "message": "Ask me again in spring."},
        headers=dev,
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["decline"] == {"reason": "timing", "message": "Ask me again in spring."}
    for step, headers in (("accept", dev), ("withdraw", mia), ("counter", dev)):
        body = {"duration_months": 3, "message": "Shorter?"} if step == "counter" else None
        late = _problem(await client.post(f"{path}/{step}", json=body, headers=headers), 409)
        assert late["current_status"] == "declined"
    assert (await client.get(path, headers=mia)).json()["status"] == "declined"
    # A new request to the same mentor is possible once the last one is closed.
    assert (
        await client.post("/v1/requests", json=careful_draft(dev_id), headers=mia)
    ).status_code == 201


async def test_a_counter_is_accepted_by_the_mentee_on_its_terms(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    dev, dev_id = await put_mentor(client, tenant)
    mia = await tenant.headers("mia@example.com")
    request = await _sent(client, mia, careful_draft(dev_id))
    path = f"/v1/requests/{request['id']}"

    _problem(await client.post(f"{path}/counter", json={"message": "Hm"}, headers=dev), 422)
    terms = {
        "cadence": {"interval_days": 28, "session_minutes": 30},
        "message": "Monthly suits me.",
    }
    countered = await client.post(f"{path}/counter", json=terms, headers=dev)
    assert countered.status_code == 200, countered.text
    assert countered.json()["status"] == "countered"
    assert countered.json()["counter"] == {**terms, "duration_months": None}
    mine = (await client.get(path, headers=mia)).json()
    assert mine["allowed_actions"] == ["accept", "withdraw"]
    _problem(await client.post(f"{path}/accept", headers=dev), 403)

    accepted = await client.post(f"{path}/accept", headers=mia)
    assert accepted.status_code == 200, accepted.text
    mentorship = await client.get(
        f"/v1/mentorships/{accepted.json()['mentorship_id']}", headers=dev
    )
    assert mentorship.json()["cadence"] == terms["cadence"]
    assert mentorship.json()["duration_months"] == careful_draft(dev_id)["duration_months"]


async def _program(
    client: httpx.AsyncClient, admin: dict[str, str], members: list[tuple[str, str]], **policy: Any
) -> str:
    created = await client.post("/v1/programs", json={"name": "Spring", **policy}, headers=admin)
    assert created.status_code == 201, created.text
    program_id = str(created.json()["id"])
    for user_id, role in members:
        joined = await client.post(
            f"/v1/programs/{program_id}/participants",
            json={"user_id": user_id, "role": role},
            headers=admin,
        )
        assert joined.status_code == 201, joined.text
    return program_id


async def test_a_programs_policies_hold_when_sending_and_accepting(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    mentors = [await put_mentor(client, tenant, f"m{i}@example.com") for i in range(3)]
    mia = await tenant.headers("mia@example.com")
    mia_id = await _me(client, mia)
    program_id = await _program(
        client,
        admin,
        [(mentor_id, "mentor") for _, mentor_id in mentors] + [(mia_id, "mentee")],
        min_request_score=60,
        max_pending_requests=2,
    )

    careless = await client.post(
        "/v1/requests",
        json={"mentor_id": mentors[0][1], "program_id": program_id, "message": "Mentor me?"},
        headers=mia,
    )
    refused = _problem(
        await client.post(f"/v1/requests/{careless.json()['id']}/send", headers=mia), 422
    )
    assert refused["min_score"] == 60 and refused["review"]["score"] < 60
    assert all(c["suggestion"] for c in refused["review"]["checks"] if c["status"] != "pass")
    assert (await client.get(f"/v1/requests/{careless.json()['id']}", headers=mia)).json()[
        "status"
    ] == "draft"
    withdrawn = await client.post(f"/v1/requests/{careless.json()['id']}/withdraw", headers=mia)
    assert withdrawn.json()["status"] == "withdrawn"

    first, second = [
        await _sent(client, mia, {**careful_draft(mentor_id), "program_id": program_id})
        for _, mentor_id in mentors[:2]
    ]
    third = await client.post(
        "/v1/requests", json={**careful_draft(mentors[2][1]), "program_id": program_id}, headers=mia
    )
    too_many = _problem(
        await client.post(f"/v1/requests/{third.json()['id']}/send", headers=mia), 409
    )
    assert (too_many["reason"], too_many["limit"]) == ("too_many_pending", 2)

    # One mentor at a time (the default): accepting one withdraws the other, by the platform.
    accepted = await client.post(f"/v1/requests/{first['id']}/accept", headers=mentors[0][0])
    assert accepted.status_code == 200, accepted.text
    other = (await client.get(f"/v1/requests/{second['id']}", headers=mia)).json()
    assert other["status"] == "withdrawn"
    history = (await client.get(f"/v1/requests/{second['id']}/history", headers=mia)).json()
    assert history["items"][0]["actor_id"] is None
    assert "accepted another mentor" in history["items"][0]["reason"]
    withdrawals = [p for kind, p in await events_of(tenant.id, "request.withdrawn")]
    assert [(p["request_id"], p["mentor_id"]) for p in withdrawals][-1] == (
        second["id"],
        mentors[1][1],
    )
    mentored = _problem(
        await client.post(f"/v1/requests/{third.json()['id']}/send", headers=mia), 409
    )
    assert mentored["reason"] == "already_mentored"


async def test_who_cannot_be_asked_and_drafts_out_of_bounds_are_refused(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant, elsewhere = await make_tenant(), await make_tenant()
    dev, dev_id = await put_mentor(client, tenant)
    _, closed_id = await put_mentor(client, tenant, "closed@example.com", accepting_requests=False)
    _, full_id = await put_mentor(client, tenant, "full@example.com", capacity=0)
    _, foreign_id = await put_mentor(client, elsewhere)
    mia = await tenant.headers("mia@example.com")
    sam_id = await _me(client, await tenant.headers("sam@example.com"))

    async def create(draft: dict[str, Any]) -> httpx.Response:
        return await client.post("/v1/requests", json=draft, headers=mia)

    for mentor_id in (foreign_id, sam_id, str(uuid.uuid4())):
        _problem(await create(careful_draft(mentor_id)), 404)
    yourself = _problem(
        await client.post("/v1/requests", json=careful_draft(dev_id), headers=dev), 422
    )
    assert yourself["errors"][0]["loc"] == ["body", "mentor_id"]
    assert _problem(await create(careful_draft(closed_id)), 409)["reason"] == "not_accepting"
    assert _problem(await create(careful_draft(full_id)), 409)["reason"] == "full"

    past = datetime.now(UTC) - timedelta(days=1)
    for change, field in (
        ({"message": "x" * 5001}, "message"),
        ({"goals": ["Ship it"] * 11}, "goals"),
        ({"questions": ["How?"] * 11}, "questions"),
        ({"meeting_options": [option(past)]}, "meeting_options"),
        ({"meeting_options": [option(past + timedelta(days=9), minutes=-30)]}, "meeting_options"),
        ({"contribution": "x" * 1001}, "contribution"),
        ({"message": "null\u0000byte"}, "message"),
        ({"duration_months": 10**30}, "duration_months"),
    ):
        refused = _problem(await create({**careful_draft(dev_id), **change}), 422)
        assert any(e["loc"][:2] == ["body", field] for e in refused["errors"]), (field, refused)

    first = await create(careful_draft(dev_id))
    assert first.status_code == 201
    twice = _problem(await create(careful_draft(dev_id)), 409)
    assert (twice["reason"], twice["request_id"]) == ("open_request_exists", first.json()["id"])
    path = f"/v1/requests/{first.json()['id']}"
    stale = await client.patch(path, json={"message": "New"}, headers={**mia, "If-Match": '"9"'})
    assert stale.status_code == 412
    edited = await client.patch(
        path,
        json={"message": "New", "goals": None},
        headers={**mia, "If-Match": first.headers["ETag"]},
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["message"], edited.json()["goals"]) == ("New", [])
    sent = await client.post(f"{path}/send", headers=mia)
    assert sent.status_code == 200
    bad_reason = await client.post(f"{path}/decline", json={"reason": "busy"}, headers=dev)
    _problem(bad_reason, 422)
    assert (await client.get(path, headers=mia)).json()["status"] == "pending"
