"""What other services may use from matching: the matching view of a person, and whether a
meeting time lies inside a person's weekly windows (read as matching reads them), so a request
review checks a mentor's week as recommendations do."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.matching.features import MatchProfile, Window, from_row

__all__ = ["MatchProfile", "Window", "covers", "from_row"]


# A stand-in until matching's availability module lands: covers moves there, beside the
# overlap arithmetic, and this module re-exports it.
@lru_cache(maxsize=1024)
def _zone(name: str | None) -> ZoneInfo:
    if not name:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_DAY_US = 86_400_000_000
_WEEK_US = 7 * _DAY_US
_MINUTE_US = 60_000_000


def _week_spans(weekly: Sequence[Window]) -> list[tuple[int, int]]:
    """The windows as merged [start, end) microseconds from Monday 00:00 on the person's wall
    clock, laid out over two weeks so that a stretch running from Sunday night into Monday is
    one span. Windows that touch merge: Mon 20:00-24:00 and Tue 00:00-02:00 are one evening."""
    spans = sorted(
        (
            w.weekday * _DAY_US + max(w.start_minute, 0) * _MINUTE_US,
            w.weekday * _DAY_US + min(w.end_minute, 1440) * _MINUTE_US,
        )
        for w in weekly
        if 0 <= w.weekday <= 6 and min(w.end_minute, 1440) > max(w.start_minute, 0)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans + [(s + _WEEK_US, e + _WEEK_US) for s, e in spans]:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _offset_change(zone: ZoneInfo, start: datetime, end: datetime) -> datetime | None:
    """The first instant in (start, end) at which the zone's offset differs from its offset at
    `start` (a daylight saving switch), to the microsecond; None if it holds throughout."""
    offset = start.astimezone(zone).utcoffset()
    last = end - timedelta(microseconds=1)
    if last <= start or last.astimezone(zone).utcoffset() == offset:
        return None
    low, high = start, last  # offset(low) is the start's, offset(high) is not
    while high - low > timedelta(microseconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high


def covers(weekly: Sequence[Window], tz: str | None, start: datetime, end: datetime) -> bool:
    """Whether the person is free for the whole of [start, end): every instant of it, read on
    their wall clock in `tz` (daylight saving included), falls inside one of their weekly
    windows. A window may end at 24:00, and a time may run past midnight into the next day's
    window. Naive datetimes are UTC; an empty or reversed interval, or one the calendar cannot
    show in their zone (the year 9999), is not covered."""
    try:
        return _covers(_week_spans(weekly), _zone(tz), _aware(start), _aware(end))
    except OverflowError:
        return False


def _covers(spans: list[tuple[int, int]], zone: ZoneInfo, start: datetime, end: datetime) -> bool:
    if end <= start or not spans:
        return False
    if spans[0] == (0, 2 * _WEEK_US):
        return True  # free around the clock
    if end - start > timedelta(days=7):
        return False  # longer than a week needs the whole week
    # Piece by piece, each with one UTC offset: on a switch day the wall clock jumps (spring)
    # or repeats an hour (autumn), and each side of the jump is read on its own.
    moment = start
    while moment < end:
        piece_end = end if end - moment <= timedelta(days=1) else moment + timedelta(days=1)
        piece_end = _offset_change(zone, moment, piece_end) or piece_end
        local = moment.astimezone(zone)
        first = (
            local.weekday() * _DAY_US
            + (local.hour * 3600 + local.minute * 60 + local.second) * 1_000_000
            + local.microsecond
        )
        last = first + (piece_end - moment) // timedelta(microseconds=1)
        if not any(low <= first and last <= high for low, high in spans):
            return False
        moment = piece_end
    return True
