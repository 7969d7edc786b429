"""The evaluation requests' cron: when a mentorship's evaluation period begins, both sides are
asked to evaluate the one that just ended. The bulk worker runs it; the tests move its clock by
queueing it as of a later moment, the way an operator can (`progress.request_evaluations` with
an ISO 8601 time), or start the mentorship earlier."""

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from services.core.db import database
from services.core.outbox.models import OutboxEvent
from services.core.queue import Lane, Queue
from services.progress import periods
from services.progress.evaluations import requesting
from services.progress.evaluations.models import EvaluationRequest
from services.progress.mentorships.models import Mentorship
from services.progress.tasks import REQUEST_EVALUATIONS_JOB, request_evaluations
from tests.conftest import TenantFactory, TenantHandle, drain
from tests.services.progress.people import Pair, accepted_mentorship
from workers.main import FUNCTIONS, LANES

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
RATINGS = {"communication": 4, "engagement": 4, "time_commitment": 4, "goal_fit": 4, "overall": 4}


def test_the_cron_is_on_the_bulk_lane_and_can_be_queued() -> None:
    assert REQUEST_EVALUATIONS_JOB in {f.name for f in FUNCTIONS}
    assert REQUEST_EVALUATIONS_JOB in {c.name for c in LANES[Lane.BULK].cron_jobs}
    assert REQUEST_EVALUATIONS_JOB not in {c.name for c in LANES[Lane.INTERACTIVE].cron_jobs}


async def _run_as_of(moment: datetime) -> None:
    """What the bulk worker's cron does, as of `moment`."""
    queue = Queue()
    try:
        assert await queue.enqueue(REQUEST_EVALUATIONS_JOB, moment.isoformat(), lane=Lane.BULK)
    finally:
        await queue.close()
    await drain(Lane.BULK)


async def _requested(tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    async with database.session(readonly=True, tenant_id=tenant_id) as session:
        rows = await session.scalars(
            select(OutboxEvent.payload)
            .where(
                OutboxEvent.tenant_id == tenant_id,
                OutboxEvent.event_type == "evaluation.requested",
            )
            .order_by(OutboxEvent.seq)
        )
        return list(rows)


async def _rows(tenant_id: uuid.UUID) -> list[tuple[uuid.UUID, date, bool]]:
    """(user, period_start, answered) of each request, by period."""
    async with database.session(readonly=True, tenant_id=tenant_id) as session:
        rows = await session.execute(
            select(
                EvaluationRequest.user_id,
                EvaluationRequest.period_start,
                EvaluationRequest.answered_at.is_not(None),
            ).order_by(EvaluationRequest.period_start, EvaluationRequest.user_id)
        )
        return [(user, start, answered) for user, start, answered in rows.all()]


async def _started_at(client: httpx.AsyncClient, pair: Pair) -> datetime:
    read = await client.get(f"/v1/mentorships/{pair.mentorship_id}", headers=pair.mentee)
    return datetime.fromisoformat(read.json()["created_at"])


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)


async def _start_earlier(tenant: TenantHandle, pair: Pair, days: int) -> None:
    """As if the mentorship had started `days` ago: its periods move back with it."""
    async with database.transaction(tenant_id=tenant.id) as session:
        await session.execute(
            update(Mentorship)
            .where(Mentorship.id == uuid.UUID(pair.mentorship_id))
            .values(created_at=Mentorship.created_at - timedelta(days=days))
        )


async def _evaluate(client: httpx.AsyncClient, pair: Pair, headers: dict[str, str]) -> None:
    posted = await client.post(
        f"/v1/mentorships/{pair.mentorship_id}/evaluations",
        json={"ratings": RATINGS},
        headers=headers,
    )
    assert posted.status_code == 201, posted.text


async def test_both_sides_are_asked_when_a_period_begins_and_once_only(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    started = await _started_at(client, pair)
    first_day = started.astimezone(UTC).date()

    # Nobody is asked during the first period: there is nothing to look back on yet.
    await _run_as_of(started + MINUTE)
    await _run_as_of(_midnight(first_day + 30 * DAY) - MINUTE)
    assert await _requested(tenant.id) == [] and await _rows(tenant.id) == []

    boundary = _midnight(first_day + 30 * DAY)
    await _run_as_of(boundary + MINUTE)
    asked = await _requested(tenant.id)
    assert [(e["to"], e["recipient_id"]) for e in asked] == [
        ("mentee", pair.mentee_id),
        ("mentor", pair.mentor_id),
    ]
    period = periods.period_containing(started, 30, boundary)
    assert period.index == 1
    for event in asked:
        assert event["mentorship_id"] == pair.mentorship_id
        assert (event["mentee_id"], event["mentor_id"]) == (pair.mentee_id, pair.mentor_id)
        assert (
            event["period_start"] == period.start.isoformat() == (first_day + 30 * DAY).isoformat()
        )
        assert event["due_on"] == period.last_day.isoformat()
        assert event["reviewed_period_start"] == first_day.isoformat()
    ids = sorted([uuid.UUID(pair.mentee_id), uuid.UUID(pair.mentor_id)])
    assert await _rows(tenant.id) == [(user, period.start, False) for user in ids]

    # The next runs in the same period, even days later, ask nobody again.
    await _run_as_of(boundary + MINUTE)
    await _run_as_of(boundary + 12 * DAY)
    assert len(await _requested(tenant.id)) == 2 and len(await _rows(tenant.id)) == 2

    # The next period asks both again.
    await _run_as_of(_midnight(first_day + 60 * DAY) + MINUTE)
    later = (await _requested(tenant.id))[2:]
    assert [e["period_start"] for e in later] == [(first_day + 60 * DAY).isoformat()] * 2
    assert len(await _rows(tenant.id)) == 4


async def test_an_evaluation_answers_the_request_and_one_given_before_it_is_not_asked_for(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    await _start_earlier(tenant, pair, 31)  # now is in period 1
    await _evaluate(client, pair, pair.mentor)  # before the worker came round

    now = datetime.now(UTC)
    await _run_as_of(now)
    asked = await _requested(tenant.id)
    assert [e["to"] for e in asked] == ["mentee"]
    answered = {user: done for user, _, done in await _rows(tenant.id)}
    assert answered == {uuid.UUID(pair.mentee_id): False, uuid.UUID(pair.mentor_id): True}

    await _evaluate(client, pair, pair.mentee)
    rows = await _rows(tenant.id)
    assert [done for _, _, done in rows] == [True, True]
    assert {start for _, start, _ in rows} == {date.fromisoformat(asked[0]["period_start"])}
    await _run_as_of(now)
    assert len(await _requested(tenant.id)) == 1


async def test_paused_and_ended_mentorships_are_not_asked_and_a_resumed_one_is(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    paused = await accepted_mentorship(client, tenant, "mia@example.com", "dev@example.com")
    ended = await accepted_mentorship(client, tenant, "bo@example.com", "ann@example.com")
    for pair, change in (
        (paused, {"status": "paused"}),
        (ended, {"status": "ended", "reason": "The mentor left the company."}),
    ):
        patched = await client.patch(
            f"/v1/mentorships/{pair.mentorship_id}", json=change, headers=pair.mentee
        )
        assert patched.status_code == 200, patched.text
        await _start_earlier(tenant, pair, 31)

    now = datetime.now(UTC)
    await _run_as_of(now)
    assert await _requested(tenant.id) == []

    resumed = await client.patch(
        f"/v1/mentorships/{paused.mentorship_id}", json={"status": "active"}, headers=paused.mentor
    )
    assert resumed.status_code == 200, resumed.text
    await _run_as_of(now + MINUTE)
    asked = await _requested(tenant.id)
    assert {e["mentorship_id"] for e in asked} == {paused.mentorship_id} and len(asked) == 2


async def test_the_programs_interval_sets_the_periods(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    admin = await tenant.admin_headers()
    programs = (await client.get("/v1/programs", headers=admin)).json()["items"]
    default = next(p for p in programs if p["is_default"])
    patched = await client.patch(
        f"/v1/programs/{default['id']}", json={"evaluation_interval_days": 7}, headers=admin
    )
    assert patched.status_code == 200, patched.text
    first_day = (await _started_at(client, pair)).astimezone(UTC).date()

    await _run_as_of(_midnight(first_day + 7 * DAY) - MINUTE)
    assert await _requested(tenant.id) == []
    await _run_as_of(_midnight(first_day + 7 * DAY) + MINUTE)
    asked = await _requested(tenant.id)
    assert [(e["period_start"], e["due_on"]) for e in asked] == [
        ((first_day + 7 * DAY).isoformat(), (first_day + 13 * DAY).isoformat())
    ] * 2


async def test_two_runs_at_once_ask_each_person_once_across_tenants(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    pairs: list[tuple[TenantHandle, Pair]] = []
    for _ in range(2):
        tenant = await make_tenant()
        pairs.append((tenant, await accepted_mentorship(client, tenant)))
        pairs.append((tenant, await accepted_mentorship(client, tenant, "bo@x.org", "ann@x.org")))
    moment = datetime.now(UTC) + 31 * DAY

    await asyncio.gather(request_evaluations({}, moment), request_evaluations({}, moment))
    for tenant in {tenant.id: tenant for tenant, _ in pairs}.values():
        asked = await _requested(tenant.id)
        assert len(asked) == 4
        assert len({(e["mentorship_id"], e["recipient_id"]) for e in asked}) == 4
    assert await request_evaluations({}, moment) == 0


async def test_a_tenant_with_more_than_a_batch_is_asked_whole_in_one_run(
    committing_client: httpx.AsyncClient,
    make_tenant: TenantFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = committing_client
    tenant = await make_tenant()
    for mentee, mentor in (
        ("a@x.org", "m1@x.org"),
        ("b@x.org", "m2@x.org"),
        ("c@x.org", "m3@x.org"),
    ):
        pair = await accepted_mentorship(client, tenant, mentee, mentor)
        await _start_earlier(tenant, pair, 31)
    monkeypatch.setattr(requesting, "BATCH", 2)  # a transaction per two mentorships

    await request_evaluations({}, datetime.now(UTC))
    asked = await _requested(tenant.id)
    assert len(asked) == 6 and len({e["recipient_id"] for e in asked}) == 6
