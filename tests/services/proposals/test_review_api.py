"""POST /v1/requests/review through the gateway: a careless and a careful draft to a real
mentor profile, the bounds of a draft, and who may be asked."""

from datetime import timedelta

import httpx

from tests.conftest import TenantFactory
from tests.services.proposals.people import (
    MENTOR_PROFILE,
    careful_draft,
    next_monday_at,
    option,
    put_mentor,
)

CHECKS = [
    "specific_goals",
    "clear_objectives",
    "personalised",
    "respects_time",
    "offers_contribution",
    "thoughtful_questions",
]


async def test_a_careless_draft_scores_low_and_a_careful_one_high(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    _, mentor_id = await put_mentor(client, tenant)
    mia = await tenant.headers("mia@example.com", ["mentee"])

    careless = await client.post(
        "/v1/requests/review",
        json={
            "mentor_id": mentor_id,
            "message": "Hi, can you mentor me?",
            "goals": ["learn more about leadership"],
            "questions": ["Do you have time for me?"],
            "contribution": "anything",
        },
        headers=mia,
    )
    assert careless.status_code == 200, careless.text
    body = careless.json()
    assert [check["name"] for check in body["checks"]] == CHECKS
    assert body["score"] <= 25
    assert all(check["status"] != "pass" and check["suggestion"] for check in body["checks"])
    by_name = {check["name"]: check for check in body["checks"]}
    # The mentor wrote "k8s": the review names the skill as the vocabulary knows it.
    assert "Kubernetes expertise" in by_name["personalised"]["suggestion"]
    assert "'Led the payments rewrite'" in by_name["personalised"]["suggestion"]

    careful = await client.post("/v1/requests/review", json=careful_draft(mentor_id), headers=mia)
    assert careful.status_code == 200, careful.text
    assert careful.json()["score"] == 100, careful.json()


async def test_a_meeting_time_outside_the_mentors_week_is_named(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    _, mentor_id = await put_mentor(client, tenant)
    draft = careful_draft(mentor_id)
    friday = next_monday_at(10) + timedelta(days=4)
    draft["meeting_options"] = [option(friday), option(friday + timedelta(hours=1))]
    response = await client.post(
        "/v1/requests/review", json=draft, headers=await tenant.headers("mia@example.com")
    )
    respects_time = response.json()["checks"][3]
    assert respects_time["status"] == "fail"
    assert (
        "outside their availability (Mon-Thu 09:00-17:00 Europe/Berlin)"
        in (respects_time["suggestion"])
    )
    assert f"'Fri {friday.day} " in respects_time["suggestion"]


async def test_unknown_or_foreign_mentors_are_404_and_yourself_422(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    mentor_headers, mentor_id = await put_mentor(client, tenant)
    elsewhere = await other.headers("mia@example.com")
    foreign = await client.post(
        "/v1/requests/review", json=careful_draft(mentor_id), headers=elsewhere
    )
    assert foreign.status_code == 404
    assert foreign.headers["content-type"].startswith("application/problem+json")
    unknown = careful_draft("00000000-0000-4000-8000-000000000000")
    mia = await tenant.headers("mia@example.com")
    assert (await client.post("/v1/requests/review", json=unknown, headers=mia)).status_code == 404
    mia_id = (await client.get("/v1/users/me", headers=mia)).json()["id"]
    not_a_mentor = await client.post(
        "/v1/requests/review",
        json=careful_draft(mia_id),
        headers=await tenant.headers("sam@example.com"),
    )
    assert not_a_mentor.status_code == 404
    yourself = await client.post(
        "/v1/requests/review", json=careful_draft(mentor_id), headers=mentor_headers
    )
    assert yourself.status_code == 422
    assert yourself.json()["errors"][0]["loc"] == ["body", "mentor_id"]
    anonymous = await client.post("/v1/requests/review", json=careful_draft(mentor_id))
    assert anonymous.status_code == 401


async def test_a_draft_out_of_bounds_is_422_naming_the_field(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    _, mentor_id = await put_mentor(client, tenant)
    mia = await tenant.headers("mia@example.com")
    start = next_monday_at(10)
    cases: list[tuple[dict[str, object], str]] = [
        ({"message": "x" * 5001}, "message"),
        ({"goals": ["Ship it"] * 11}, "goals"),
        ({"questions": ["How?" + "x" * 500]}, "questions"),
        ({"meeting_options": [option(start)] * 11}, "meeting_options"),
        ({"meeting_options": [option(start, minutes=-30)]}, "meeting_options"),
        (
            {"meeting_options": [{"start": "2030-01-07T10:00:00", "end": "2030-01-07T11:00:00"}]},
            "meeting_options",
        ),
        ({"cadence": {"interval_days": 0, "session_minutes": 45}}, "cadence"),
        ({"cadence": {"interval_days": 14, "session_minutes": 241}}, "cadence"),
        ({"duration_months": 25}, "duration_months"),
        ({"mood": "hopeful"}, "mood"),
    ]
    for change, field in cases:
        response = await client.post(
            "/v1/requests/review", json={**careful_draft(mentor_id), **change}, headers=mia
        )
        assert response.status_code == 422, (field, response.text)
        assert any(error["loc"][:2] == ["body", field] for error in response.json()["errors"]), (
            field,
            response.json(),
        )


async def test_a_review_replays_under_its_idempotency_key(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    _, mentor_id = await put_mentor(client, tenant)
    headers = {**await tenant.headers("mia@example.com"), "Idempotency-Key": "review-1"}
    draft = careful_draft(mentor_id)
    first = await client.post("/v1/requests/review", json=draft, headers=headers)
    again = await client.post("/v1/requests/review", json=draft, headers=headers)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    other = await client.post(
        "/v1/requests/review", json={**draft, "message": "Changed."}, headers=headers
    )
    assert other.status_code == 422


async def test_a_mentor_who_hides_their_hours_is_checked_without_showing_them(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    headers = await tenant.headers("dev@example.com", ["mentor"])
    private = {
        **MENTOR_PROFILE,
        "availability": {**MENTOR_PROFILE["availability"], "public": False},
    }
    put = await client.put("/v1/profiles/me", json=private, headers={**headers, "If-Match": '"0"'})
    assert put.status_code == 200, put.text
    mentor_id = (await client.get("/v1/users/me", headers=headers)).json()["id"]
    draft = careful_draft(mentor_id)
    friday = next_monday_at(10) + timedelta(days=4)
    draft["meeting_options"] = [option(friday), option(friday + timedelta(hours=1))]
    response = await client.post(
        "/v1/requests/review", json=draft, headers=await tenant.headers("mia@example.com")
    )
    suggestion = response.json()["checks"][3]["suggestion"]
    assert "outside their availability (they keep their hours private)" in suggestion
    assert "Mon-Thu" not in suggestion
