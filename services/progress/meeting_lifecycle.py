"""A meeting's statuses and the changes between them, as data. Pure.

    scheduled --> held | missed | cancelled | rescheduled

Only a scheduled meeting changes; the other four are what happened to it and stay.

Rescheduling moves a meeting: the meeting keeps its id (so a calendar updates the event rather
than adding a second one) and takes the new time, staying scheduled, while the slot it left is
kept as a row of its own with status `rescheduled` at the old time. So each meeting that did
not happen as planned (missed, cancelled, or moved) is one row at the time it was planned for,
and the health flags count them by time like any other.

A meeting is logged as held or missed only once it has started; it is scheduled only for
later. Logging one that already happened (held or missed) needs no scheduled meeting first.
"""

from datetime import datetime, timedelta
from typing import Final, Literal

Status = Literal["scheduled", "held", "missed", "cancelled", "rescheduled"]

STATUSES: Final[tuple[Status, ...]] = ("scheduled", "held", "missed", "cancelled", "rescheduled")
CHANGES: Final[dict[str, frozenset[str]]] = {
    "scheduled": frozenset({"held", "missed", "cancelled", "rescheduled"}),
    "held": frozenset(),
    "missed": frozenset(),
    "cancelled": frozenset(),
    "rescheduled": frozenset(),
}
# What a new meeting may be: planned, or logged after the fact. Cancelled and rescheduled are
# what becomes of a scheduled one.
LOGGABLE: Final[tuple[Status, ...]] = ("scheduled", "held", "missed")
# Statuses that say the meeting's time has come.
AFTER_START: Final = frozenset({"held", "missed"})
# How far ahead a meeting may be planned: a calendar of year-9999 meetings helps nobody.
HORIZON: Final = timedelta(days=366)


def may_change(source: str, target: str) -> bool:
    """Whether a meeting in `source` may move to `target` (staying put is no change)."""
    return target in CHANGES.get(source, frozenset())


def time_problem(status: str, starts_at: datetime, now: datetime) -> str | None:
    """Why a meeting with this status cannot start at `starts_at`, or None when it can."""
    if status in AFTER_START and starts_at > now:
        return f"is in the future; a meeting is {status} only once it has started"
    if status == "scheduled" and starts_at <= now:
        return "is in the past; log a meeting that already happened as held or missed"
    if status == "scheduled" and starts_at > now + HORIZON:
        return f"is more than {HORIZON.days} days ahead"
    return None
