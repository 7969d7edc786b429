"""Requests nobody answers: whoever must answer is reminded at half the wait and two days before
it ends, and then the request expires, with the mentee's next best mentors in the event. The
bulk worker's sweep does it; the tests move its clock by queueing the sweep as of a later
moment, the way an operator can (`proposals.sweep_requests` with an ISO 8601 time)."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from services.core.db import database
from services.core.outbox import OutboxEvent
from services.core.queue import Lane, Queue
from services.matching import queries as matching
from services.profiles.profiles.models import Profile
from services.proposals import reminders
from services.proposals.commands import set_requests_on_hold
from services.proposals.models import MentorshipRequest
from services.proposals.tasks import SWEEP_JOB, sweep_requests
from tests.conftest import TenantFactory, TenantHandle, drain
from tests.services.proposals.people import MENTOR_PROFILE, careful_draft
from workers.main import FUNCTIONS, LANES

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
SWEPT = ("request.reminder", "request.expired")
MENTEE_PROFILE = {
    "headline": "Backend engineer at Beta Bank",
    "timezone": "Europe/Berlin",
    "languages": ["en"],
    "industries": ["FinTech"],
    "skills": [{"name": "Kubernetes", "level": 1, "kind": "wants_to_learn"}],
    "mentee": {"goals": [{"title": "Lead the migration of our checkout to Kubernetes"}]},
}


# --- the pure rule -----------------------------------------------------------------------------


def test_two_weeks_remind_at_day_7_and_12_and_a_short_wait_once_halfway() -> None:
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert reminders.reminder_times(start, start + 14 * DAY) == [start + 7 * DAY, start + 12 * DAY]
    assert reminders.reminder_times(start, start + 6 * DAY) == [start + 3 * DAY, start + 4 * DAY]
    # Under six days the second would fall within a day of the first, or before it.
    assert reminders.reminder_times(start, start + 5 * DAY) == [start + 2.5 * DAY]
    assert reminders.reminder_times(start, start + 3 * DAY) == [start + 1.5 * DAY]


def test_a_late_sweep_sends_only_the_latest_reminder_and_none_after_expiry() -> None:
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    ends = start + 14 * DAY
    assert reminders.due_reminder(start, ends, 0, start + 7 * DAY - MINUTE) is None
    assert reminders.due_reminder(start, ends, 0, start + 7 * DAY) == 1
    assert reminders.due_reminder(start, ends, 1, start + 11 * DAY) is None
    assert reminders.due_reminder(start, ends, 0, start + 13 * DAY) == 2
    assert reminders.due_reminder(start, ends, 2, start + 13 * DAY) is None
    assert reminders.due_reminder(start, ends, 0, ends) is None


@given(
    wait=st.timedeltas(min_value=timedelta(hours=1), max_value=90 * DAY),
    at=st.floats(min_value=0, max_value=1.2),
    sent=st.integers(min_value=0, max_value=reminders.LAST),
)
def test_reminders_fall_inside_the_wait_in_order_and_each_is_sent_once(
    wait: timedelta, at: float, sent: int
) -> None:
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    ends = start + wait
    times = reminders.reminder_times(start, ends)
    assert 1 <= len(times) <= reminders.LAST
    assert all(start < t < ends for t in times)
    assert all(later - earlier >= reminders.MIN_GAP for earlier, later in pairwise(times))
    now = start + wait * at
    number = reminders.due_reminder(start, ends, sent, now)
    if number is not None:
        assert sent < number <= len(times) and times[number - 1] <= now < ends
        # Once it is recorded as sent, the same moment asks for nothing more.
        assert reminders.due_reminder(start, ends, number, now) is None


def test_the_sweep_is_on_the_bulk_lanes_cron_and_can_be_queued() -> None:
    assert SWEEP_JOB in {f.name for f in FUNCTIONS}
    assert SWEEP_JOB in {c.name for c in LANES[Lane.BULK].cron_jobs}


# --- through the API and the worker ------------------------------------------------------------


async def _put_profile(
    client: httpx.AsyncClient, headers: dict[str, str], profile: dict[str, Any]
) -> str:
    put = await client.put("/v1/profiles/me", json=profile, headers={**headers, "If-Match": '"0"'})
    assert put.status_code == 200, put.text
    me = await client.get("/v1/users/me", headers=headers)
    return str(me.json()["id"])


async def _mentor(
    client: httpx.AsyncClient, tenant: TenantHandle, name: str
) -> tuple[dict[str, str], str]:
    headers = await tenant.headers(f"{name}@example.com", ["mentor"])
    return headers, await _put_profile(client, headers, MENTOR_PROFILE)


async def _mentee(
    client: httpx.AsyncClient, tenant: TenantHandle, name: str = "mia"
) -> tuple[dict[str, str], str]:
    headers = await tenant.headers(f"{name}@example.com", ["mentee"])
    return headers, await _put_profile(client, headers, MENTEE_PROFILE)


async def _send(
    client: httpx.AsyncClient, mentee: dict[str, str], mentor_id: str
) -> dict[str, Any]:
    created = await client.post("/v1/requests", json=careful_draft(mentor_id), headers=mentee)
    assert created.status_code == 201, created.text
    sent = await client.post(f"/v1/requests/{created.json()['id']}/send", headers=mentee)
    assert sent.status_code == 200, sent.text
    body: dict[str, Any] = sent.json()
    return body


def _at(request: dict[str, Any], field: str) -> datetime:
    return datetime.fromisoformat(request[field])


async def _sweep_as_of(moment: datetime) -> None:
    """What the bulk worker's cron does, as of `moment`."""
    queue = Queue()
    try:
        assert await queue.enqueue(SWEEP_JOB, moment.isoformat(), lane=Lane.BULK)
    finally:
        await queue.close()
    await drain(Lane.BULK)


async def _swept_events(tenant_id: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:
    async with database.session(readonly=True, tenant_id=tenant_id) as session:
        rows = await session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.tenant_id == tenant_id, OutboxEvent.event_type.in_(SWEPT))
            .order_by(OutboxEvent.seq)
        )
        return [(row.event_type, row.payload) for row in rows]


async def _status(client: httpx.AsyncClient, headers: dict[str, str], request_id: str) -> str:
    response = await client.get(f"/v1/requests/{request_id}", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


async def test_the_mentor_is_reminded_at_day_7_and_12_then_the_request_expires_with_next_best(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    dev, dev_id = await _mentor(client, tenant, "dev")
    _, ann_id = await _mentor(client, tenant, "ann")
    mia, mia_id = await _mentee(client, tenant)
    request = await _send(client, mia, dev_id)
    request_id = request["id"]
    sent_at = _at(request, "sent_at")
    assert _at(request, "expires_at") == sent_at + 14 * DAY  # the default program's 14 days

    await _sweep_as_of(sent_at + 6 * DAY)
    assert await _swept_events(tenant.id) == []

    await _sweep_as_of(sent_at + 7 * DAY + MINUTE)
    await _sweep_as_of(sent_at + 7 * DAY + 2 * MINUTE)  # the next minute's sweep: nothing new
    events = await _swept_events(tenant.id)
    assert [(kind, data["reminder"]) for kind, data in events] == [("request.reminder", 1)]
    first = events[0][1]
    assert first["request_id"] == request_id
    assert (first["to"], first["recipient_id"]) == ("mentor", dev_id)
    assert first["mentee_id"] == mia_id and first["status"] == "pending"
    assert datetime.fromisoformat(first["expires_at"]) == _at(request, "expires_at")

    await _sweep_as_of(sent_at + 12 * DAY + MINUTE)
    await _sweep_as_of(sent_at + 12 * DAY + MINUTE)
    events = await _swept_events(tenant.id)
    assert [(kind, data["reminder"]) for kind, data in events] == [
        ("request.reminder", 1),
        ("request.reminder", 2),
    ]
    assert events[1][1]["to"] == "mentor"
    assert await _status(client, mia, request_id) == "pending"

    expired_at = sent_at + 14 * DAY + MINUTE
    await _sweep_as_of(expired_at)
    events = await _swept_events(tenant.id)
    assert [kind for kind, _ in events][2:] == ["request.expired"]
    expired = events[2][1]
    assert expired["request_id"] == request_id and expired["status"] == "expired"
    assert expired["from_status"] == "pending" and expired["actor_id"] is None
    assert expired["unanswered_by"] == "mentor"
    best = [pick["mentor_id"] for pick in expired["next_best"]]
    assert dev_id not in best
    assert best == [ann_id]  # the one other mentor, with the reasons recommendations give
    assert expired["next_best"][0]["reasons"] and 0 < expired["next_best"][0]["score"] <= 1
    # What matching publishes for one mentee ranks the same way.
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        one = await matching.next_best_mentors(
            session,
            tenant.id,
            uuid.UUID(mia_id),
            None,
            exclude={uuid.UUID(dev_id)},
            as_of=expired_at,
        )
    assert one == expired["next_best"]

    read = await client.get(f"/v1/requests/{request_id}", headers=dev)
    assert read.json()["status"] == "expired" and read.json()["allowed_actions"] == []
    history = (await client.get(f"/v1/requests/{request_id}/history", headers=mia)).json()
    latest = history["items"][0]
    assert (latest["from_status"], latest["to_status"], latest["actor_id"]) == (
        "pending",
        "expired",
        None,
    )
    assert latest["reason"] == "The mentor did not answer within 14 days."
    # The request the mentor let expire counts in their acceptance rate.
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        rate = await session.scalar(
            select(Profile.acceptance_rate).where(Profile.user_id == uuid.UUID(dev_id))
        )
    assert rate == 0.0

    # Sweeping again, even much later, changes nothing.
    await _sweep_as_of(sent_at + 30 * DAY)
    assert len(await _swept_events(tenant.id)) == 3
    history_again = (await client.get(f"/v1/requests/{request_id}/history", headers=mia)).json()
    assert history_again["items"] == history["items"]
    # The mentor may be asked again: the expired request no longer stands between them.
    assert (await _send(client, mia, dev_id))["status"] == "pending"


async def test_a_late_sweep_sends_one_reminder_and_answered_requests_never_expire(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    mentors = [await _mentor(client, tenant, name) for name in ("dev", "ann", "bo")]
    mia, _ = await _mentee(client, tenant)
    # Another mentee's: accepting withdraws the mentee's other requests (one mentor at a time).
    leo, _ = await _mentee(client, tenant, "leo")
    waiting = await _send(client, mia, mentors[0][1])
    accepted = await _send(client, leo, mentors[1][1])
    declined = await _send(client, mia, mentors[2][1])
    answer = await client.post(f"/v1/requests/{accepted['id']}/accept", headers=mentors[1][0])
    assert answer.status_code == 200, answer.text
    answer = await client.post(
        f"/v1/requests/{declined['id']}/decline", json={"reason": "timing"}, headers=mentors[2][0]
    )
    assert answer.status_code == 200, answer.text

    # The workers were down until day 13: one reminder, the second, not both.
    await _sweep_as_of(_at(waiting, "sent_at") + 13 * DAY)
    events = await _swept_events(tenant.id)
    assert [(data["request_id"], data["reminder"]) for _, data in events] == [(waiting["id"], 2)]

    await _sweep_as_of(_at(waiting, "sent_at") + 60 * DAY)
    events = await _swept_events(tenant.id)
    assert [(kind, data["request_id"]) for kind, data in events][1:] == [
        ("request.expired", waiting["id"])
    ]
    assert await _status(client, leo, accepted["id"]) == "accepted"
    assert await _status(client, mia, declined["id"]) == "declined"


async def test_a_counter_restarts_the_clock_and_the_mentee_is_reminded_then_it_expires(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    dev, dev_id = await _mentor(client, tenant, "dev")
    mia, mia_id = await _mentee(client, tenant)
    request = await _send(client, mia, dev_id)
    request_id = request["id"]
    # Sent ten days ago: the mentor has had the first reminder, four days are left.
    async with database.transaction(tenant_id=tenant.id) as session:
        await session.execute(
            update(MentorshipRequest)
            .where(MentorshipRequest.id == uuid.UUID(request_id))
            .values(
                sent_at=MentorshipRequest.sent_at - 10 * DAY,
                expires_at=MentorshipRequest.expires_at - 10 * DAY,
            )
        )
    now = datetime.now(UTC)
    await _sweep_as_of(now)
    assert [data["to"] for _, data in await _swept_events(tenant.id)] == ["mentor"]

    countered = await client.post(
        f"/v1/requests/{request_id}/counter",
        json={"cadence": {"interval_days": 30, "session_minutes": 45}, "message": "Monthly?"},
        headers=dev,
    )
    assert countered.status_code == 200, countered.text
    answered_at = _at(countered.json(), "responded_at")
    assert _at(countered.json(), "expires_at") == answered_at + 14 * DAY

    # The first deadline (four days on) has passed; the counter's has not.
    await _sweep_as_of(answered_at + 5 * DAY)
    assert len(await _swept_events(tenant.id)) == 1
    assert await _status(client, mia, request_id) == "countered"

    await _sweep_as_of(answered_at + 7 * DAY + MINUTE)
    await _sweep_as_of(answered_at + 12 * DAY + MINUTE)
    events = await _swept_events(tenant.id)
    assert [(data["to"], data["reminder"]) for _, data in events] == [
        ("mentor", 1),
        ("mentee", 1),
        ("mentee", 2),
    ]
    assert {data["recipient_id"] for _, data in events[1:]} == {mia_id}
    assert {data["status"] for _, data in events[1:]} == {"countered"}

    await _sweep_as_of(answered_at + 14 * DAY + MINUTE)
    kind, expired = (await _swept_events(tenant.id))[-1]
    assert kind == "request.expired"
    assert (expired["from_status"], expired["unanswered_by"]) == ("countered", "mentee")
    history = (await client.get(f"/v1/requests/{request_id}/history", headers=dev)).json()
    latest = history["items"][0]
    assert (latest["from_status"], latest["to_status"]) == ("countered", "expired")
    assert "counter-proposal" in latest["reason"]


async def test_a_held_request_neither_reminds_nor_expires_until_released(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    _, dev_id = await _mentor(client, tenant, "dev")
    mia, _ = await _mentee(client, tenant)
    request = await _send(client, mia, dev_id)
    sent_at = _at(request, "sent_at")

    async with database.transaction(tenant_id=tenant.id) as session:
        assert await set_requests_on_hold(session, tenant.id, uuid.UUID(dev_id), True) == 1
    await _sweep_as_of(sent_at + 7 * DAY + MINUTE)
    await _sweep_as_of(sent_at + 20 * DAY)
    assert await _swept_events(tenant.id) == []
    assert await _status(client, mia, request["id"]) == "pending"

    # Released after its time: the next sweep expires it, without a reminder first.
    async with database.transaction(tenant_id=tenant.id) as session:
        await set_requests_on_hold(session, tenant.id, uuid.UUID(dev_id), False)
    await _sweep_as_of(sent_at + 20 * DAY)
    assert [kind for kind, _ in await _swept_events(tenant.id)] == ["request.expired"]
    assert await _status(client, mia, request["id"]) == "expired"


async def test_a_three_day_program_reminds_once_halfway(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    programs = (await client.get("/v1/programs", headers=admin)).json()["items"]
    default = next(p for p in programs if p["is_default"])
    read = await client.get(f"/v1/programs/{default['id']}", headers=admin)
    patched = await client.patch(
        f"/v1/programs/{default['id']}",
        json={"request_expiry_days": 3},
        headers={**admin, "If-Match": read.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.text
    _, dev_id = await _mentor(client, tenant, "dev")
    mia, _ = await _mentee(client, tenant)
    request = await _send(client, mia, dev_id)
    sent_at = _at(request, "sent_at")

    for hours in (35, 37, 48, 70):
        await _sweep_as_of(sent_at + timedelta(hours=hours))
    assert [(kind, data["reminder"]) for kind, data in await _swept_events(tenant.id)] == [
        ("request.reminder", 1)
    ]
    await _sweep_as_of(sent_at + 3 * DAY + MINUTE)
    kinds = [kind for kind, _ in await _swept_events(tenant.id)]
    assert kinds == ["request.reminder", "request.expired"]
    history = (await client.get(f"/v1/requests/{request['id']}/history", headers=mia)).json()
    assert history["items"][0]["reason"] == "The mentor did not answer within 3 days."


async def test_two_sweeps_at_once_send_each_reminder_once_across_tenants(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    sent: list[tuple[TenantHandle, datetime]] = []
    for _ in range(2):
        tenant = await make_tenant()
        mentors = [await _mentor(client, tenant, f"m{i}") for i in range(3)]
        mia, _ = await _mentee(client, tenant)
        requests = [await _send(client, mia, mentor_id) for _, mentor_id in mentors]
        sent.append((tenant, max(_at(r, "sent_at") for r in requests)))
    moment = max(at for _, at in sent) + 7 * DAY + MINUTE

    await asyncio.gather(sweep_requests({}, moment), sweep_requests({}, moment))
    for tenant, _ in sent:
        events = await _swept_events(tenant.id)
        assert sorted(data["reminder"] for _, data in events) == [1, 1, 1]
        assert len({data["request_id"] for _, data in events}) == 3
