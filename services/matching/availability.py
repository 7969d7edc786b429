"""Weekly availability across time zones: hours per week two people are both free.

A person's windows are in their own wall clock; overlap is counted in UTC for the actual week
(Monday 00:00 UTC onwards) that contains `as_of`, so daylight saving is included: Berlin and New
York, both 09:00-17:00, share 2 h a day in May and 3 h in the March weeks between the US and the
EU switches.

Time is read at a quarter-hour grid (every zone in use today is a multiple of 15 minutes from
UTC): a UTC quarter hour counts for a person when its start, on their wall clock, falls inside
one of their windows. `overlap_hours` walks the week slot by slot; `WeekMask`/`mentee_layers`
are the vectorised form scoring uses over many mentors at once, and agree exactly with it.

A missing time zone means UTC; so does a zone name the tz database does not know (profiles
validate zones on write, so this only guards old or foreign data from crashing a match).
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from services.matching.features import Window

SLOT_MINUTES = 15
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES  # 96
SLOTS_PER_WEEK = 7 * SLOTS_PER_DAY  # 672
WORDS = (SLOTS_PER_WEEK + 63) // 64  # 11 uint64 words per week mask


@lru_cache(maxsize=1024)
def person_zone(name: str | None) -> ZoneInfo:
    """The zone a person's windows are read in: their IANA zone, UTC when none or unknown."""
    if not name:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _aware(as_of: datetime) -> datetime:
    return as_of.replace(tzinfo=UTC) if as_of.tzinfo is None else as_of.astimezone(UTC)


def week_start(as_of: datetime) -> datetime:
    """Monday 00:00 UTC of the UTC week that contains `as_of` (a naive `as_of` is UTC)."""
    moment = _aware(as_of)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def utc_offset_hours(tz: str | None, as_of: datetime) -> float:
    """The zone's offset from UTC at that instant, in hours (Berlin in May: 2.0)."""
    offset = _aware(as_of).astimezone(person_zone(tz)).utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else 0.0


def timezone_distance_hours(a_tz: str | None, b_tz: str | None, as_of: datetime) -> float:
    """How far apart two wall clocks are at that instant, 0-12 hours (around the clock:
    UTC+12 and UTC-11 are 1 hour apart)."""
    distance = abs(utc_offset_hours(a_tz, as_of) - utc_offset_hours(b_tz, as_of)) % 24
    return min(distance, 24 - distance)


@lru_cache(maxsize=4096)
def local_slots(tz: str | None, week: datetime) -> np.ndarray:
    """For each UTC quarter hour of the week starting at `week`, the person's wall-clock slot
    (weekday * 96 + quarter of the day), int16[672]. A rotation unless a transition falls in
    the week; computed once per zone and week."""
    zone = person_zone(tz)
    slots = np.empty(SLOTS_PER_WEEK, dtype=np.int16)
    step = timedelta(minutes=SLOT_MINUTES)
    moment = week
    for index in range(SLOTS_PER_WEEK):
        local = moment.astimezone(zone)
        slots[index] = local.weekday() * SLOTS_PER_DAY + (local.hour * 60 + local.minute) // 15
        moment += step
    slots.flags.writeable = False
    return slots


def _local_bits(windows: Iterable[Window]) -> np.ndarray:
    """bool[672]: which wall-clock quarter hours of a week the windows cover."""
    bits = np.zeros(SLOTS_PER_WEEK, dtype=bool)
    for window in windows:
        if not 0 <= window.weekday <= 6:
            continue
        first = -(-max(window.start_minute, 0) // SLOT_MINUTES)  # first slot starting inside
        last = -(-min(window.end_minute, 1440) // SLOT_MINUTES)  # slots starting before the end
        if last > first:
            base = window.weekday * SLOTS_PER_DAY
            bits[base + first : base + last] = True
    return bits


def _pack(bits: np.ndarray) -> np.ndarray:
    """bool[672] -> uint64[11], slot i at bit i % 64 of word i // 64."""
    padded = np.zeros(WORDS * 64, dtype=bool)
    padded[: bits.shape[0]] = bits
    return np.packbits(padded.reshape(WORDS, 64), axis=1, bitorder="little").view(np.uint64)[:, 0]


def week_mask(windows: Iterable[Window]) -> np.ndarray:
    """A person's windows in their own wall-clock frame, uint64[11]: what MentorArrays stores
    per mentor (independent of the date, so it never goes stale)."""
    return _pack(_local_bits(windows))


def utc_bits(windows: Sequence[Window], tz: str | None, as_of: datetime) -> np.ndarray:
    """bool[672]: the UTC quarter hours of `as_of`'s week in which the person is available."""
    bits: np.ndarray = _local_bits(windows)[local_slots(tz, week_start(as_of))]
    return bits


def slot_table(zones: Sequence[str | None], week: datetime) -> np.ndarray:
    """`local_slots` of each zone for one week, int16[zones, 672] (callers cache it per week)."""
    if not zones:
        return np.zeros((0, SLOTS_PER_WEEK), dtype=np.int16)
    return np.stack([local_slots(zone, week) for zone in zones])


def mentee_layers(
    windows: Sequence[Window],
    tz: str | None,
    zones: Sequence[str | None],
    as_of: datetime,
    *,
    table: np.ndarray | None = None,
) -> np.ndarray:
    """The mentee's week re-expressed in each mentor zone's wall clock: uint64[layers, zones,
    11]. Overlap with a mentor of zone z = sum over layers of popcount(layer[z] & mentor mask).

    Without a transition in the week, a zone's wall clock is a rotation of UTC and one layer is
    exact. When a transition falls in the week, one wall-clock slot can stand for two UTC
    quarter hours (the repeated hour in autumn, or the week's wrap-around after a spring
    change); layer d holds the slots hit more than d times, so nothing is counted too few
    times. `table`: `slot_table(zones, week_start(as_of))`, when the caller has it cached.
    """
    if table is None:
        table = slot_table(zones, week_start(as_of))
    available = np.flatnonzero(utc_bits(windows, tz, as_of))
    zone_count = table.shape[0]
    flat = (
        np.arange(zone_count, dtype=np.int64)[:, None] * SLOTS_PER_WEEK
        + table[:, available].astype(np.int64)
    ).ravel()
    counts = np.bincount(flat, minlength=zone_count * SLOTS_PER_WEEK).reshape(
        zone_count, SLOTS_PER_WEEK
    )
    depth = max(int(counts.max(initial=0)), 1)
    padded = np.zeros((depth, zone_count, WORDS * 64), dtype=bool)
    for layer in range(depth):
        padded[layer, :, :SLOTS_PER_WEEK] = counts > layer
    packed = np.packbits(padded.reshape(depth, zone_count, WORDS, 64), axis=-1, bitorder="little")
    return np.ascontiguousarray(packed).view(np.uint64).reshape(depth, zone_count, WORDS)


def overlap_hours(
    a: Sequence[Window], a_tz: str | None, b: Sequence[Window], b_tz: str | None, as_of: datetime
) -> float:
    """Hours per week both are available, counted in UTC over the week containing `as_of`."""
    both = utc_bits(a, a_tz, as_of) & utc_bits(b, b_tz, as_of)
    return int(both.sum()) * SLOT_MINUTES / 60


def overlap_slots_many(
    masks: np.ndarray, layers: np.ndarray, zone_of: np.ndarray, *, rows: int | None = None
) -> np.ndarray:
    """Vectorised overlap in quarter hours, uint16[n]. `masks`: uint64[11, capacity], word by
    word (column-major, so every pass runs over one long contiguous array; numpy is slow
    over a short last axis of 11), each mentor in their own wall clock; `zone_of`: int[n],
    the zone index of each of the first n rows into `layers` (from `mentee_layers`).

    Per word: the mentee's word in each row's zone (a take from a table of zones), AND, popcount;
    words where the mentee has no bit in any zone are skipped."""
    n = zone_of.shape[0] if rows is None else rows
    slots = np.zeros(n, dtype=np.uint16)
    buffer = np.empty(n, dtype=np.uint64)
    counts = np.empty(n, dtype=np.uint8)
    for layer in layers:
        by_word = np.ascontiguousarray(layer.T)  # [11, zones]
        for word in np.flatnonzero(by_word.any(axis=1)).tolist():
            np.take(by_word[word], zone_of, out=buffer, mode="clip")
            np.bitwise_and(buffer, masks[word, :n], out=buffer)
            np.bitwise_count(buffer, out=counts)
            slots += counts
    return slots


def overlap_hours_many(masks: np.ndarray, layers: np.ndarray, zone_of: np.ndarray) -> np.ndarray:
    """`overlap_slots_many` in hours per week, float32[n]; `masks` uint64[11, n]."""
    slots = overlap_slots_many(masks, layers, zone_of)
    return slots.astype(np.float32) * np.float32(SLOT_MINUTES / 60)


# --- whether a meeting time fits a person's week --------------------------------------------

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
        return _covers(_week_spans(weekly), person_zone(tz), _aware(start), _aware(end))
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
