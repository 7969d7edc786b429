"""Whether a meeting time lies inside a person's weekly windows (matching's `covers`, which the
review reads through matching's queries): their wall clock, daylight saving, midnight."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from services.matching.queries import Window, covers

BERLIN = "Europe/Berlin"
WORKDAYS = tuple(Window(day, 9 * 60, 17 * 60) for day in range(5))  # Mon-Fri 09:00-17:00


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_a_berlin_morning_is_inside_in_winter_and_in_summer_at_different_utc_hours() -> None:
    # 09:00 in Berlin is 08:00 UTC in January (CET) and 07:00 UTC in July (CEST).
    assert covers(WORKDAYS, BERLIN, _utc(2026, 1, 12, 8), _utc(2026, 1, 12, 9))
    assert covers(WORKDAYS, BERLIN, _utc(2026, 7, 13, 7), _utc(2026, 7, 13, 8))
    assert not covers(WORKDAYS, BERLIN, _utc(2026, 1, 12, 7), _utc(2026, 1, 12, 8))  # 08:00 CET
    # 16:00-17:00 UTC is 17:00-18:00 in winter (after hours), 18:00 in summer: outside both.
    assert not covers(WORKDAYS, BERLIN, _utc(2026, 1, 12, 16), _utc(2026, 1, 12, 17))
    assert covers(WORKDAYS, BERLIN, _utc(2026, 1, 12, 15), _utc(2026, 1, 12, 16))
    assert not covers(WORKDAYS, BERLIN, _utc(2026, 7, 13, 15), _utc(2026, 7, 13, 16))


def test_the_same_time_in_another_offset_is_the_same_instant() -> None:
    new_york = ZoneInfo("America/New_York")
    start = datetime(2026, 1, 12, 3, 0, tzinfo=new_york)  # 09:00 in Berlin
    assert covers(WORKDAYS, BERLIN, start, start + timedelta(hours=1))


def test_a_time_may_run_past_midnight_into_the_next_days_window() -> None:
    evenings = (Window(0, 22 * 60, 1440), Window(1, 0, 60))  # Mon 22:00-24:00, Tue 00:00-01:00
    # Mon 12 Jan 23:00 - Tue 00:30 in Berlin (22:00-23:30 UTC).
    assert covers(evenings, BERLIN, _utc(2026, 1, 12, 22), _utc(2026, 1, 12, 23, 30))
    assert not covers(evenings[:1], BERLIN, _utc(2026, 1, 12, 22), _utc(2026, 1, 12, 23, 30))
    # Sunday night into Monday wraps around the week.
    weekend = (Window(6, 22 * 60, 1440), Window(0, 0, 120))
    assert covers(weekend, "UTC", _utc(2026, 1, 11, 23), _utc(2026, 1, 12, 1))


def test_the_days_daylight_saving_changes_are_read_on_the_wall_clock() -> None:
    # Sun 29 Mar 2026: Berlin jumps from 02:00 to 03:00. 00:00-01:00 UTC is 01:00-03:00 local,
    # an hour of UTC that ends at 03:00 on their clock.
    night = (Window(6, 0, 3 * 60),)  # Sun 00:00-03:00
    assert covers(night, BERLIN, _utc(2026, 3, 29, 0), _utc(2026, 3, 29, 1))
    assert not covers(night, BERLIN, _utc(2026, 3, 29, 0), _utc(2026, 3, 29, 1, 1))
    # Sun 25 Oct 2026: 03:00 CEST falls back to 02:00 CET; 00:00-01:30 UTC is 02:00-02:59 CEST
    # and then 02:00-02:30 CET, inside a 02:00-03:00 window twice over.
    repeated = (Window(6, 2 * 60, 3 * 60),)
    assert covers(repeated, BERLIN, _utc(2026, 10, 25, 0), _utc(2026, 10, 25, 1, 30))
    assert not covers(repeated, BERLIN, _utc(2026, 10, 24, 23, 59), _utc(2026, 10, 25, 1))


def test_empty_reversed_and_unshowable_times_are_not_covered() -> None:
    always = tuple(Window(day, 0, 1440) for day in range(7))
    assert covers(always, BERLIN, _utc(2026, 1, 1), _utc(2026, 3, 1))  # free around the clock
    assert not covers((), BERLIN, _utc(2026, 1, 12, 8), _utc(2026, 1, 12, 9))
    assert not covers(WORKDAYS, BERLIN, _utc(2026, 1, 12, 9), _utc(2026, 1, 12, 8))
    far = datetime(9999, 12, 31, 22, tzinfo=UTC)
    assert not covers(WORKDAYS, "Asia/Tokyo", far, far + timedelta(hours=1))
    assert not covers(WORKDAYS, BERLIN, _utc(2026, 1, 5, 9), _utc(2026, 1, 14, 9))  # > a week


ZONES = ("UTC", BERLIN, "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe")
WINDOWS = st.lists(
    st.builds(
        lambda day, start, length: Window(day, start, min(start + length, 1440)),
        st.integers(0, 6),
        st.integers(0, 1439),
        st.integers(1, 600),
    ),
    max_size=6,
)


def _minute_by_minute(weekly: list[Window], tz: str, start: datetime, end: datetime) -> bool:
    zone = ZoneInfo(tz)
    moment = start
    while moment < end:
        local = moment.astimezone(zone)
        minute = local.weekday() * 1440 + local.hour * 60 + local.minute
        if not any(
            w.weekday * 1440 + w.start_minute <= minute < w.weekday * 1440 + w.end_minute
            for w in weekly
        ):
            return False
        moment += timedelta(minutes=1)
    return True


@settings(max_examples=200, deadline=None)
@given(
    weekly=WINDOWS,
    tz=st.sampled_from(ZONES),
    # Minute-aligned starts through 2026, switch days included; up to 16 hours long.
    offset=st.integers(0, 365 * 1440),
    length=st.integers(1, 16 * 60),
)
def test_covers_agrees_with_a_minute_by_minute_walk(
    weekly: list[Window], tz: str, offset: int, length: int
) -> None:
    start = _utc(2026, 1, 1) + timedelta(minutes=offset)
    end = start + timedelta(minutes=length)
    assert covers(weekly, tz, start, end) == _minute_by_minute(weekly, tz, start, end)
