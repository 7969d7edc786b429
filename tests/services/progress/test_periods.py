"""Evaluation periods: whole UTC days, back to back from the mentorship's start."""

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.progress import periods

DAY = timedelta(days=1)
STARTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
INTERVALS = st.integers(min_value=1, max_value=365)


def test_a_thirty_day_interval_from_a_late_evening_start() -> None:
    started = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    first = periods.period_containing(started, 30, started)
    assert (first.index, first.start, first.end) == (0, date(2026, 3, 1), date(2026, 3, 31))
    assert first.last_day == date(2026, 3, 30)
    # The next day at 00:00 UTC is still period 0; period 1 begins on day 30, at midnight.
    assert (
        periods.period_containing(started, 30, started + 30 * DAY - timedelta(hours=24)).index == 0
    )
    assert (
        periods.period_containing(started, 30, datetime(2026, 3, 30, 23, 59, tzinfo=UTC)).index == 0
    )
    second = periods.period_containing(started, 30, datetime(2026, 3, 31, 0, 0, tzinfo=UTC))
    assert (second.index, second.start, second.end) == (1, date(2026, 3, 31), date(2026, 4, 30))


def test_days_are_utc_days_whatever_the_offset_of_the_moment() -> None:
    # 00:30 in Berlin on 1 March is still 28 February in UTC.
    berlin = timezone(timedelta(hours=1))
    started = datetime(2026, 3, 1, 0, 30, tzinfo=berlin)
    assert periods.period_at(started, 7, 0).start == date(2026, 2, 28)
    assert periods.utc_day(datetime(2026, 3, 1, 12)) == date(2026, 3, 1)  # naive: UTC


def test_a_moment_before_the_start_is_in_period_0_and_bad_intervals_are_refused() -> None:
    started = datetime(2026, 3, 10, tzinfo=UTC)
    assert periods.period_containing(started, 30, started - 40 * DAY).index == 0
    with pytest.raises(ValueError):
        periods.period_containing(started, 0, started)
    with pytest.raises(ValueError):
        periods.period_at(started, 30, -1)


def test_the_interval_is_the_programs_else_the_default_programs_else_30() -> None:
    own, default, gone = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    intervals = {own: 14, default: 60}
    assert periods.interval_of(own, intervals, default) == 14
    assert periods.interval_of(None, intervals, default) == 60
    assert periods.interval_of(gone, intervals, default) == 60
    assert periods.interval_of(gone, {}, None) == periods.DEFAULT_INTERVAL_DAYS == 30


@given(
    started=STARTS,
    interval=INTERVALS,
    offset=st.timedeltas(min_value=timedelta(0), max_value=3000 * DAY),
)
def test_the_period_of_a_moment_contains_it_and_starts_on_a_boundary(
    started: datetime, interval: int, offset: timedelta
) -> None:
    moment = started + offset
    period = periods.period_containing(started, interval, moment)
    assert period.start <= moment.date() < period.end
    assert (period.end - period.start).days == interval
    assert period.start == started.date() + period.index * interval * DAY
    assert period == periods.period_at(started, interval, period.index)


@given(started=STARTS, interval=INTERVALS, index=st.integers(min_value=0, max_value=500))
def test_periods_follow_each_other_without_gap_or_overlap(
    started: datetime, interval: int, index: int
) -> None:
    this = periods.period_at(started, interval, index)
    following = periods.period_at(started, interval, index + 1)
    assert this.end == following.start and this.last_day < following.start
    # Every day of a period is in it, and the day after its last is in the next one.
    at = datetime.combine(this.last_day, datetime.min.time(), UTC) + timedelta(hours=23)
    assert periods.period_containing(started, interval, at) == this
    assert periods.period_containing(started, interval, at + timedelta(hours=1)) == following


@given(
    started=STARTS,
    interval=INTERVALS,
    earlier=st.timedeltas(min_value=timedelta(0), max_value=900 * DAY),
    later=st.timedeltas(min_value=timedelta(0), max_value=900 * DAY),
)
def test_time_never_goes_back_to_an_earlier_period(
    started: datetime, interval: int, earlier: timedelta, later: timedelta
) -> None:
    first, second = sorted([earlier, later])
    assert (
        periods.period_containing(started, interval, started + first).index
        <= periods.period_containing(started, interval, started + second).index
    )
