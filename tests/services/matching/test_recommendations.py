"""Recommendations and explanations through the gateway: the mentor who fits ranks first, a
mentor who may not be asked never appears and explain says why, and only admins ask about
someone else."""

import uuid
from typing import Any

import httpx
import pytest

from services.core.db import database
from services.profiles import commands as profile_commands
from services.progress.mentorships.models import Mentorship
from services.proposals.models import MentorshipRequest
from tests.conftest import TenantFactory, TenantHandle

ADA = {
    "headline": "Staff engineer, distributed systems",
    "bio": "I help engineers grow into system design and backend services in Python.",
    "timezone": "Europe/Berlin",
    "languages": ["en", "de"],
    "industries": ["Fintech"],
    "values": ["Integrity", "continuous learning"],
    "communication": {"channels": ["video"], "style": "socratic", "response_time_hours": 24},
    "availability": {
        "weekly": [{"weekday": 1, "start": "17:00", "end": "19:00"}],
        "hours_per_month": 6,
        "public": False,
    },
    "skills": [
        {"name": "python3", "level": 5, "kind": "expertise"},
        {"name": "System design", "level": 5, "kind": "expertise"},
    ],
    "mentor": {"capacity": 2, "accepting_requests": True, "openness": 0.7},
}
BEN = {
    "headline": "Design lead",
    "bio": "Product design, research and design systems.",
    "timezone": "America/Los_Angeles",
    "languages": ["en"],
    "industries": ["Healthcare"],
    "skills": [{"name": "User research", "level": 5, "kind": "expertise"}],
    "mentor": {"capacity": 3, "accepting_requests": True, "openness": 0.2},
}
MIA = {
    "headline": "Junior developer",
    "timezone": "Europe/Berlin",
    "languages": ["en"],
    "industries": ["Fintech"],
    "values": ["integrity"],
    "communication": {"channels": ["video"], "style": "socratic"},
    "availability": {
        "weekly": [{"weekday": 1, "start": "16:00", "end": "20:00"}],
        "public": False,
    },
    "skills": [{"name": "Python", "level": 2, "kind": "wants_to_learn"}],
    "mentee": {
        "goals": [
            {
                "title": "Design a backend service end to end",
                "description": "Own the system design of one Python service.",
                "target_skills": ["python", "system design"],
                "horizon_months": 6,
            }
        ]
    },
}


VALUES_ONLY = {
    "expertise": 0,
    "accessibility": 0,
    "values": 1,
    "communication": 0,
    "adaptability": 0,
}


class Community:
    """People of one tenant, written through the API: their headers and ids by name."""

    def __init__(self, client: httpx.AsyncClient, tenant: TenantHandle) -> None:
        self.client = client
        self.tenant = tenant
        self.headers: dict[str, dict[str, str]] = {}
        self.ids: dict[str, uuid.UUID] = {}
        self.names: dict[uuid.UUID, str] = {}

    async def add(self, name: str, body: dict[str, Any], roles: list[str]) -> uuid.UUID:
        headers = await self.tenant.headers(f"{name}@example.com", roles)
        await self.put(name, body, headers)
        me = await self.client.get("/v1/users/me", headers=headers)
        user_id = uuid.UUID(me.json()["id"])
        self.headers[name], self.ids[name], self.names[user_id] = headers, user_id, name
        return user_id

    async def put(
        self, name: str, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        response = await self.client.put(
            "/v1/profiles/me", json=body, headers=headers or self.headers[name]
        )
        assert response.status_code == 200, response.text

    async def admin(self) -> dict[str, str]:
        return await self.tenant.admin_headers()

    async def recommended(self, asker: str, **params: Any) -> list[str]:
        response = await self.client.get(
            "/v1/matching/recommendations", params=params, headers=self.headers[asker]
        )
        assert response.status_code == 200, response.text
        return [self.names[uuid.UUID(item["mentor_id"])] for item in response.json()["items"]]

    async def explain(self, asker: str, mentor: str, **params: Any) -> dict[str, Any]:
        response = await self.client.get(
            "/v1/matching/explain",
            params={"mentor_id": str(self.ids[mentor]), **params},
            headers=self.headers[asker],
        )
        assert response.status_code == 200, response.text
        return dict(response.json())


async def community(client: httpx.AsyncClient, tenant: TenantHandle) -> Community:
    people = Community(client, tenant)
    await people.add("ada", ADA, ["mentor"])
    await people.add("ben", BEN, ["mentor"])
    await people.add("mia", MIA, ["mentee"])
    return people


async def test_the_mentor_who_fits_ranks_first_with_reasons(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    people = await community(client, await make_tenant())
    response = await client.get("/v1/matching/recommendations", headers=people.headers["mia"])
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [people.names[uuid.UUID(item["mentor_id"])] for item in items] == ["ada", "ben"]
    ada, ben = items
    assert ada["score"] > ben["score"]
    assert set(ada["factors"]) == {
        "expertise",
        "accessibility",
        "values",
        "communication",
        "adaptability",
    }
    assert all(0 <= value <= 1 for item in items for value in item["factors"].values())
    assert ada["factors"]["expertise"] > ben["factors"]["expertise"]
    assert ada["display_name"] == "Ada" and ada["headline"] == ADA["headline"]
    # Reasons a person can read, about this pair: Ada knows Python and system design.
    assert any("Python" in reason for reason in ada["reasons"]), ada["reasons"]
    # The same pair explained: the same numbers.
    explained = await people.explain("mia", "ada")
    assert explained["eligible"] is True and explained["blocked_by"] == []
    assert explained["score"] == ada["score"] and explained["factors"] == ada["factors"]
    assert explained["mentee_id"] == str(people.ids["mia"])
    # limit
    assert await people.recommended("mia", limit=1) == ["ada"]


async def _blocked_everywhere(people: Community, mentor: str, reason: str, **params: Any) -> None:
    """The mentor is in no recommendation, and explain says why (factors still shown)."""
    assert mentor not in await people.recommended("mia", **params)
    explained = await people.explain("mia", mentor, **params)
    assert explained["eligible"] is False
    assert reason in explained["blocked_by"], explained["blocked_by"]
    assert set(explained["factors"]) == {
        "expertise",
        "accessibility",
        "values",
        "communication",
        "adaptability",
    }


async def test_a_mentor_who_may_not_be_asked_never_appears_and_explain_says_why(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    people = await community(client, tenant)
    await people.add("chloe", {**ADA, "languages": ["fr"]}, ["mentor"])
    await people.add(
        "dev", {**ADA, "mentor": {**ADA["mentor"], "accepting_requests": False}}, ["mentor"]
    )
    await people.add("fay", {**ADA, "mentor": {**ADA["mentor"], "capacity": 1}}, ["mentor"])
    await people.add("gus", ADA, ["mentor"])
    await people.add("hal", ADA, ["mentor"])
    await people.add("ivy", ADA, ["mentor"])
    await people.add(
        "max", {**MIA, "mentor": ADA["mentor"], "skills": ADA["skills"]}, ["mentee", "mentor"]
    )
    # Before anything blocks them, all fit but Chloe, who speaks only French.
    assert set(await people.recommended("mia")) == {"ada", "ben", "fay", "gus", "hal", "ivy", "max"}

    async with database.transaction(tenant_id=tenant.id) as session:
        assert await profile_commands.take_mentor_place(session, tenant.id, people.ids["fay"])
        session.add(
            MentorshipRequest(
                mentee_id=people.ids["mia"], mentor_id=people.ids["hal"], status="pending"
            )
        )
        session.add(
            Mentorship(mentee_id=people.ids["mia"], mentor_id=people.ids["ivy"], status="paused")
        )
    deactivated = await client.patch(
        f"/v1/users/{people.ids['gus']}", json={"active": False}, headers=await people.admin()
    )
    assert deactivated.status_code == 200, deactivated.text

    assert set(await people.recommended("mia")) == {"ada", "ben", "max"}
    await _blocked_everywhere(people, "chloe", "no_shared_language")
    await _blocked_everywhere(people, "dev", "not_accepting")
    await _blocked_everywhere(people, "fay", "full")
    await _blocked_everywhere(people, "gus", "deactivated")
    await _blocked_everywhere(people, "hal", "existing_request_or_mentorship")
    await _blocked_everywhere(people, "ivy", "existing_request_or_mentorship")
    # A mentee who mentors too is never recommended to themselves.
    assert "max" not in await people.recommended("max")
    explained = await people.explain("max", "max")
    assert "same_person" in explained["blocked_by"]
    # A request that ended no longer stands between the two.
    async with database.transaction(tenant_id=tenant.id) as session:
        session.add(
            MentorshipRequest(
                mentee_id=people.ids["mia"], mentor_id=people.ids["ada"], status="declined"
            )
        )
    assert "ada" in await people.recommended("mia")


async def test_a_program_limits_the_mentors_to_its_own(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    people = await community(client, tenant)
    admin = await people.admin()
    created = await client.post(
        "/v1/programs",
        json={"name": "Design guild", "matching_weights": VALUES_ONLY},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    program_id = created.json()["id"]
    added = await client.post(
        f"/v1/programs/{program_id}/participants",
        json={"user_id": str(people.ids["ben"]), "role": "mentor"},
        headers=admin,
    )
    assert added.status_code == 201, added.text

    assert await people.recommended("mia", program_id=program_id) == ["ben"]
    await _blocked_everywhere(people, "ada", "not_in_program", program_id=program_id)
    # The program's weights: values only.
    ben = await people.explain("mia", "ben", program_id=program_id)
    assert ben["score"] == pytest.approx(ben["factors"]["values"], abs=1e-3)
    # Without a program: every mentor again.
    assert await people.recommended("mia") == ["ada", "ben"]


async def test_only_an_admin_asks_about_someone_else(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    people = await community(client, tenant)
    await people.add("noa", MIA, ["mentee"])
    strangers = await community(client, other)
    mia, noa, ada = people.ids["mia"], people.ids["noa"], people.ids["ada"]

    async def status(headers: dict[str, str], path: str, **params: Any) -> int:
        response = await client.get(f"/v1/matching/{path}", params=params, headers=headers)
        if response.status_code != 200:
            assert response.headers["content-type"] == "application/problem+json"
        return response.status_code

    as_mia = people.headers["mia"]
    assert await status(as_mia, "recommendations", mentee_id=str(noa)) == 403
    assert await status(as_mia, "explain", mentee_id=str(noa), mentor_id=str(ada)) == 403
    assert await status(as_mia, "recommendations", mentee_id=str(mia)) == 200
    admin = await people.admin()
    assert await status(admin, "recommendations", mentee_id=str(noa)) == 200
    assert await status(admin, "explain", mentee_id=str(noa), mentor_id=str(ada)) == 200
    # Another tenant's people and programs do not exist here, not even for an admin.
    stranger, their_mentor = strangers.ids["mia"], strangers.ids["ada"]
    their_program = (await client.get("/v1/programs", headers=strangers.headers["mia"])).json()[
        "items"
    ][0]["id"]
    for headers in (as_mia, admin):
        assert await status(headers, "recommendations", mentee_id=str(stranger)) == 404
        assert await status(headers, "recommendations", program_id=their_program) == 404
        assert await status(headers, "recommendations", program_id=str(uuid.uuid4())) == 404
        assert await status(headers, "explain", mentor_id=str(their_mentor)) == 404
        assert await status(headers, "explain", mentor_id=str(uuid.uuid4())) == 404
    # The strangers' mentors never show up here.
    assert set(await people.recommended("mia")) == {"ada", "ben"}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("recommendations", {"mentee_id": "not-a-uuid"}),
        ("recommendations", {"program_id": "1"}),
        ("recommendations", {"limit": "0"}),
        ("recommendations", {"limit": "51"}),
        ("recommendations", {"limit": str(2**70)}),
        ("recommendations", {"limit": "ten"}),
        ("explain", {}),
        ("explain", {"mentor_id": "x\x00"}),
        ("explain", {"mentor_id": str(uuid.uuid4()), "mentee_id": "nope"}),
    ],
)
async def test_bad_input_is_422(
    client: httpx.AsyncClient, make_tenant: TenantFactory, path: str, params: dict[str, str]
) -> None:
    tenant = await make_tenant()
    response = await client.get(
        f"/v1/matching/{path}", params=params, headers=await tenant.headers("mia@example.com")
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_no_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/matching/recommendations")
    assert response.status_code == 401
