"""Weekly availability across time zones, daylight saving included."""

from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from services.matching import availability
from services.matching.availability import (
    mentee_layers,
    overlap_hours,
    overlap_hours_many,
    timezone_distance_hours,
    utc_offset_hours,
    week_mask,
)
from services.matching.features import Window

OFFICE = tuple(Window(day, 9 * 60, 17 * 60) for day in range(5))
MAY = datetime(2026, 5, 6, 12, tzinfo=UTC)
MARCH_GAP = datetime(2026, 3, 18, 12, tzinfo=UTC)  # US already on summer time, EU not yet


def test_berlin_and_new_york_office_hours_overlap_two_hours_a_day_in_may() -> None:
    assert overlap_hours(OFFICE, "Europe/Berlin", OFFICE, "America/New_York", MAY) == 10.0


def test_they_overlap_three_hours_a_day_between_the_us_and_eu_switches() -> None:
    assert overlap_hours(OFFICE, "Europe/Berlin", OFFICE, "America/New_York", MARCH_GAP) == 15.0


def test_a_missing_zone_is_utc_and_an_unknown_one_does_not_crash() -> None:
    assert overlap_hours(OFFICE, None, OFFICE, "UTC", MAY) == 40.0
    assert overlap_hours(OFFICE, "Mars/Olympus", OFFICE, None, MAY) == 40.0
    assert utc_offset_hours(None, MAY) == 0.0


def test_windows_across_the_week_boundary_count_in_the_utc_week() -> None:
    # Sunday 22:00-24:00 in Tokyo is Sunday 13:00-15:00 UTC; Monday 00:00-02:00 in Tokyo is
    # Sunday 15:00-17:00 UTC: all of it in one UTC week, none lost at the wrap.
    tokyo = (Window(6, 22 * 60, 24 * 60), Window(0, 0, 2 * 60))
    utc = (Window(6, 13 * 60, 17 * 60),)
    assert overlap_hours(tokyo, "Asia/Tokyo", utc, None, MAY) == 4.0


def test_offsets_and_circular_distance() -> None:
    assert utc_offset_hours("Europe/Berlin", MAY) == 2.0
    assert utc_offset_hours("Asia/Kolkata", MAY) == 5.5
    assert timezone_distance_hours("Europe/Berlin", "America/New_York", MAY) == 6.0
    assert timezone_distance_hours("Pacific/Auckland", "Pacific/Honolulu", MAY) == 2.0
    assert timezone_distance_hours("Pacific/Kiritimati", "Pacific/Pago_Pago", MAY) == 1.0


def test_windows_are_read_at_the_quarter_hour() -> None:
    # 09:10-10:00 covers the quarters starting 09:15, 09:30 and 09:45.
    assert overlap_hours((Window(0, 550, 600),), None, (Window(0, 0, 1440),), None, MAY) == 0.75


ZONES = [
    None,
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # a 30-minute daylight-saving shift
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "America/St_Johns",
]
# Dates around transitions (EU, US, southern hemisphere) and a plain week.
DATES = st.sampled_from(
    [
        datetime(2026, 3, 9, 3, tzinfo=UTC),
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        datetime(2026, 4, 5, 12, tzinfo=UTC),
        datetime(2026, 10, 25, 1, tzinfo=UTC),
        datetime(2026, 11, 1, 6, tzinfo=UTC),
        datetime(2026, 9, 27, 12, tzinfo=UTC),
        datetime(2026, 7, 1, tzinfo=UTC),
    ]
)
WINDOWS = st.lists(
    st.builds(
        lambda day, start, length: Window(day, start, min(start + length, 1440)),
        st.integers(0, 6),
        st.integers(0, 1439),
        st.integers(1, 1440),
    ),
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(
    mentee=WINDOWS,
    mentee_zone=st.sampled_from(ZONES),
    mentors=st.lists(st.tuples(WINDOWS, st.sampled_from(ZONES)), min_size=1, max_size=6),
    as_of=DATES,
)
def test_the_vectorised_overlap_agrees_exactly_with_overlap_hours(
    mentee: list[Window],
    mentee_zone: str | None,
    mentors: list[tuple[list[Window], str | None]],
    as_of: datetime,
) -> None:
    zones = list(dict.fromkeys(zone for _, zone in mentors))
    layers = mentee_layers(mentee, mentee_zone, zones, as_of)
    masks = np.stack([week_mask(windows) for windows, _ in mentors], axis=1)
    zone_of = np.array([zones.index(zone) for _, zone in mentors])
    fast = overlap_hours_many(masks, layers, zone_of)
    slow = [overlap_hours(mentee, mentee_zone, windows, zone, as_of) for windows, zone in mentors]
    assert fast.tolist() == slow


def test_a_fall_back_week_counts_the_repeated_hour_twice() -> None:
    # Berlin's 02:00-03:00 happens twice on 25 Oct 2026; someone free all Sunday in Berlin
    # is free 25 hours that day, and a UTC person free all day Sunday shares all of it.
    sunday = (Window(6, 0, 1440),)
    october = datetime(2026, 10, 25, 12, tzinfo=UTC)
    berlin_utc = availability.utc_bits(sunday, "Europe/Berlin", october)
    assert berlin_utc.sum() == 25 * 4
    layers = mentee_layers(
        (Window(6, 0, 1440), Window(5, 0, 1440)), None, ["Europe/Berlin"], october
    )
    assert layers.shape[0] == 2  # the repeated hour needs a second layer
    fast = overlap_hours_many(week_mask(sunday)[:, None], layers, np.array([0]))
    assert fast.tolist() == [
        overlap_hours(
            sunday, "Europe/Berlin", (Window(6, 0, 1440), Window(5, 0, 1440)), None, october
        )
    ]
