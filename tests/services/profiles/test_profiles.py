"""Profiles and mentor search through the gateway: a mentee finds the right mentors."""

import httpx

from tests.conftest import TenantFactory

ADA = {
    "headline": "Staff engineer, distributed systems",
    "bio": "I help engineers grow into system design and technical leadership.",
    "timezone": "Europe/Berlin",
    "languages": ["en", "de"],
    "industries": ["Fintech"],
    "years_experience": 15,
    "seniority": "principal",
    "career_history": [
        {"title": "Staff engineer", "organisation": "Payly", "start": "2018-01-01", "end": None}
    ],
    "achievements": [{"title": "Scaled payments to 10k tps", "year": 2021}],
    "values": ["Integrity", "continuous learning"],
    "communication": {
        "channels": ["video", "chat"],
        "style": "socratic",
        "response_time_hours": 24,
    },
    "availability": {
        "weekly": [{"weekday": 1, "start": "17:00", "end": "19:00"}],
        "hours_per_month": 6,
        "public": False,
    },
    "skills": [
        {"name": "python3", "level": 5, "kind": "expertise"},
        {"name": "Kubernetes", "level": 4, "kind": "expertise"},
    ],
    "mentor": {"capacity": 2, "accepting_requests": True, "openness": 0.7},
}
BEN = {
    "headline": "Design lead",
    "bio": "Product design, research and design systems.",
    "timezone": "America/New_York",
    "languages": ["en"],
    "industries": ["Healthcare"],
    "skills": [{"name": "User research", "level": 5, "kind": "expertise"}],
    "mentor": {"capacity": 3, "accepting_requests": True, "openness": 0.4},
}
CHLOE = {
    "headline": "Backend engineer",
    "bio": "Python and Go services.",
    "timezone": "Europe/Paris",
    "languages": ["fr"],
    "skills": [{"name": "Python", "level": 4, "kind": "expertise"}],
    "mentor": {"capacity": 1, "accepting_requests": True, "openness": 0.5},
}
DEV = {
    "headline": "Senior engineer",
    "bio": "Python platform work; fully booked this quarter.",
    "timezone": "Europe/London",
    "languages": ["en-GB"],
    "skills": [{"name": "py", "level": 4, "kind": "expertise"}],
    "mentor": {"capacity": 1, "accepting_requests": False, "openness": 0.5},
}
MIA = {
    "headline": "Junior developer",
    "timezone": "Europe/Berlin",
    "languages": ["en"],
    "skills": [{"name": "Python", "level": 2, "kind": "wants_to_learn"}],
    "mentee": {
        "goals": [
            {
                "title": "Design a service end to end",
                "description": "Own the design of one backend service within six months.",
                "target_skills": ["python", "system design"],
                "horizon_months": 6,
            }
        ]
    },
}


async def _put(client: httpx.AsyncClient, headers: dict[str, str], body: dict) -> httpx.Response:
    current = await client.get("/v1/profiles/me", headers=headers)
    return await client.put(
        "/v1/profiles/me", json=body, headers={**headers, "If-Match": current.headers["etag"]}
    )


async def _names(client, headers, **params) -> list[str]:
    response = await client.get("/v1/mentors", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return sorted(item["display_name"] for item in response.json()["items"])


async def _community(client, tenant):
    people = {}
    for name, body, roles in (
        ("ada", ADA, ["mentor"]),
        ("ben", BEN, ["mentor"]),
        ("chloe", CHLOE, ["mentor"]),
        ("dev", DEV, ["mentor"]),
        ("mia", MIA, ["mentee"]),
    ):
        headers = await tenant.headers(f"{name}@example.com", roles)
        response = await _put(client, headers, body)
        assert response.status_code == 200, response.text
        people[name] = (headers, response.json())
    return people


async def test_a_mentee_finds_the_right_mentors(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    people = await _community(client, tenant)
    mia = people["mia"][0]
    # Alias-aware: "py" and "python3" are Python.
    assert await _names(client, mia, skill="py") == ["Ada", "Chloe", "Dev"]
    assert await _names(client, mia, skill="Python", language="en") == ["Ada", "Dev"]
    assert await _names(client, mia, skill="python", language="en", available="true") == ["Ada"]
    # OR within a kind, AND across kinds.
    assert await _names(client, mia, skill=["user research", "kubernetes"]) == ["Ada", "Ben"]
    assert await _names(client, mia, skill=["user research", "k8s"], language="de") == ["Ada"]
    assert await _names(client, mia, industry="fintech") == ["Ada"]
    assert await _names(client, mia, value="integrity") == ["Ada"]
    assert await _names(client, mia, available="false") == ["Dev"]
    # A regional language counts for its language.
    assert await _names(client, mia, language="en", skill="py", available="false") == ["Dev"]
    # Full text over headline, bio, skills and career.
    assert await _names(client, mia, q="design research") == ["Ben"]
    assert await _names(client, mia, q="system design") == ["Ada", "Ben"]
    assert await _names(client, mia, q="payly") == ["Ada"]
    assert await _names(client, mia, q="python", language="fr") == ["Chloe"]
    # A mentee is not a mentor.
    assert "Mia" not in await _names(client, mia)


async def test_profile_reads_normalise_and_score(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    people = await _community(client, tenant)
    ada = people["ada"][1]
    assert {s["name"] for s in ada["skills"]} == {"Python", "Kubernetes"}
    assert ada["values"] == ["integrity", "continuous learning"]
    assert ada["mentor"]["active_mentees"] == 0
    assert 0 <= ada["completeness"]["score"] <= 100
    mia = people["mia"][1]
    assert "bio" in mia["completeness"]["missing"]
    assert "goals" not in mia["completeness"]["missing"]
    empty = await client.get("/v1/profiles/me", headers=await tenant.headers("new@example.com"))
    assert empty.status_code == 200
    assert empty.headers["etag"] == '"0"'
    assert empty.json()["completeness"]["score"] == 0


async def test_public_view_hides_private_parts(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    people = await _community(client, tenant)
    ada_id = people["ada"][1]["user_id"]
    seen = await client.get(f"/v1/profiles/{ada_id}", headers=people["mia"][0])
    assert seen.status_code == 200
    body = seen.json()
    assert body["availability"]["weekly"] == []  # Ada hid her weekly windows
    assert body["availability"]["hours_per_month"] == 6
    assert "email" not in body
    assert "completeness" not in body
    assert body["career_history"][0]["organisation"] == "Payly"
    ben_id = people["ben"][1]["user_id"]
    ben = (await client.get(f"/v1/profiles/{ben_id}", headers=people["mia"][0])).json()
    assert ben["availability"]["public"] is True


async def test_writes_honour_if_match_and_patch_merges(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    headers = await tenant.headers("mia@example.com")
    created = await _put(client, headers, MIA)
    tag = created.headers["etag"]
    patched = await client.patch(
        "/v1/profiles/me", json={"bio": "Learning fast."}, headers={**headers, "If-Match": tag}
    )
    assert patched.status_code == 200
    assert patched.json()["bio"] == "Learning fast."
    assert patched.json()["headline"] == MIA["headline"]  # untouched fields stay
    stale = await client.patch(
        "/v1/profiles/me", json={"bio": "Lost"}, headers={**headers, "If-Match": tag}
    )
    assert stale.status_code == 412
    assert (await client.get("/v1/profiles/me", headers=headers)).json()["bio"] == "Learning fast."


async def test_invalid_profiles_are_refused_whole(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    headers = await tenant.headers("mia@example.com")
    await _put(client, headers, MIA)
    bad_fields = {
        "timezone": "Mars/Olympus",
        "availability": {"weekly": [{"weekday": 7, "start": "10:00", "end": "09:00"}]},
        "skills": [{"name": "Python", "level": 6, "kind": "expertise"}],
        "mentor": {"capacity": 51, "openness": 1.5},
        "languages": ["English!"],
        "headline": "x" * 201,
        "career_history": [
            {"title": "A", "organisation": "B", "start": "2020-01-01", "end": "2019-01-01"}
        ],
    }
    response = await client.put("/v1/profiles/me", json=bad_fields, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    locations = {".".join(str(p) for p in e["loc"]) for e in response.json()["errors"]}
    for expected in (
        "body.timezone",
        "body.availability.weekly.0.weekday",
        "body.skills.0.level",
        "body.mentor.capacity",
        "body.mentor.openness",
        "body.languages.0",
        "body.headline",
    ):
        assert expected in locations, (expected, locations)
    swapped = {"availability": {"weekly": [{"weekday": 1, "start": "10:00", "end": "09:00"}]}}
    assert (await client.patch("/v1/profiles/me", json=swapped, headers=headers)).status_code == 422
    read_only = {"mentor": {"capacity": 2, "active_mentees": 5}}
    assert (
        await client.patch("/v1/profiles/me", json=read_only, headers=headers)
    ).status_code == 422
    after = (await client.get("/v1/profiles/me", headers=headers)).json()
    assert after["timezone"] == MIA["timezone"]


async def test_another_tenant_sees_none_of_it(client, make_tenant: TenantFactory) -> None:
    ours, theirs = await make_tenant(), await make_tenant()
    people = await _community(client, ours)
    outsider = await theirs.headers("eve@example.com")
    assert await _names(client, outsider) == []
    assert await _names(client, outsider, skill="python") == []
    ada_id = people["ada"][1]["user_id"]
    assert (await client.get(f"/v1/profiles/{ada_id}", headers=outsider)).status_code == 404


async def test_search_pages_are_stable(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    for n in range(7):
        headers = await tenant.headers(f"m{n}@example.com", ["mentor"])
        body = {**CHLOE, "headline": f"Python mentor {n}", "bio": "python " * (n + 1)}
        assert (await _put(client, headers, body)).status_code == 200
    reader = await tenant.headers("reader@example.com")
    for params in ({}, {"q": "python"}):
        seen, cursor = [], None
        while True:
            page = await client.get(
                "/v1/mentors",
                params={**params, "limit": 3, **({"cursor": cursor} if cursor else {})},
                headers=reader,
            )
            assert page.status_code == 200, page.text
            seen += [item["user_id"] for item in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 7, params
    wrong = await client.get("/v1/mentors", params={"q": "python", "cursor": "abc"}, headers=reader)
    assert wrong.status_code == 422


async def test_skill_autocomplete(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    headers = await tenant.headers("mia@example.com")
    await _put(client, headers, {"skills": [{"name": "Quantum knitting", "level": 3,
                                             "kind": "wants_to_learn"}]})  # fmt: skip
    found = await client.get("/v1/skills", params={"q": "pyt"}, headers=headers)
    assert found.status_code == 200
    assert found.json()["items"][0]["name"] == "Python"
    local = await client.get("/v1/skills", params={"q": "quantum k"}, headers=headers)
    assert [i["name"] for i in local.json()["items"]] == ["Quantum knitting"]
    other = await make_tenant()
    elsewhere = await client.get(
        "/v1/skills", params={"q": "quantum k"}, headers=await other.headers("x@example.com")
    )
    assert elsewhere.json()["items"] == []
