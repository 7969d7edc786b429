"""A mentorship's calendar as iCalendar (RFC 5545). Pure: plain data in, bytes out.

Calendar clients that import or subscribe to it match events by UID: a meeting is
`meeting-<id>@<domain>` for its whole life (rescheduling keeps the id), its SEQUENCE is the
meeting's version, so a moved or cancelled meeting updates the event a client holds instead of
adding one. The check-in cadence is one recurring event, `checkin-<mentorship id>@<domain>`,
from the mentorship's start; while the mentorship is paused or once it is closed, the series
ends (UNTIL) when its status changed.

Everything is in UTC, so no VTIMEZONE is needed. DTSTAMP is when the event last changed (the
calendar has no METHOD, RFC 5545 §3.8.7.2), so reading the calendar twice gives the same bytes.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from icalendar import Calendar, Event

# Not the deployment's host: a UID must not change when the public address does.
UID_DOMAIN: Final = "mentorship.dev"
PRODID: Final = "-//mentorship.dev//Mentorship progress//EN"
MEDIA_TYPE: Final = "text/calendar"
# A meeting's status as the calendar shows it; a `rescheduled` row is the slot a meeting left,
# not an event of its own (the meeting moved, with its UID), so it is not in the calendar.
_EVENT_STATUS: Final = {
    "scheduled": "CONFIRMED",
    "held": "CONFIRMED",
    "missed": "CONFIRMED",
    "cancelled": "CANCELLED",
}
SHOWN: Final = tuple(_EVENT_STATUS)


@dataclass(frozen=True, slots=True)
class CalendarMeeting:
    id: uuid.UUID
    starts_at: datetime
    minutes: int
    status: str
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CheckInSeries:
    """The cadence agreed for the mentorship, as a recurring event."""

    mentorship_id: uuid.UUID
    starts_at: datetime
    interval_days: int
    session_minutes: int
    until: datetime | None  # paused or closed: the series stops here
    version: int
    created_at: datetime
    updated_at: datetime


def meeting_uid(meeting_id: uuid.UUID) -> str:
    return f"meeting-{meeting_id}@{UID_DOMAIN}"


def check_in_uid(mentorship_id: uuid.UUID) -> str:
    return f"checkin-{mentorship_id}@{UID_DOMAIN}"


def recurrence(interval_days: int, until: datetime | None) -> dict[str, object]:
    """RRULE of a cadence: weekly when the interval is whole weeks (clients show it as "every
    2 weeks"), else daily."""
    rule: dict[str, object] = (
        {"freq": "weekly", "interval": interval_days // 7}
        if interval_days % 7 == 0
        else {"freq": "daily", "interval": interval_days}
    )
    if until is not None:
        rule["until"] = _utc(until)
    return rule


def calendar(name: str, meetings: Sequence[CalendarMeeting], series: CheckInSeries | None) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for meeting in meetings:
        if meeting.status in _EVENT_STATUS:
            cal.add_component(_meeting_event(meeting))
    if series is not None:
        cal.add_component(_series_event(series))
    ical: bytes = cal.to_ical()
    return ical


def _utc(moment: datetime) -> datetime:
    # iCalendar counts whole seconds.
    return moment.astimezone(UTC).replace(microsecond=0)


def _meeting_event(meeting: CalendarMeeting) -> Event:
    event = Event()
    event.add("uid", meeting_uid(meeting.id))
    event.add("sequence", meeting.version)
    event.add("dtstamp", _utc(meeting.updated_at))
    event.add("created", _utc(meeting.created_at))
    event.add("last-modified", _utc(meeting.updated_at))
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.starts_at + timedelta(minutes=meeting.minutes)))
    event.add("summary", "Mentoring session")
    event.add("status", _EVENT_STATUS[meeting.status])
    return event


def _series_event(series: CheckInSeries) -> Event:
    event = Event()
    event.add("uid", check_in_uid(series.mentorship_id))
    event.add("sequence", series.version)
    event.add("dtstamp", _utc(series.updated_at))
    event.add("created", _utc(series.created_at))
    event.add("last-modified", _utc(series.updated_at))
    start = _utc(series.starts_at)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=series.session_minutes))
    event.add("rrule", recurrence(series.interval_days, series.until))
    event.add("summary", "Mentoring check-in")
    event.add(
        "description",
        f"The agreed cadence: every {series.interval_days} days, "
        f"{series.session_minutes} minutes. Meet, or post a written check-in.",
    )
    event.add("transp", "TRANSPARENT")  # a reminder of the rhythm, not a booked slot
    return event
