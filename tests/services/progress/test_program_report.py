"""A program's report: its figures match a count by hand of what the test put in the database,
as JSON and as CSV; only admins read it, and only their own organisation's programs."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from services.core.db import database
from services.progress.assessments.models import MentorshipHealth
from services.progress.evaluations.models import EvaluationRequest
from services.progress.goals.models import Goal
from services.progress.meetings.models import Meeting
from services.progress.mentorships.models import Mentorship
from services.proposals.models import MentorshipRequest
from tests.conftest import TenantFactory

T0 = datetime(2026, 9, 1, 9, tzinfo=UTC)
FLAG = {
    "kind": "lack_of_engagement",
    "severity": "warning",
    "evidence": {"days_silent": 40},
    "suggestion": "Book the next meeting now.",
}
CRITICAL = {**FLAG, "kind": "time_constraints", "severity": "critical", "suggestion": "Fix a slot."}


async def test_the_report_matches_a_hand_count(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant, elsewhere = await make_tenant(), await make_tenant()
    admin = await tenant.admin_headers()
    created = await client.post("/v1/programs", json={"name": "Leaders"}, headers=admin)
    program_id = uuid.UUID(created.json()["id"])
    other = await client.post("/v1/programs", json={"name": "Other"}, headers=admin)
    people = [uuid.uuid4() for _ in range(8)]

    async with database.transaction(tenant_id=tenant.id) as session:
        # Four mentorships in the program (2 active, 1 paused, 1 completed), one elsewhere.
        mentorships = [
            Mentorship(
                id=uuid.uuid4(),
                tenant_id=tenant.id,
                mentee_id=people[i],
                mentor_id=people[7],
                program_id=program_id,
                status=status,
                created_at=T0,
            )
            for i, status in enumerate(("active", "active", "paused", "completed"))
        ]
        outside = Mentorship(
            tenant_id=tenant.id,
            mentee_id=people[5],
            mentor_id=people[7],
            program_id=uuid.UUID(other.json()["id"]),
            status="active",
        )
        session.add_all([*mentorships, outside])
        await session.flush()
        first, second, paused, completed = mentorships
        # Health stored for three running ones: 90 (no flag), 15 (a warning), 10 (critical);
        # the last two in one band.
        for mentorship, score, flags in (
            (first, 90, []),
            (second, 15, [FLAG]),
            (paused, 10, [FLAG, CRITICAL]),
            (outside, 5, [CRITICAL]),
        ):
            session.add(
                MentorshipHealth(
                    tenant_id=tenant.id,
                    mentorship_id=mentorship.id,
                    score=score,
                    flags=flags,
                    strengths=[],
                    flag_kinds=[f["kind"] for f in flags],
                    computed_at=T0 + timedelta(days=30),
                )
            )
        # Goals: 5 that count, 2 of them achieved; a dropped one does not count.
        for mentorship, status in (
            (first, "achieved"),
            (first, "active"),
            (second, "active"),
            (completed, "achieved"),
            (completed, "active"),
            (completed, "dropped"),
            (outside, "achieved"),
        ):
            session.add(
                Goal(tenant_id=tenant.id, mentorship_id=mentorship.id, title="G", status=status)
            )
        # First held meetings 4, 10 and 20 days after the start: median 10 days (as the
        # meetings service keeps them on the mentorship).
        first.first_held_at = T0 + timedelta(days=4)
        second.first_held_at = T0 + timedelta(days=10)
        completed.first_held_at = T0 + timedelta(days=20)
        outside.first_held_at = T0 + timedelta(days=1)
        for mentorship, days, status in (
            (first, 4, "held"),
            (first, 30, "held"),
            (second, 10, "held"),
            (completed, 2, "missed"),
            (completed, 20, "held"),
            (outside, 1, "held"),
        ):
            session.add(
                Meeting(
                    tenant_id=tenant.id,
                    mentorship_id=mentorship.id,
                    starts_at=T0 + timedelta(days=days),
                    minutes=45,
                    status=status,
                )
            )
        # Evaluation requests: 4 asked, 3 answered.
        for mentorship, user, answered in (
            (first, people[0], True),
            (first, people[7], True),
            (second, people[1], False),
            (second, people[7], True),
        ):
            session.add(
                EvaluationRequest(
                    tenant_id=tenant.id,
                    mentorship_id=mentorship.id,
                    user_id=user,
                    period_start=T0.date(),
                    answered_at=T0 if answered else None,
                )
            )
        # Requests: accepted after 2 h and 6 h, one declined, one expired, one still pending,
        # a draft never sent: acceptance 2 of 4, median 4 h.
        for status, hours, sent in (
            ("accepted", 2, True),
            ("accepted", 6, True),
            ("declined", 1, True),
            ("expired", None, True),
            ("pending", None, True),
            ("draft", None, False),
        ):
            session.add(
                MentorshipRequest(
                    tenant_id=tenant.id,
                    mentee_id=uuid.uuid4(),
                    mentor_id=people[7],
                    program_id=program_id,
                    status=status,
                    sent_at=T0 if sent else None,
                    responded_at=T0 + timedelta(hours=hours) if hours else None,
                )
            )

    path = f"/v1/programs/{program_id}/report"
    response = await client.get(path, headers=admin)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["mentorships"] == {"active": 2, "paused": 1, "completed": 1, "ended": 0}
    assert report["health"] == {
        "assessed": 3,
        "mean_score": round((90 + 15 + 10) / 3, 1),
        "distribution": {"0-19": 2, "20-39": 0, "40-59": 0, "60-79": 0, "80-100": 1},
    }
    assert [(r["mentorship_id"], r["top_flag"], r["severity"]) for r in report["at_risk"]] == [
        (str(paused.id), "time_constraints", "critical"),
        (str(second.id), "lack_of_engagement", "warning"),
    ]
    assert report["goal_completion"] == {"rate": 0.4, "of": 5}
    assert report["request_acceptance"] == {"rate": 0.5, "of": 4}
    assert report["median_hours_to_accept"] == 4.0
    assert report["median_days_to_first_meeting"] == 10.0
    assert report["evaluation_response"] == {"rate": 0.75, "of": 4}

    as_csv = await client.get(path, headers={**admin, "Accept": "text/csv"})
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = dict(list(csv.reader(io.StringIO(as_csv.text)))[1:])
    assert rows["mentorships.active"] == "2" and rows["goal_completion.rate"] == "0.4"
    assert rows["health.band.0-19"] == "2" and rows["median_hours_to_accept"] == "4"
    assert rows[f"at_risk.{paused.id}"] == "time_constraints:critical:10"

    mentee = await tenant.headers("mia@example.com")
    assert (await client.get(path, headers=mentee)).status_code == 403
    foreign = await client.get(path, headers=await elsewhere.admin_headers())
    assert foreign.status_code == 404
    unknown = await client.get(f"/v1/programs/{uuid.uuid4()}/report", headers=admin)
    assert unknown.status_code == 404
