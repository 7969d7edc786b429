"""When a request waiting for an answer is reminded about. Pure: the sweep asks here.

A wait runs from the step that started it (sending: the mentor must answer; a counter: the
mentee must) to its `expires_at`. Whoever must answer is reminded twice:

- the first reminder at half the wait (day 7 of 14),
- the second two days before it expires (day 12 of 14), but only when that is at least a day
  after the first; a shorter wait (under 6 days, e.g. 3) gets the first reminder alone, so
  nobody is reminded twice within hours or before the halfway point.

A sweep that comes late (the workers were down) sends only the latest reminder due, never two at
once, and none once the request has expired: expiry says the rest.
"""

from datetime import datetime, timedelta
from typing import Final, Literal

FIRST_AT_SHARE: Final = 0.5
SECOND_BEFORE_EXPIRY: Final = timedelta(days=2)
MIN_GAP: Final = timedelta(days=1)
LAST: Final = 2

Recipient = Literal["mentor", "mentee"]


def recipient(status: str) -> Recipient:
    """Who must answer a waiting request: the mentor a sent one, the mentee a counter."""
    return "mentee" if status == "countered" else "mentor"


def reminder_times(started_at: datetime, expires_at: datetime) -> list[datetime]:
    """When the reminders of a wait fall due, first to last (one or two)."""
    first = started_at + (expires_at - started_at) * FIRST_AT_SHARE
    second = expires_at - SECOND_BEFORE_EXPIRY
    return [first, second] if second - first >= MIN_GAP else [first]


def due_reminder(
    started_at: datetime, expires_at: datetime, reminders_sent: int, now: datetime
) -> int | None:
    """The number (1 or 2) of the reminder to send at `now`, or None when none is due: too
    early, already sent, or expired."""
    if now >= expires_at:
        return None
    due = sum(1 for at in reminder_times(started_at, expires_at) if at <= now)
    return due if due > reminders_sent else None
