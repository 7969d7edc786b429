"""The matching view of a profile, read through the query profiles publishes."""

import uuid

from services.core.db import database
from services.matching.features import Skill, Window, from_row
from services.profiles import queries as profiles
from tests.conftest import TenantFactory

MENTOR_BODY = {
    "headline": "Staff engineer",
    "bio": "I build payment systems.",
    "timezone": "Europe/Berlin",
    "languages": ["en", "pt-BR"],
    "industries": ["FinTech"],
    "values": ["Integrity"],
    "communication": {"channels": ["video"], "style": "direct", "response_time_hours": 24},
    "availability": {"weekly": [{"weekday": 0, "start": "09:00", "end": "24:00"}]},
    "skills": [{"name": "python3", "level": 5, "kind": "expertise"}],
    "career_history": [{"title": "Staff engineer", "organisation": "Acme", "start": "2019-01-01"}],
    "achievements": [{"title": "Led the payments rewrite"}],
    "mentor": {"capacity": 3, "accepting_requests": True, "openness": 0.8},
    "mentee": {"goals": [{"title": "Lead a team", "target_skills": ["hiring", "Go"]}]},
}


async def test_a_written_profile_reads_as_its_matching_view(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    headers = await tenant.headers("ada@example.com", ["mentor", "mentee"])
    me = (await client.get("/v1/users/me", headers=headers)).json()
    put = await client.put(
        "/v1/profiles/me", json=MENTOR_BODY, headers={**headers, "If-Match": '"0"'}
    )
    assert put.status_code == 200, put.text
    program = await client.post(
        "/v1/programs", json={"name": "Spring"}, headers=await tenant.admin_headers()
    )
    joined = await client.post(
        f"/v1/programs/{program.json()['id']}/participants",
        json={"user_id": me["id"], "role": "mentor"},
        headers=headers,
    )
    assert joined.status_code in (200, 201), joined.text

    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        rows = await profiles.matching_rows(session, tenant.id, user_ids=[uuid.UUID(me["id"])])
        everyone = await profiles.matching_rows(session, tenant.id)
    assert len(everyone) == 2  # the admin has no profile and still reads as a person
    person = from_row(rows[0])
    assert person.is_mentor and person.accepting_requests and person.places_left == 3
    assert person.expertise == (Skill("python", "Python", 5),)
    assert {"pt-br", "pt", "en"} <= set(person.languages)
    assert person.industries == ("fintech",) and person.values == ("integrity",)
    assert person.weekly == (Window(0, 540, 1440),)
    assert [skill.name for skill in person.targets] == ["Hiring", "Go"]
    assert person.mentor_programs == frozenset({uuid.UUID(program.json()["id"])})
    assert "Staff engineer, Acme" in person.profile_text
    assert "Led the payments rewrite" in person.profile_text
