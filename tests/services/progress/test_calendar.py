"""A mentorship's calendar.ics: what a calendar client imports, and updates in place."""

from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
from icalendar import Calendar

from services.progress import ical
from tests.conftest import TenantFactory
from tests.services.progress.people import Pair, accepted_mentorship


def _at(**delta: float) -> datetime:
    return (datetime.now(UTC) + timedelta(**delta)).replace(microsecond=0)


def _calendar_path(pair: Pair) -> str:
    return f"/v1/mentorships/{pair.mentorship_id}/calendar.ics"


async def _read(client, pair: Pair, headers: dict[str, str] | None = None) -> bytes:
    response = await client.get(_calendar_path(pair), headers=headers or pair.mentee)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return bytes(response.content)


def _events(body: bytes) -> dict[str, Any]:
    parsed = Calendar.from_ical(body)
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"]
    return {str(event["UID"]): event for event in parsed.walk("VEVENT")}


async def test_meetings_keep_their_uid_and_are_updated_by_sequence(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    meetings = f"/v1/mentorships/{pair.mentorship_id}/meetings"
    planned_at = _at(days=2)
    planned = await client.post(
        meetings, json={"starts_at": planned_at.isoformat(), "minutes": 45}, headers=pair.mentee
    )
    other = await client.post(
        meetings, json={"starts_at": _at(days=9).isoformat(), "minutes": 30}, headers=pair.mentor
    )
    uid = f"meeting-{planned.json()['id']}@mentorship.dev"
    other_uid = f"meeting-{other.json()['id']}@mentorship.dev"
    series_uid = f"checkin-{pair.mentorship_id}@mentorship.dev"

    first = await _read(client, pair)
    assert first == await _read(client, pair, pair.mentor)  # the same bytes, read twice
    events = _events(first)
    assert set(events) == {uid, other_uid, series_uid}
    event = events[uid]
    assert (event["SEQUENCE"], str(event["STATUS"])) == (1, "CONFIRMED")
    assert event.start == planned_at
    assert event.end - event.start == timedelta(minutes=45)
    assert event["DTSTAMP"].dt.tzinfo is not None

    new_time = _at(days=3)
    moved = await client.patch(
        planned.headers["Location"],
        json={"starts_at": new_time.isoformat()},
        headers={**pair.mentor, "If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    await client.patch(other.headers["Location"], json={"status": "cancelled"}, headers=pair.mentee)

    events = _events(await _read(client, pair))
    # Still three events: the moved one is updated in place, the slot it left is no event.
    assert set(events) == {uid, other_uid, series_uid}
    assert events[uid]["SEQUENCE"] == 2 and events[uid].start == new_time
    assert (events[other_uid]["SEQUENCE"], str(events[other_uid]["STATUS"])) == (2, "CANCELLED")


async def test_the_check_in_cadence_is_one_recurring_event(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)  # every 14 days, 45 minutes
    mentorship = (
        await client.get(f"/v1/mentorships/{pair.mentorship_id}", headers=pair.mentee)
    ).json()
    series_uid = f"checkin-{pair.mentorship_id}@mentorship.dev"
    series = _events(await _read(client, pair))[series_uid]
    rule = series["RRULE"]
    assert (rule["FREQ"], rule["INTERVAL"], rule.get("UNTIL")) == (["WEEKLY"], [2], None)
    started = datetime.fromisoformat(mentorship["created_at"]).replace(microsecond=0)
    assert series.start == started
    assert series.end - series.start == timedelta(minutes=45)

    path = f"/v1/mentorships/{pair.mentorship_id}"
    changed = await client.patch(
        path, json={"cadence": {"interval_days": 10, "session_minutes": 30}}, headers=pair.mentor
    )
    assert changed.status_code == 200, changed.text
    updated = _events(await _read(client, pair))[series_uid]
    assert (updated["RRULE"]["FREQ"], updated["RRULE"]["INTERVAL"]) == (["DAILY"], [10])
    assert updated["SEQUENCE"] > series["SEQUENCE"]

    paused = await client.patch(path, json={"status": "paused"}, headers=pair.mentor)
    stopped_at = datetime.fromisoformat(paused.json()["status_changed_at"]).replace(microsecond=0)
    stopped = _events(await _read(client, pair))[series_uid]
    assert stopped["RRULE"]["UNTIL"] == [stopped_at]
    resumed = await client.patch(path, json={"status": "active"}, headers=pair.mentor)
    assert resumed.status_code == 200
    assert _events(await _read(client, pair))[series_uid]["RRULE"].get("UNTIL") is None


async def test_only_those_who_see_the_mentorship_read_its_calendar(
    client, make_tenant: TenantFactory
) -> None:
    tenant, elsewhere = await make_tenant(), await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    for outsider in (await tenant.headers("sam@example.com"), await elsewhere.admin_headers()):
        refused = await client.get(_calendar_path(pair), headers=outsider)
        assert refused.status_code == 404
        assert refused.headers["content-type"] == "application/problem+json"
    assert (await client.get(_calendar_path(pair))).status_code == 401
    assert _events(await _read(client, pair, await tenant.admin_headers()))


def test_a_cadence_in_whole_weeks_recurs_weekly() -> None:
    assert ical.recurrence(7, None) == {"freq": "weekly", "interval": 1}
    assert ical.recurrence(21, None) == {"freq": "weekly", "interval": 3}
    until = datetime(2026, 5, 1, 12, 30, 15, 999, tzinfo=UTC)
    assert ical.recurrence(1, until) == {
        "freq": "daily",
        "interval": 1,
        "until": until.replace(microsecond=0),
    }
    assert icalendar.vRecur(ical.recurrence(9, None)).to_ical() == b"FREQ=DAILY;INTERVAL=9"
