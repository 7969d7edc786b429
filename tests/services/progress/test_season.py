"""A season of a mentorship, through the gateway and the worker: accepted from a request, it
goes through meetings (some missed), goal redefinitions, a milestone and evaluations that
diverge; its health shows the right flags with their evidence and a next step, the worker
announces each raised flag once, the mentorship recovers when meetings and check-ins resume,
its calendar parses, and the program's report counts it."""

import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from icalendar import Calendar
from sqlalchemy import update

from services.core.db import database
from services.core.queue import Lane
from services.progress.mentorships.models import Mentorship
from tests.conftest import TenantFactory, drain
from tests.events import events_of
from tests.services.progress.people import accepted_mentorship

DAY = timedelta(days=1)
RATINGS = {"engagement": 4, "time_commitment": 3, "goal_fit": 4, "overall": 4}


async def test_a_season_of_a_mentorship(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    pair = await accepted_mentorship(client, tenant)
    base = f"/v1/mentorships/{pair.mentorship_id}"
    now = datetime.now(UTC)
    async with database.transaction(tenant_id=tenant.id) as session:
        await session.execute(
            update(Mentorship)
            .where(Mentorship.id == uuid.UUID(pair.mentorship_id))
            .values(created_at=now - 120 * DAY)
        )

    async def post(path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        response = await client.post(f"{base}{path}", json=body, headers=headers)
        assert response.status_code == 201, (path, response.text)
        result: dict[str, Any] = response.json()
        return result

    # Fortnightly meetings at first, then two missed, then nothing for seven weeks.
    for days_ago, status in ((117, "held"), (103, "held"), (89, "held"), (75, "held")):
        await post("/meetings", {"starts_at": (now - days_ago * DAY).isoformat(), "minutes": 45,
                                 "status": status}, pair.mentee)  # fmt: skip
    for days_ago in (61, 50):
        await post("/meetings", {"starts_at": (now - days_ago * DAY).isoformat(), "minutes": 45,
                                 "status": "missed"}, pair.mentor)  # fmt: skip
    # The goal is redefined twice; a milestone is shared on the way.
    goals = (await client.get(f"{base}/goals", headers=pair.mentee)).json()["items"]
    goal = goals[-1]
    assert goal["title"] == pair.request["goals"][0]
    etag = (await client.get(f"{base}/goals/{goal['id']}", headers=pair.mentee)).headers["ETag"]
    for change in (
        {"title": "Lead the checkout migration to Kubernetes", "success_criteria": "Live by Q3"},
        {"target_date": (date.today() + 60 * DAY).isoformat(), "progress": 40},
    ):
        changed = await client.patch(
            f"{base}/goals/{goal['id']}", json=change, headers={**pair.mentee, "If-Match": etag}
        )
        assert changed.status_code == 200, changed.text
        etag = changed.headers["ETag"]
    revisions = (await client.get(f"{base}/goals/{goal['id']}/revisions", headers=admin)).json()
    assert [sorted(r["after"]) for r in revisions["items"]] == [
        ["target_date"],
        ["success_criteria", "title"],
    ]
    await post(
        "/milestones",
        {"title": "Migration plan agreed", "goal_id": goal["id"],
         "achieved_on": (date.today() - 30 * DAY).isoformat()},
        pair.mentee,
    )  # fmt: skip
    # The two sides see their communication very differently.
    await post("/evaluations", {"ratings": {**RATINGS, "communication": 2},
                                "goal_progress": {goal["id"]: 40}}, pair.mentee)  # fmt: skip
    await post("/evaluations", {"ratings": {**RATINGS, "communication": 5},
                                "goal_progress": {goal["id"]: 60}}, pair.mentor)  # fmt: skip

    health = (await client.get(f"{base}/health", headers=pair.mentor)).json()
    flags = {flag["kind"]: flag for flag in health["flags"]}
    assert {"time_constraints", "communication_barriers", "lack_of_engagement"} <= set(flags)
    for flag in flags.values():
        assert flag["evidence"] and flag["suggestion"], flag
    assert health["score"] < 60, health
    assert any("milestone" in strength.lower() for strength in health["strengths"]), health

    # The worker assesses after each event and announces each raised flag once.
    await drain(Lane.INTERACTIVE, Lane.BULK)
    raised = Counter(
        kind
        for _, payload in await events_of(tenant.id, "mentorship.at_risk")
        for kind in payload["raised"]
    )
    for kind in ("time_constraints", "communication_barriers", "lack_of_engagement"):
        assert raised[kind] == 1, raised

    # Meetings resume, and both write in between: the silence is over.
    for days_ago in (12, 5):
        await post("/meetings", {"starts_at": (now - days_ago * DAY).isoformat(), "minutes": 45,
                                 "status": "held"}, pair.mentee)  # fmt: skip
    await post("/check-ins", {"summary": "Back to fortnightly", "next_steps": "Review the plan"},
               pair.mentee)  # fmt: skip
    await post("/check-ins", {"summary": "Good session", "blockers": "Budget sign-off"},
               pair.mentor)  # fmt: skip
    resumed = (await client.get(f"{base}/health", headers=pair.mentee)).json()
    # The silence is gone; what is left of the flag is an early sign (fewer meetings than
    # before), not a risk.
    at_risk = {f["kind"] for f in resumed["flags"] if f["severity"] != "info"}
    assert "lack_of_engagement" not in at_risk, resumed
    assert resumed["score"] > health["score"]
    await drain(Lane.INTERACTIVE, Lane.BULK)
    cleared = Counter(
        kind
        for _, payload in await events_of(tenant.id, "mentorship.recovered")
        for kind in payload["cleared"]
    )
    assert cleared["lack_of_engagement"] == 1, cleared

    # A scheduled meeting is in the calendar, which a calendar client can read.
    await post("/meetings", {"starts_at": (now + 9 * DAY).isoformat(), "minutes": 45},
               pair.mentor)  # fmt: skip
    ics = await client.get(f"{base}/calendar.ics", headers=pair.mentee)
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(ics.content)
    assert len([event for event in calendar.walk("VEVENT")]) >= 2

    # The program's report counts it, as a hand count says.
    program_id = (await client.get(base, headers=pair.mentee)).json()["program_id"]
    report = (await client.get(f"/v1/programs/{program_id}/report", headers=admin)).json()
    assert report["mentorships"]["active"] == 1
    assert report["request_acceptance"] == {"rate": 1.0, "of": 1}
    assert report["goal_completion"] == {"rate": 0.0, "of": len(goals)}
    assert report["median_days_to_first_meeting"] == 3.0
    assert report["health"]["assessed"] == 1
    assert [item["mentorship_id"] for item in report["at_risk"]] == [pair.mentorship_id]
