"""Meetings: planned, held, missed, cancelled or moved, by either participant."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from services.core.db import database
from services.progress import meeting_lifecycle
from services.progress.mentorships.models import Mentorship
from tests.conftest import TenantFactory
from tests.events import events_of
from tests.services.progress.people import Pair, accepted_mentorship


def _at(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).replace(microsecond=0).isoformat()


def _meetings(pair: Pair) -> str:
    return f"/v1/mentorships/{pair.mentorship_id}/meetings"


async def _warn(tenant_id: uuid.UUID, mentorship_id: str) -> None:
    """As the inactivity policy would: the mentorship was warned it has gone quiet."""
    async with database.transaction(tenant_id=tenant_id) as session:
        mentorship = await session.get(Mentorship, uuid.UUID(mentorship_id))
        assert mentorship is not None
        mentorship.inactivity_stage = "warned"


async def _stage(tenant_id: uuid.UUID, mentorship_id: str) -> str | None:
    async with database.session(readonly=True, tenant_id=tenant_id) as session:
        return await session.scalar(
            select(Mentorship.inactivity_stage).where(Mentorship.id == uuid.UUID(mentorship_id))
        )


async def test_a_meeting_is_planned_then_held_and_a_past_one_logged(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    await _warn(tenant.id, pair.mentorship_id)
    planned = await client.post(
        _meetings(pair),
        json={"starts_at": _at(minutes=10), "minutes": 45, "notes": "  Agenda: goals  "},
        headers=pair.mentee,
    )
    assert planned.status_code == 201, planned.text
    meeting = planned.json()
    assert (meeting["status"], meeting["minutes"], meeting["notes"]) == (
        "scheduled",
        45,
        "Agenda: goals",
    )
    assert meeting["created_by"] == pair.mentee_id and planned.headers["ETag"] == '"1"'
    read = await client.get(planned.headers["Location"], headers=pair.mentor)
    assert read.status_code == 200 and read.json() == meeting and read.headers["ETag"] == '"1"'
    # Planning a meeting is not yet talking to each other.
    assert await _stage(tenant.id, pair.mentorship_id) == "warned"

    early = await client.patch(
        planned.headers["Location"], json={"status": "held"}, headers=pair.mentor
    )
    assert early.status_code == 422
    assert early.json()["errors"][0]["loc"] == ["body", "status"]

    # It happened earlier than planned: held, at the time it really started.
    held = await client.patch(
        planned.headers["Location"],
        json={"status": "held", "starts_at": _at(minutes=-30), "notes": "Went well"},
        headers={**pair.mentor, "If-Match": '"1"'},
    )
    assert held.status_code == 200, held.text
    assert (held.json()["status"], held.json()["notes"]) == ("held", "Went well")
    assert held.headers["ETag"] == '"2"' and held.json()["id"] == meeting["id"]
    assert await _stage(tenant.id, pair.mentorship_id) is None

    logged = await client.post(
        _meetings(pair),
        json={"starts_at": _at(days=-3), "minutes": 30, "status": "held"},
        headers=pair.mentor,
    )
    assert logged.status_code == 201, logged.text
    missed = await client.post(
        _meetings(pair),
        json={"starts_at": _at(days=-10), "minutes": 30, "status": "missed"},
        headers=pair.mentee,
    )
    assert missed.status_code == 201, missed.text

    listed = await client.get(_meetings(pair), headers=pair.mentee)
    assert [m["id"] for m in listed.json()["items"]] == [
        missed.json()["id"],
        logged.json()["id"],
        meeting["id"],
    ]
    only_held = await client.get(f"{_meetings(pair)}?status=held&limit=1", headers=pair.mentor)
    assert [m["id"] for m in only_held.json()["items"]] == [logged.json()["id"]]
    second = await client.get(
        f"{_meetings(pair)}?status=held&limit=1&cursor={only_held.json()['next_cursor']}",
        headers=pair.mentor,
    )
    assert [m["id"] for m in second.json()["items"]] == [meeting["id"]]
    assert second.json()["next_cursor"] is None

    events = await events_of(tenant.id, prefix="meeting.")
    assert [kind for kind, _ in events] == [
        "meeting.scheduled",
        "meeting.held",
        "meeting.held",
        "meeting.missed",
    ]
    assert events[1][1]["from_status"] == "scheduled"
    assert events[1][1]["actor_id"] == pair.mentor_id
    assert events[0][1]["mentee_id"] == pair.mentee_id
    assert events[0][1]["meeting_id"] == meeting["id"]


async def test_a_rescheduled_meeting_keeps_its_id_and_leaves_its_old_slot_countable(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    first_time, new_time = _at(days=2), _at(days=4)
    planned = await client.post(
        _meetings(pair), json={"starts_at": first_time, "minutes": 45}, headers=pair.mentee
    )
    path = planned.headers["Location"]

    stale = await client.patch(
        path, json={"starts_at": new_time}, headers={**pair.mentor, "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    no_time = await client.patch(path, json={"status": "rescheduled"}, headers=pair.mentor)
    assert no_time.status_code == 422
    assert no_time.json()["errors"][0]["loc"] == ["body", "starts_at"]
    into_past = await client.patch(path, json={"starts_at": _at(days=-1)}, headers=pair.mentor)
    assert into_past.status_code == 422
    assert into_past.json()["errors"][0]["loc"] == ["body", "starts_at"]

    moved = await client.patch(
        path,
        json={"status": "rescheduled", "starts_at": new_time, "minutes": 60},
        headers={**pair.mentor, "If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["id"] == planned.json()["id"] and moved.headers["ETag"] == '"2"'
    assert (moved.json()["status"], moved.json()["minutes"]) == ("scheduled", 60)
    assert datetime.fromisoformat(moved.json()["starts_at"]) == datetime.fromisoformat(new_time)
    # Moved again, by a plain new time: a second slot left behind.
    again = await client.patch(path, json={"starts_at": _at(days=5)}, headers=pair.mentee)
    assert again.status_code == 200 and again.headers["ETag"] == '"3"'

    left = await client.get(f"{_meetings(pair)}?status=rescheduled", headers=pair.mentee)
    slots = left.json()["items"]
    assert len(slots) == 2
    oldest = slots[-1]
    assert datetime.fromisoformat(oldest["starts_at"]) == datetime.fromisoformat(first_time)
    assert (oldest["minutes"], oldest["created_by"]) == (45, pair.mentor_id)
    # A slot left behind is what happened; it does not change any more.
    refused = await client.patch(
        f"{_meetings(pair)}/{oldest['id']}", json={"starts_at": _at(days=9)}, headers=pair.mentor
    )
    assert refused.status_code == 409 and refused.json()["current_status"] == "rescheduled"

    events = await events_of(tenant.id, "meeting.rescheduled")
    assert len(events) == 2
    assert datetime.fromisoformat(events[0][1]["from_starts_at"]) == datetime.fromisoformat(
        first_time
    )
    assert datetime.fromisoformat(events[0][1]["starts_at"]) == datetime.fromisoformat(new_time)


async def test_changes_that_do_not_exist_are_409_with_the_current_status(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    planned = await client.post(
        _meetings(pair), json={"starts_at": _at(days=1), "minutes": 30}, headers=pair.mentee
    )
    path = planned.headers["Location"]
    cancelled = await client.patch(path, json={"status": "cancelled"}, headers=pair.mentor)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    for change in ({"status": "held"}, {"status": "scheduled"}, {"starts_at": _at(days=3)}):
        refused = await client.patch(path, json=change, headers=pair.mentee)
        assert refused.status_code == 409, (change, refused.text)
        assert refused.json()["current_status"] == "cancelled"
    # Notes afterwards are fine, and change nothing else.
    noted = await client.patch(path, json={"notes": "Clashed with a launch"}, headers=pair.mentee)
    assert noted.status_code == 200 and noted.json()["status"] == "cancelled"

    held = await client.post(
        _meetings(pair),
        json={"starts_at": _at(hours=-2), "minutes": 30, "status": "held"},
        headers=pair.mentee,
    )
    for change in ({"status": "missed"}, {"status": "rescheduled", "starts_at": _at(days=1)}):
        refused = await client.patch(held.headers["Location"], json=change, headers=pair.mentor)
        assert refused.status_code == 409 and refused.json()["current_status"] == "held"
    kinds = [kind for kind, _ in await events_of(tenant.id, prefix="meeting.")]
    assert kinds == ["meeting.scheduled", "meeting.cancelled", "meeting.held"]


async def test_bad_meetings_are_422_naming_the_field(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    good = {"starts_at": _at(days=1), "minutes": 30}
    cases: list[tuple[dict[str, Any], str]] = [
        ({**good, "minutes": 4}, "minutes"),
        ({**good, "minutes": 481}, "minutes"),
        ({**good, "minutes": "30"}, "minutes"),
        ({**good, "minutes": 30.0}, "minutes"),
        ({**good, "notes": "x" * 10_001}, "notes"),
        ({**good, "notes": "a\u0000b"}, "notes"),
        ({**good, "starts_at": "2030-01-01T10:00:00"}, "starts_at"),  # no UTC offset
        ({**good, "starts_at": "0001-01-01T00:00:00+14:00"}, "starts_at"),
        ({**good, "starts_at": "9999-12-31T23:59:59-14:00"}, "starts_at"),
        ({**good, "starts_at": _at(days=400)}, "starts_at"),
        ({**good, "starts_at": _at(minutes=-5)}, "starts_at"),  # scheduled in the past
        ({**good, "status": "held"}, "starts_at"),  # held in the future
        ({**good, "status": "missed"}, "starts_at"),
        ({**good, "status": "cancelled"}, "status"),
        ({**good, "status": "rescheduled"}, "status"),
        ({**good, "status": "done"}, "status"),
        ({"minutes": 30}, "starts_at"),
        ({**good, "mentorship_id": pair.mentorship_id}, "mentorship_id"),
    ]
    for body, field in cases:
        refused = await client.post(_meetings(pair), json=body, headers=pair.mentee)
        assert refused.status_code == 422, (body, refused.text)
        assert field in refused.json()["errors"][0]["loc"], (body, refused.json())
    listed = await client.get(_meetings(pair), headers=pair.mentee)
    assert listed.json()["items"] == []

    planned = await client.post(_meetings(pair), json=good, headers=pair.mentee)
    for body, field in [
        ({"minutes": 0}, "minutes"),
        ({"status": "finished"}, "status"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"status": "cancelled", "starts_at": _at(days=2)}, "starts_at"),
        ({"id": str(uuid.uuid4())}, "id"),
    ]:
        refused = await client.patch(planned.headers["Location"], json=body, headers=pair.mentee)
        assert refused.status_code == 422, (body, refused.text)
        assert field in refused.json()["errors"][0]["loc"], (body, refused.json())
    unchanged = await client.get(planned.headers["Location"], headers=pair.mentee)
    assert unchanged.json() == planned.json() and unchanged.headers["ETag"] == '"1"'


async def test_who_may_see_and_log_meetings(client, make_tenant: TenantFactory) -> None:
    tenant, elsewhere = await make_tenant(), await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    planned = await client.post(
        _meetings(pair), json={"starts_at": _at(days=1), "minutes": 30}, headers=pair.mentor
    )
    path = planned.headers["Location"]
    body = {"starts_at": _at(days=2), "minutes": 30}
    for outsider in (await tenant.headers("sam@example.com"), await elsewhere.admin_headers()):
        assert (await client.get(_meetings(pair), headers=outsider)).status_code == 404
        assert (await client.get(path, headers=outsider)).status_code == 404
        assert (await client.post(_meetings(pair), json=body, headers=outsider)).status_code == 404
        patched = await client.patch(path, json={"status": "cancelled"}, headers=outsider)
        assert patched.status_code == 404

    admin = await tenant.admin_headers()
    assert len((await client.get(_meetings(pair), headers=admin)).json()["items"]) == 1
    assert (await client.post(_meetings(pair), json=body, headers=admin)).status_code == 403
    patched = await client.patch(path, json={"status": "cancelled"}, headers=admin)
    assert patched.status_code == 403

    # A meeting is found only under its own mentorship.
    other = await accepted_mentorship(client, tenant, "noa@example.com", "eli@example.com")
    crossed = f"{_meetings(other)}/{planned.json()['id']}"
    assert (await client.get(crossed, headers=other.mentee)).status_code == 404
    patched = await client.patch(crossed, json={"status": "cancelled"}, headers=other.mentee)
    assert patched.status_code == 404
    unknown = f"{_meetings(pair)}/{uuid.uuid4()}"
    assert (await client.get(unknown, headers=pair.mentee)).status_code == 404


async def test_a_closed_mentorship_takes_no_meetings_but_keeps_them_readable(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    planned = await client.post(
        _meetings(pair), json={"starts_at": _at(days=1), "minutes": 30}, headers=pair.mentor
    )
    completed = await client.patch(
        f"/v1/mentorships/{pair.mentorship_id}", json={"status": "completed"}, headers=pair.mentor
    )
    assert completed.status_code == 200, completed.text
    late = await client.post(
        _meetings(pair), json={"starts_at": _at(days=2), "minutes": 30}, headers=pair.mentee
    )
    assert late.status_code == 409
    assert (late.json()["reason"], late.json()["current_status"]) == (
        "mentorship_closed",
        "completed",
    )
    patched = await client.patch(
        planned.headers["Location"], json={"status": "cancelled"}, headers=pair.mentee
    )
    assert patched.status_code == 409 and patched.json()["current_status"] == "completed"
    listed = await client.get(_meetings(pair), headers=pair.mentee)
    assert [m["status"] for m in listed.json()["items"]] == ["scheduled"]


@given(st.lists(st.sampled_from(meeting_lifecycle.STATUSES), max_size=8))
def test_only_a_scheduled_meeting_ever_changes(steps: list[str]) -> None:
    status = "scheduled"
    for target in steps:
        if meeting_lifecycle.may_change(status, target):
            assert status == "scheduled" and target != "scheduled"
            status = target
    assert status in meeting_lifecycle.STATUSES
    for final in ("held", "missed", "cancelled", "rescheduled"):
        assert not any(meeting_lifecycle.may_change(final, t) for t in meeting_lifecycle.STATUSES)
