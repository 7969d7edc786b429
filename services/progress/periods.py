"""A mentorship's evaluation periods. Pure.

The periods are whole UTC days, back to back from the day the mentorship started: with an
interval of n days, period k (k >= 0) runs from start + k*n up to, not including,
start + (k+1)*n. Each participant evaluates once per period; the worker asks both sides when a
period begins, from period 1 on, to look back on the one that just ended (so a mentorship
started today is first asked n days from now, not today).

The program's interval is read as it is now: an admin who changes it moves the boundaries of
every running mentorship of the program, from its start.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

# The interval when neither the mentorship's program nor the organisation's default program
# is there to say (the programs' own default).
DEFAULT_INTERVAL_DAYS: Final = 30


@dataclass(frozen=True, slots=True)
class Period:
    index: int
    start: date
    end: date  # the first day of the next period

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def utc_day(moment: datetime) -> date:
    """The UTC date of a moment (a naive one is taken as UTC already)."""
    return (moment.astimezone(UTC) if moment.tzinfo else moment).date()


def period_at(started_at: datetime, interval_days: int, index: int) -> Period:
    if interval_days < 1:
        raise ValueError("an evaluation interval is at least a day")
    if index < 0:
        raise ValueError("periods are counted from 0")
    start = utc_day(started_at) + timedelta(days=index * interval_days)
    return Period(index, start, start + timedelta(days=interval_days))


def period_containing(started_at: datetime, interval_days: int, moment: datetime) -> Period:
    """The period `moment` falls in; a moment before the start falls in period 0."""
    if interval_days < 1:
        raise ValueError("an evaluation interval is at least a day")
    elapsed = (utc_day(moment) - utc_day(started_at)).days
    return period_at(started_at, interval_days, max(elapsed, 0) // interval_days)


def interval_of(
    program_id: uuid.UUID | None,
    intervals: Mapping[uuid.UUID, int],
    default_program_id: uuid.UUID | None,
) -> int:
    """The evaluation interval of a mentorship in `program_id`: its program's, else (no
    program, or one no longer there) the organisation's default program's, else the default."""
    if program_id is not None and program_id in intervals:
        return intervals[program_id]
    if default_program_id is not None and default_program_id in intervals:
        return intervals[default_program_id]
    return DEFAULT_INTERVAL_DAYS
