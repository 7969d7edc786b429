"""A mentorship's health through the gateway and the worker: the read assesses it as of now,
the nightly job stores it and announces a change of risk flags once, and a mentorship that
finds its rhythm again recovers."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from services.core.db import database
from services.core.outbox.models import OutboxEvent
from services.progress.assessments.models import MentorshipHealth
from services.progress.meetings.models import Meeting
from services.progress.mentorships.models import Mentorship
from services.progress.tasks import nightly_health
from tests.conftest import TenantFactory, TenantHandle
from tests.events import events_of
from tests.services.progress.people import Pair, accepted_mentorship


async def _started(tenant: TenantHandle, pair: Pair, days_ago: int) -> datetime:
    """Move the mentorship's start back, as if it had begun `days_ago` days ago."""
    started = datetime.now(UTC) - timedelta(days=days_ago)
    async with database.transaction(tenant_id=tenant.id) as session:
        await session.execute(
            update(Mentorship)
            .where(Mentorship.id == uuid.UUID(pair.mentorship_id))
            .values(created_at=started)
        )
    return started


async def _meetings(tenant: TenantHandle, pair: Pair, *meetings: tuple[datetime, str]) -> None:
    async with database.transaction(tenant_id=tenant.id) as session:
        for starts_at, status in meetings:
            session.add(
                Meeting(
                    tenant_id=tenant.id,
                    mentorship_id=uuid.UUID(pair.mentorship_id),
                    starts_at=starts_at,
                    minutes=45,
                    status=status,
                )
            )


async def test_the_health_reads_as_of_now_for_participants_only(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant, elsewhere = await make_tenant(), await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    path = f"/v1/mentorships/{pair.mentorship_id}/health"
    fresh = await client.get(path, headers=pair.mentee)
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["flags"] == [] and 0 <= fresh.json()["score"] <= 100
    computed_at = datetime.fromisoformat(fresh.json()["computed_at"])
    assert abs(computed_at - datetime.now(UTC)) < timedelta(minutes=1)
    for outsider in (await tenant.headers("sam@example.com"), await elsewhere.headers("x@y.z")):
        assert (await client.get(path, headers=outsider)).status_code == 404
    assert (await client.get(path, headers=await tenant.admin_headers())).status_code == 200

    # Two of the last meetings did not happen: the next read says so, with the evidence.
    now = datetime.now(UTC)
    await _started(tenant, pair, 30)
    await _meetings(
        tenant, pair, (now - timedelta(days=20), "missed"), (now - timedelta(days=6), "cancelled")
    )
    flagged = (await client.get(path, headers=pair.mentor)).json()
    kinds = {flag["kind"]: flag for flag in flagged["flags"]}
    assert "time_constraints" in kinds, flagged
    flag = kinds["time_constraints"]
    assert flag["severity"] in ("warning", "critical") and flag["suggestion"]
    assert flag["evidence"], flag
    assert flagged["score"] < fresh.json()["score"]


async def test_the_nightly_job_announces_a_change_of_flags_once_and_the_recovery(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    started = await _started(tenant, pair, 70)
    # One meeting at the start, then silence for two months: lack of engagement.
    await _meetings(tenant, pair, (started + timedelta(days=1), "held"))

    await nightly_health(None)
    await nightly_health(None)  # the same night's second run announces nothing new
    events = await events_of(tenant.id, "mentorship.at_risk", "mentorship.recovered")
    assert [kind for kind, _ in events] == ["mentorship.at_risk"], events
    raised = events[0][1]
    assert raised["mentorship_id"] == pair.mentorship_id
    assert "lack_of_engagement" in raised["raised"]
    assert {flag["kind"] for flag in raised["flags"]} == set(raised["raised"])
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        # The night's announcements take the bulk lane: they never queue ahead of the
        # interactive lane's work.
        lanes = await session.scalars(
            select(OutboxEvent.lane).where(OutboxEvent.event_type == "mentorship.at_risk")
        )
        assert set(lanes) == {"bulk"}
        stored = await session.scalar(
            select(MentorshipHealth).where(
                MentorshipHealth.mentorship_id == uuid.UUID(pair.mentorship_id)
            )
        )
    assert stored is not None and "lack_of_engagement" in stored.flag_kinds
    assert (
        stored.score
        == (
            await client.get(f"/v1/mentorships/{pair.mentorship_id}/health", headers=pair.mentee)
        ).json()["score"]
    )

    # Meetings resume, every week for the last month: the flags clear, announced once.
    now = datetime.now(UTC)
    await _meetings(
        tenant, pair, *((now - timedelta(days=7 * week + 1), "held") for week in range(5))
    )
    await nightly_health(None)
    await nightly_health(None)
    events = await events_of(tenant.id, "mentorship.at_risk", "mentorship.recovered")
    assert [kind for kind, _ in events] == ["mentorship.at_risk", "mentorship.recovered"], events
    assert "lack_of_engagement" in events[1][1]["cleared"]


async def test_goals_outside_the_mentors_expertise_are_named(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)  # the mentor knows Kubernetes (k8s)
    base = f"/v1/mentorships/{pair.mentorship_id}"

    async def misaligned() -> dict[str, Any] | None:
        flags = (await client.get(f"{base}/health", headers=pair.mentee)).json()["flags"]
        return next((f for f in flags if f["kind"] == "misaligned_goals"), None)

    assert await misaligned() is None  # the request's goal names Kubernetes
    rust = await client.post(
        f"{base}/goals", json={"title": "Write our first service in Rust"}, headers=pair.mentee
    )
    assert rust.status_code == 201, rust.text
    some = await misaligned()
    assert some is not None and some["severity"] == "info", some
    kubernetes = next(
        g
        for g in (await client.get(f"{base}/goals", headers=pair.mentee)).json()["items"]
        if "Kubernetes" in g["title"]
    )
    etag = (await client.get(f"{base}/goals/{kubernetes['id']}", headers=pair.mentee)).headers
    dropped = await client.patch(
        f"{base}/goals/{kubernetes['id']}",
        json={"status": "dropped"},
        headers={**pair.mentee, "If-Match": etag["ETag"]},
    )
    assert dropped.status_code == 200, dropped.text
    every = await misaligned()
    assert every is not None and every["severity"] == "warning", every
    assert "Rust" in every["suggestion"] or "Rust" in str(every["evidence"]), every
