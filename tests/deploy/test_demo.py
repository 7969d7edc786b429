"""`mentorship demo` seeds a tenant a newcomer can try matching on: the people exist with their
profiles in the program, the printed tokens work, and the printed commands name real ids."""

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx

from deploy import demo
from services.core.db import database
from services.profiles import queries

ROOT = Path(__file__).resolve().parents[2]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


async def _me(client: httpx.AsyncClient, token: str) -> dict[str, object]:
    response = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_the_demo_seeds_people_and_prints_working_commands(committing_client) -> None:
    slug = f"demo-{uuid.uuid4().hex[:8]}"
    seeded = await demo.seed_demo(6, 8, 5, slug=slug)
    assert seeded.created

    async with database.session(readonly=True, tenant_id=seeded.tenant_id) as session:
        mentors = await queries.matching_rows(
            session, seeded.tenant_id, program_id=seeded.program_id, role="mentor"
        )
        mentees = await queries.matching_rows(
            session, seeded.tenant_id, program_id=seeded.program_id, role="mentee"
        )
    assert len(mentors) == 6 and len(mentees) == 8
    assert all(row.is_mentor and row.details["skills"] for row in mentors)
    assert all(row.details["mentee"]["goals"] for row in mentees)
    [mentee] = [row for row in mentees if row.user_id == seeded.mentee.user_id]
    assert mentee.manager_id == seeded.manager.user_id  # a conflict of interest to explain
    assert {seeded.mentor.user_id, seeded.manager.user_id} <= {row.user_id for row in mentors}
    assert seeded.mentor.user_id != seeded.manager.user_id

    # Each printed token is its person's, with their roles.
    for seat in (seeded.admin, seeded.mentee, seeded.mentor):
        me = await _me(committing_client, seat.token)
        assert me["id"] == str(seat.user_id) and me["email"] == seat.email
        assert set(seat.roles) <= set(me["roles"])  # type: ignore[call-overload]

    text = seeded.instructions()
    for seat, name in (
        (seeded.admin, "ADMIN"),
        (seeded.mentee, "MENTEE"),
        (seeded.mentor, "MENTOR"),
    ):
        assert f"export {name}_TOKEN={seat.token}\n" in text
    # Every id in the commands is the program or someone of the tenant.
    people = {row.user_id for row in mentors + mentees}
    named = {uuid.UUID(found) for found in UUID.findall(text)}
    assert named <= people | {seeded.program_id}
    assert f"recommendations?program_id={seeded.program_id}&limit=5" in text
    assert f"explain?mentee_id={seeded.mentee.user_id}&mentor_id={seeded.mentor.user_id}" in text
    assert f"explain?mentee_id={seeded.mentee.user_id}&mentor_id={seeded.manager.user_id}" in text
    assert '"mode": "optimal"' in text and "/v1/matching/runs/$RUN_ID/assignments" in text
    participants = await committing_client.get(
        f"/v1/programs/{seeded.program_id}/participants",
        params={"limit": 100},
        headers={"Authorization": f"Bearer {seeded.admin.token}"},
    )
    assert participants.status_code == 200, participants.text
    assert len(participants.json()["items"]) == 14

    # A second run converges on the same people and program, with new tokens.
    again = await demo.seed_demo(6, 8, 5, slug=slug)
    assert not again.created
    assert again.program_id == seeded.program_id
    assert (again.mentee.user_id, again.mentor.user_id) == (
        seeded.mentee.user_id,
        seeded.mentor.user_id,
    )
    async with database.session(readonly=True, tenant_id=seeded.tenant_id) as session:
        everyone = await queries.matching_rows(session, seeded.tenant_id)
    assert len(everyone) == 6 + 8 + 1  # and the admin
    assert "updated (it existed" in again.instructions()


def test_the_command_prints_tokens_and_curl_commands() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "deploy.cli", "demo", "--mentors", "3", "--mentees", "2"],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("export MENTEE_TOKEN=ey") for line in lines)
    assert any(line.startswith("curl -s ") for line in lines)
    refused = subprocess.run(
        [sys.executable, "-m", "deploy.cli", "demo", "--mentors", "1"],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2  # a usage error: a demo needs two mentors


async def test_ids_by_email_answer_for_more_emails_than_a_statement_takes(make_tenant) -> None:
    """Seeding 100,000 people looks them up at once: more than asyncpg's 32,767 parameters."""
    from services.profiles.users import service as users

    tenant = await make_tenant()
    wanted = [f"nobody{i}@many.example" for i in range(40_000)] + [tenant.admin_email]
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        found = await users.user_ids_by_email(session, wanted)
    assert list(found) == [tenant.admin_email]
