"""The mentor's brief on a received request, through the gateway: why this mentee fits, written
to the mentor, with the review's score and the mentee's goals; only the mentor sees it, and a
page of received requests is briefed without a query per request."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event

from services.core.db import database
from tests.conftest import TenantFactory, TenantHandle

DEV = {
    "headline": "Platform engineer, Kubernetes in production since 2016",
    "timezone": "Europe/Berlin",
    "languages": ["en", "de"],
    "industries": ["FinTech"],
    "values": ["integrity", "autonomy"],
    "communication": {"channels": ["video"], "style": "direct", "response_time_hours": 24},
    "availability": {"weekly": [{"weekday": 1, "start": "16:00", "end": "20:00"}]},
    "skills": [
        {"name": "k8s", "level": 5, "kind": "expertise"},
        {"name": "Go", "level": 4, "kind": "expertise"},
    ],
    "mentor": {"capacity": 5, "accepting_requests": True, "openness": 0.7},
}
MIA = {
    "headline": "Backend developer at Beta Bank",
    "timezone": "Europe/Berlin",
    "languages": ["en"],
    "industries": ["FinTech"],
    "values": ["integrity"],
    "communication": {"channels": ["video"], "style": "direct"},
    # Tuesdays 18:00-22:00 Berlin: 2 hours shared with Dev's 16:00-20:00.
    "availability": {"weekly": [{"weekday": 1, "start": "18:00", "end": "22:00"}]},
    "skills": [{"name": "Kubernetes", "level": 2, "kind": "wants_to_learn"}],
    "mentee": {
        "goals": [
            {
                "title": "Run our payment services on Kubernetes",
                "target_skills": ["Kubernetes"],
                "horizon_months": 6,
            }
        ]
    },
}
# Someone Dev shares little with: another field, another continent, no shared hours.
MAX = {
    "headline": "Product designer",
    "timezone": "America/Los_Angeles",
    "languages": ["en"],
    "industries": ["Healthcare"],
    "skills": [{"name": "User research", "level": 2, "kind": "wants_to_learn"}],
    "mentee": {"goals": [{"title": "Lead design research", "target_skills": ["User research"]}]},
}


async def _person(
    client: httpx.AsyncClient, tenant: TenantHandle, name: str, body: dict[str, Any], role: str
) -> tuple[dict[str, str], str]:
    headers = await tenant.headers(f"{name}@example.com", [role])
    put = await client.put("/v1/profiles/me", json=body, headers={**headers, "If-Match": '"0"'})
    assert put.status_code == 200, put.text
    return headers, (await client.get("/v1/users/me", headers=headers)).json()["id"]


async def send_request(
    client: httpx.AsyncClient, headers: dict[str, str], mentor_id: str, goals: list[str]
) -> dict[str, Any]:
    """A draft to the mentor, sent: the request as the mentee then sees it."""
    created = await client.post(
        "/v1/requests",
        json={
            "mentor_id": mentor_id,
            "message": "Hello, I read about your Kubernetes work and would value your view.",
            "goals": goals,
            "cadence": {"interval_days": 14, "session_minutes": 45},
            "duration_months": 6,
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    sent = await client.post(f"/v1/requests/{created.json()['id']}/send", headers=headers)
    assert sent.status_code == 200, sent.text
    return dict(sent.json())


async def test_the_mentor_reads_why_the_mentee_fits_and_the_mentee_reads_no_brief(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    dev, dev_id = await _person(client, tenant, "dev", DEV, "mentor")
    mia, mia_id = await _person(client, tenant, "mia", MIA, "mentee")
    sent = await send_request(client, mia, dev_id, ["Move checkout to Kubernetes by Q3"])
    assert sent["brief"] is None  # the mentee's own view
    assert sent["review_score"] is not None

    seen = await client.get(f"/v1/requests/{sent['id']}", headers=dev)
    assert seen.status_code == 200, seen.text
    brief = seen.json()["brief"]
    assert brief is not None
    assert brief["mentee_id"] == mia_id and brief["mentee_display_name"] == "Mia"
    assert brief["mentee_headline"] == MIA["headline"]
    assert brief["review_score"] == sent["review_score"]
    # What she asks Dev for in the request, then what her profile says she is after.
    assert brief["goals"] == [
        "Move checkout to Kubernetes by Q3",
        "Run our payment services on Kubernetes",
    ]
    assert set(brief["factors"]) == {
        "expertise",
        "accessibility",
        "values",
        "communication",
        "adaptability",
    }
    assert 0 < brief["score"] <= 1
    reasons = brief["reasons"]
    # Written to Dev, about Mia: her target skill he lists (as "k8s", named as the
    # vocabulary knows it), the hours they share, the value they share.
    assert "Mia wants to grow in Kubernetes, which you list; Mia works in FinTech, as you do" in (
        reasons
    ), reasons
    assert "2 hours of your week overlap with Mia's" in reasons, reasons
    assert "You share the value integrity" in reasons, reasons
    assert any("you both prefer video calls" in r.lower() for r in reasons), reasons

    # The pair's numbers are matching's own: explain says the same of the factors that do not
    # depend on the rest of the organisation.
    explained = await client.get("/v1/matching/explain", params={"mentor_id": dev_id}, headers=mia)
    assert explained.status_code == 200, explained.text
    for factor in ("accessibility", "values", "communication"):
        assert brief["factors"][factor] == explained.json()["factors"][factor], factor

    # The mentee reading the same request has no brief; nor does an admin looking on.
    own = await client.get(f"/v1/requests/{sent['id']}", headers=mia)
    assert own.status_code == 200 and own.json()["brief"] is None
    admin = await client.get(f"/v1/requests/{sent['id']}", headers=await tenant.admin_headers())
    assert admin.status_code == 200 and admin.json()["brief"] is None
    sent_box = await client.get("/v1/requests?box=sent", headers=mia)
    assert [item["brief"] for item in sent_box.json()["items"]] == [None]


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def _received(client: httpx.AsyncClient, dev: dict[str, str]) -> tuple[list[Any], int]:
    with counted_statements() as statements:
        response = await client.get("/v1/requests?box=received", headers=dev)
    assert response.status_code == 200, response.text
    return response.json()["items"], len(statements)


async def test_each_received_request_carries_its_brief_in_one_batch(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    dev, dev_id = await _person(client, tenant, "dev", DEV, "mentor")
    mia, mia_id = await _person(client, tenant, "mia", MIA, "mentee")
    await send_request(client, mia, dev_id, ["Move checkout to Kubernetes by Q3"])
    _, one_request = await _received(client, dev)

    mentees = {uuid.UUID(mia_id): "mia"}
    for name in ("max", "sam", "zoe"):
        headers, user_id = await _person(client, tenant, name, MAX, "mentee")
        mentees[uuid.UUID(user_id)] = name
        await send_request(client, headers, dev_id, ["Lead design research"])
    items, four_requests = await _received(client, dev)

    assert len(items) == 4
    briefs = {mentees[uuid.UUID(item["mentee_id"])]: item["brief"] for item in items}
    assert all(brief is not None for brief in briefs.values()), briefs
    assert {name: brief["mentee_id"] for name, brief in briefs.items()} == {
        name: str(user_id) for user_id, name in mentees.items()
    }
    # Each brief is about its own mentee: Mia fits Dev far better than Max does.
    assert briefs["mia"]["score"] > briefs["max"]["score"]
    assert any("Kubernetes" in reason for reason in briefs["mia"]["reasons"])
    assert not any("Kubernetes" in reason for reason in briefs["max"]["reasons"])
    assert briefs["max"]["goals"] == ["Lead design research"]
    # Four requests cost the statements of one: the people are read once for the page.
    assert one_request > 0
    assert four_requests == one_request, (one_request, four_requests)

    # A tenant's own brief only: another organisation's mentor reads none of these.
    other = await make_tenant()
    stranger = await other.headers("dev@example.com", ["mentor"])
    assert (await client.get("/v1/requests?box=received", headers=stranger)).json()["items"] == []
