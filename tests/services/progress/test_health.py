"""The health of a mentorship (pure): each flag on both sides of its default thresholds, its
severity, the evidence and suggestion a person acts on, the score, strengths, a season that
degrades and recovers, a program's own thresholds, and invariants over arbitrary histories."""

import json
import random
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.progress.health import (
    KINDS,
    CheckIn,
    Evaluation,
    EvaluationRequest,
    Facts,
    Flag,
    Goal,
    Health,
    InvalidThresholds,
    Meeting,
    Milestone,
    Thresholds,
    assess,
    at_risk_kinds,
    flag_changes,
)

NOW = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
MIGRATION = uuid.UUID(int=1)
TALKS = uuid.UUID(int=2)
GOOD = {"communication": 4, "engagement": 4, "time_commitment": 4, "goal_fit": 4, "overall": 4}


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def held_every(cadence: int, since_days: int, first_days_ago: int = 3) -> list[Meeting]:
    """Held meetings on the cadence, the latest `first_days_ago` days ago."""
    return [Meeting(ago(day), "held") for day in range(first_days_ago, since_days, cadence)]


def evaluations(
    period: date,
    submitted_days_ago: float,
    mentee: dict[str, int] | None = None,
    mentor: dict[str, int] | None = None,
    progress: dict[uuid.UUID, int] | None = None,
) -> list[Evaluation]:
    return [
        Evaluation(period, side, ago(submitted_days_ago), ratings, progress or {})
        for side, ratings in (("mentee", mentee or GOOD), ("mentor", mentor or GOOD))
    ]


# A mentorship going well: a meeting every two weeks for half a year, the latest 3 days ago;
# two check-ins, a milestone, a goal revised last month that moves between evaluations, both
# sides evaluating every month and answering the requests.
HEALTHY = Facts(
    now=NOW,
    started_at=ago(200),
    cadence_interval_days=14,
    evaluation_interval_days=30,
    meetings=held_every(14, 200),
    check_ins=[CheckIn(ago(10), "mentee"), CheckIn(ago(24), "mentor")],
    milestones=[Milestone(ago(12).date(), MIGRATION)],
    goals=[
        Goal(
            MIGRATION,
            "Lead the checkout migration",
            progress=60,
            last_revised_at=ago(40),
            in_mentor_expertise=True,
        )
    ],
    evaluations=[
        *evaluations(date(2026, 2, 1), 33, progress={MIGRATION: 40}),
        *evaluations(date(2026, 3, 1), 4, progress={MIGRATION: 60}),
    ],
    evaluation_requests=[
        EvaluationRequest(ago(35), "mentee", True),
        EvaluationRequest(ago(35), "mentor", True),
        EvaluationRequest(ago(6), "mentee", True),
        EvaluationRequest(ago(6), "mentor", True),
    ],
)


def flags(facts: Facts, thresholds: Thresholds = Thresholds()) -> dict[str, Flag]:
    return {flag.kind: flag for flag in assess(facts, thresholds).flags}


def flag(facts: Facts, kind: str, thresholds: Thresholds = Thresholds()) -> Flag | None:
    return flags(facts, thresholds).get(kind)


def with_meetings(*extra: Meeting, base: Facts = HEALTHY) -> Facts:
    return replace(base, meetings=[*base.meetings, *extra])


# --- a healthy mentorship ------------------------------------------------------------------


def test_a_healthy_mentorship_scores_full_with_its_strengths_and_no_flags() -> None:
    health = assess(HEALTHY)

    assert health.flags == []
    assert health.score == 100
    assert health.strengths == [
        "Meetings are regular: 5 held in the last 60 days on a 14-day cadence.",
        "1 milestone shared in the last 60 days.",
        "Goals reviewed recently: 1 goal revised in the last 60 days.",
        "Both of you evaluated the period from 1 Mar.",
        "2 written check-ins in the last 60 days.",
    ]


def test_a_new_mentorship_is_not_flagged_before_its_first_cadence_has_passed() -> None:
    new = Facts(now=NOW, started_at=ago(10), cadence_interval_days=14)

    assert assess(new) == Health(score=100, flags=[], strengths=[])


# --- time_constraints ------------------------------------------------------------------------


def test_one_missed_meeting_in_60_days_is_not_a_pattern() -> None:
    assert flag(with_meetings(Meeting(ago(10), "missed")), "time_constraints") is None


def test_two_meetings_not_held_in_60_days_raise_time_constraints_quoting_them() -> None:
    found = flag(
        with_meetings(Meeting(ago(10), "missed"), Meeting(ago(24), "cancelled")),
        "time_constraints",
    )

    assert found is not None
    assert found.severity == "warning"
    assert found.evidence == {
        "window_days": 60,
        "not_held": 2,
        "missed": 1,
        "cancelled": 1,
        "rescheduled": 0,
        "not_held_on": ["2026-03-06", "2026-03-20"],
    }
    assert found.suggestion.startswith(
        "2 of the 7 meetings of the last 60 days did not happen as planned "
        "(cancelled 6 Mar and missed 20 Mar): agree a fixed slot"
    )
    assert "every 28 days" in found.suggestion


def test_a_meeting_missed_61_days_ago_is_outside_the_window() -> None:
    facts = with_meetings(Meeting(ago(10), "rescheduled"), Meeting(ago(61), "missed"))

    assert flag(facts, "time_constraints") is None
    assert flag(with_meetings(Meeting(ago(59), "missed"), base=facts), "time_constraints")


def test_four_meetings_not_held_in_60_days_are_critical() -> None:
    three = with_meetings(*(Meeting(ago(day), "missed") for day in (5, 12, 19)))
    four = with_meetings(Meeting(ago(26), "rescheduled"), base=three)

    assert flag(three, "time_constraints").severity == "warning"  # type: ignore[union-attr]
    assert flag(four, "time_constraints").severity == "critical"  # type: ignore[union-attr]


def test_held_meetings_under_half_of_what_the_cadence_plans_raise_time_constraints() -> None:
    # 60 days on a 14-day cadence plan 4 meetings: 2 held is half, 1 is under it.
    def held(*days: int) -> Facts:
        return replace(HEALTHY, meetings=[Meeting(ago(day), "held") for day in days])

    assert flag(held(5, 33), "time_constraints") is None
    found = flag(held(5), "time_constraints")
    assert found is not None
    assert found.severity == "warning"
    assert found.evidence == {
        "held": 1,
        "planned": 4,
        "held_window_days": 60,
        "cadence_days": 14,
    }
    assert found.suggestion.startswith(
        "1 meeting held in the last 60 days where a 14-day cadence plans 4"
    )
    nothing = flag(held(), "time_constraints")
    assert nothing is not None
    assert nothing.severity == "critical"
    assert nothing.suggestion.startswith("No meetings held in the last 60 days")


def test_the_held_share_counts_only_the_days_the_mentorship_has_run() -> None:
    # 30 days old on a 14-day cadence: 2 planned, and 1 held is half of them.
    young = Facts(
        now=NOW,
        started_at=ago(30),
        cadence_interval_days=14,
        meetings=[Meeting(ago(3), "held")],
        evaluations=evaluations(date(2026, 3, 1), 3),
    )

    assert flag(young, "time_constraints") is None
    assert flag(replace(young, cadence_interval_days=7), "time_constraints") is not None


# --- misaligned_goals ----------------------------------------------------------------------


def with_latest(mentee: dict[str, int], mentor: dict[str, int] | None = None) -> Facts:
    """HEALTHY, its latest evaluations rated so."""
    return replace(
        HEALTHY,
        evaluations=[
            *HEALTHY.evaluations[:2],
            *evaluations(
                date(2026, 3, 1), 4, {**GOOD, **mentee}, {**GOOD, **(mentor or {})}, {MIGRATION: 60}
            ),
        ],
    )


def test_a_goal_fit_rating_of_2_raises_misaligned_goals_and_3_does_not() -> None:
    assert flag(with_latest({"goal_fit": 3}), "misaligned_goals") is None
    found = flag(with_latest({"goal_fit": 2}), "misaligned_goals")
    assert found is not None
    assert found.severity == "warning"
    assert found.evidence == {"goal_fit_ratings": {"mentee": 2}}
    assert found.suggestion.startswith("In the latest evaluation the mentee rated goal fit 2 of 5")


def test_a_goal_fit_rating_of_1_is_critical() -> None:
    found = flag(with_latest({"goal_fit": 2}, {"goal_fit": 1}), "misaligned_goals")

    assert found is not None
    assert found.severity == "critical"
    assert found.evidence == {"goal_fit_ratings": {"mentee": 2, "mentor": 1}}


def test_a_later_evaluation_that_rates_goal_fit_better_clears_the_flag() -> None:
    low = with_latest({"goal_fit": 1})
    better = replace(
        low,
        now=NOW + timedelta(days=30),
        meetings=[*low.meetings, Meeting(NOW + timedelta(days=14), "held")],
        evaluations=[
            *low.evaluations,
            *evaluations(date(2026, 4, 1), -28, progress={MIGRATION: 80}),
        ],
    )

    assert flag(low, "misaligned_goals") is not None
    assert flag(better, "misaligned_goals") is None


def progress_over(*values: int, revised_days_ago: float | None = None) -> Facts:
    """HEALTHY with the goal's progress, as both sides report it, over monthly periods ending
    with March's."""
    periods = [date(2026, 3 - back, 1) for back in range(len(values) - 1, -1, -1)]
    return replace(
        HEALTHY,
        goals=[replace(HEALTHY.goals[0], last_revised_at=ago(revised_days_ago or 400))],
        evaluations=[
            evaluation
            for back, (period, value) in enumerate(
                zip(reversed(periods), reversed(values), strict=True)
            )
            for evaluation in evaluations(period, 4 + 30 * back, progress={MIGRATION: value})
        ],
    )


def test_progress_flat_across_two_evaluations_raises_misaligned_goals() -> None:
    found = flag(progress_over(40, 40), "misaligned_goals")

    assert found is not None
    assert found.severity == "warning"
    assert found.evidence == {
        "flat_goals": [
            {
                "goal_id": str(MIGRATION),
                "title": "Lead the checkout migration",
                "periods": ["2026-02-01", "2026-03-01"],
                "progress": [40, 40],
            }
        ]
    }
    assert found.suggestion.startswith(
        "'Lead the checkout migration' has not moved past 40% over the evaluations of 1 Feb and "
        "1 Mar: revise it together"
    )


def test_progress_that_moves_or_has_one_evaluation_is_not_flat() -> None:
    assert flag(progress_over(40, 45), "misaligned_goals") is None
    assert flag(progress_over(40), "misaligned_goals") is None
    # Only the last two periods count: it stalled once, then moved.
    assert flag(progress_over(30, 30, 50), "misaligned_goals") is None


def test_a_goal_revised_since_the_first_of_the_evaluations_is_not_compared_across_them() -> None:
    # The February evaluation was submitted 34 days ago; the goal was redefined after it.
    assert flag(progress_over(40, 40, revised_days_ago=20), "misaligned_goals") is None
    assert flag(progress_over(40, 40, revised_days_ago=40), "misaligned_goals") is not None


def test_an_achieved_goal_is_not_flat() -> None:
    facts = progress_over(40, 40)
    achieved = replace(facts, goals=[replace(facts.goals[0], status="achieved")])

    assert flag(achieved, "misaligned_goals") is None


def test_goals_outside_the_mentors_expertise_are_an_early_sign_until_all_of_them_are() -> None:
    rust = Goal(TALKS, "Learn Rust", in_mentor_expertise=False)
    unknown = Goal(TALKS, "Learn Rust", in_mentor_expertise=None)

    assert flag(replace(HEALTHY, goals=[*HEALTHY.goals, unknown]), "misaligned_goals") is None
    some = flag(replace(HEALTHY, goals=[*HEALTHY.goals, rust]), "misaligned_goals")
    assert some is not None
    assert some.severity == "info"
    assert some.evidence == {
        "goals_outside_expertise": [{"goal_id": str(TALKS), "title": "Learn Rust"}],
        "active_goals": 2,
    }
    assert some.suggestion.startswith("'Learn Rust' is outside the mentor's expertise")
    every = flag(replace(HEALTHY, goals=[rust]), "misaligned_goals")
    assert every is not None
    assert every.severity == "warning"


def test_several_goals_are_quoted_in_the_same_order_whatever_order_they_come_in() -> None:
    rust = Goal(TALKS, "Learn Rust", in_mentor_expertise=False)
    hiring = Goal(uuid.UUID(int=3), "Hire two engineers", in_mentor_expertise=False)
    one = flag(replace(HEALTHY, goals=[rust, hiring]), "misaligned_goals")
    other = flag(replace(HEALTHY, goals=[hiring, rust]), "misaligned_goals")

    assert one == other
    assert one is not None
    assert one.suggestion.startswith(
        "'Hire two engineers' and 'Learn Rust' are outside the mentor's expertise"
    )


# --- communication_barriers ----------------------------------------------------------------


def test_a_communication_rating_of_2_raises_communication_barriers_and_3_does_not() -> None:
    assert flag(with_latest({"communication": 3}), "communication_barriers") is None
    found = flag(with_latest({"communication": 2}, {"communication": 3}), "communication_barriers")
    assert found is not None
    assert found.severity == "warning"
    assert found.evidence == {"communication_ratings": {"mentee": 2}}
    assert found.suggestion.startswith(
        "The mentee rated communication 2 of 5 for the period from 1 Mar: open the next meeting"
    )


def test_a_communication_rating_of_1_is_critical() -> None:
    found = flag(with_latest({}, {"communication": 1}), "communication_barriers")

    assert found is not None
    assert found.severity == "critical"


def test_ratings_two_points_apart_raise_communication_barriers_and_one_point_does_not() -> None:
    assert flag(with_latest({"overall": 3}, {"overall": 4}), "communication_barriers") is None
    found = flag(with_latest({"overall": 3}, {"overall": 5}), "communication_barriers")

    assert found is not None
    assert found.severity == "warning"
    assert found.evidence == {
        "period_start": "2026-03-01",
        "ratings_apart": {"overall": {"mentee": 3, "mentor": 5}},
    }
    assert "(overall 3 by the mentee and 5 by the mentor)" in found.suggestion


def test_ratings_of_different_periods_are_not_compared() -> None:
    facts = replace(
        HEALTHY,
        evaluations=[
            Evaluation(date(2026, 2, 1), "mentor", ago(33), {**GOOD, "overall": 5}),
            Evaluation(date(2026, 3, 1), "mentee", ago(4), {**GOOD, "overall": 2}),
        ],
    )

    assert flag(facts, "communication_barriers") is None


# --- lack_of_engagement --------------------------------------------------------------------


def last_met(days_ago: int, **changes: object) -> Facts:
    """HEALTHY, its latest meeting `days_ago` and, unless changed, no check-ins."""
    facts = replace(HEALTHY, meetings=held_every(14, 200, first_days_ago=days_ago), check_ins=[])
    return replace(facts, **changes)  # type: ignore[arg-type]


def test_no_meeting_for_twice_the_cadence_raises_lack_of_engagement() -> None:
    assert flag(last_met(27), "lack_of_engagement") is None
    found = flag(last_met(28), "lack_of_engagement")

    assert found is not None
    assert found.severity == "warning"
    assert found.evidence == {
        "last_contact_on": "2026-03-02",
        "days_without_contact": 28,
        "cadence_days": 14,
    }
    assert found.suggestion.startswith(
        "No meeting or check-in for 28 days (since 2 Mar) where you agreed to meet every 14: "
        "send a short check-in this week"
    )


def test_silence_for_three_cadences_is_critical() -> None:
    assert flag(last_met(41), "lack_of_engagement").severity == "warning"  # type: ignore[union-attr]
    assert flag(last_met(42), "lack_of_engagement").severity == "critical"  # type: ignore[union-attr]


def test_a_written_check_in_counts_as_contact() -> None:
    silent = flag(last_met(35), "lack_of_engagement")
    written = flag(last_met(35, check_ins=[CheckIn(ago(5), "mentor")]), "lack_of_engagement")

    assert silent is not None
    assert silent.evidence["days_without_contact"] == 35
    # What is left is the early sign of fewer meetings than before, not silence.
    assert written is not None
    assert written.severity == "info"
    assert "days_without_contact" not in written.evidence


def test_without_an_agreed_cadence_the_default_of_14_days_applies() -> None:
    found = flag(last_met(28, cadence_interval_days=None), "lack_of_engagement")

    assert found is not None
    assert found.evidence["cadence_days"] == 14


def test_a_mentorship_that_never_met_is_silent_since_it_started() -> None:
    never = Facts(now=NOW, started_at=ago(30), cadence_interval_days=14)
    found = flag(never, "lack_of_engagement")

    assert found is not None
    assert found.evidence["last_contact_on"] is None
    assert found.suggestion.startswith(
        "No meeting or check-in for 30 days (since the mentorship started)"
    )


def test_falling_meeting_frequency_is_an_early_sign() -> None:
    # Weekly: 8 held in the 60 days before the last 60; then 6 (three quarters) or 5.
    before = [Meeting(ago(day), "held") for day in range(63, 119, 7)]

    def recently(count: int) -> Facts:
        return replace(
            HEALTHY,
            cadence_interval_days=7,
            meetings=[*before, *(Meeting(ago(day), "held") for day in range(2, 2 + 7 * count, 7))],
        )

    assert len(before) == 8
    assert flag(recently(6), "lack_of_engagement") is None
    found = flag(recently(5), "lack_of_engagement")
    assert found is not None
    assert found.severity == "info"
    assert found.evidence == {
        "held_recent": 5,
        "held_previous": 8,
        "frequency_window_days": 60,
    }
    assert found.suggestion.startswith(
        "5 meetings held in the last 60 days against 8 in the 60 before"
    )


def test_two_evaluation_requests_unanswered_after_a_week_raise_lack_of_engagement() -> None:
    def unanswered(*days: float) -> Facts:
        return replace(
            HEALTHY,
            evaluation_requests=[
                *HEALTHY.evaluation_requests,
                *(EvaluationRequest(ago(day), "mentee", False) for day in days),
            ],
        )

    assert flag(unanswered(40), "lack_of_engagement") is None
    assert flag(unanswered(40, 6), "lack_of_engagement") is None  # the second is 6 days old
    found = flag(unanswered(40, 7), "lack_of_engagement")
    assert found is not None
    assert found.severity == "warning"
    assert found.evidence == {
        "unanswered_requests": {"mentee": 2, "mentor": 0},
        "unanswered_requested_on": ["2026-02-18", "2026-03-23"],
    }
    assert found.suggestion.startswith(
        "The mentee has 2 evaluation requests unanswered (18 Feb and 23 Mar)"
    )


# --- evaluation_overdue --------------------------------------------------------------------


def last_evaluated(days_ago: float) -> Facts:
    return replace(HEALTHY, evaluations=evaluations(date(2026, 2, 1), days_ago))


def test_no_evaluation_for_longer_than_the_interval_is_overdue() -> None:
    assert flag(last_evaluated(30), "evaluation_overdue") is None
    found = flag(last_evaluated(31), "evaluation_overdue")

    assert found is not None
    assert found.severity == "warning"
    assert found.evidence == {
        "last_evaluation_on": "2026-02-27",
        "days_since_evaluation": 31,
        "interval_days": 30,
    }
    assert found.suggestion.startswith(
        "No evaluation for 31 days (since 27 Feb) where the program asks for one every 30"
    )


def test_no_evaluation_for_twice_the_interval_is_critical() -> None:
    assert flag(last_evaluated(60), "evaluation_overdue").severity == "warning"  # type: ignore[union-attr]
    assert flag(last_evaluated(61), "evaluation_overdue").severity == "critical"  # type: ignore[union-attr]


def test_the_programs_evaluation_interval_decides_when_it_is_overdue() -> None:
    facts = replace(last_evaluated(40), evaluation_interval_days=45)

    assert flag(facts, "evaluation_overdue") is None


def test_a_mentorship_never_evaluated_is_overdue_an_interval_after_it_started() -> None:
    never = replace(HEALTHY, started_at=ago(31), meetings=held_every(14, 31), evaluations=[])
    found = flag(never, "evaluation_overdue")

    assert found is not None
    assert found.evidence["last_evaluation_on"] is None
    assert found.suggestion.startswith("No evaluation for 31 days (since the mentorship started)")


# --- the score -----------------------------------------------------------------------------


def test_flags_cost_by_severity_and_strengths_give_back_at_most_half() -> None:
    # One warning (15) against 5 strengths (10): they give back 7, half of 15 rounded down.
    warned = assess(last_evaluated(31))
    assert [(f.kind, f.severity) for f in warned.flags] == [("evaluation_overdue", "warning")]
    assert len(warned.strengths) == 4  # both evaluated, but not lately
    assert warned.score == 100 - 15 + 7

    # Everything wrong at once: nothing is left.
    worst = Facts(
        now=NOW,
        started_at=ago(200),
        meetings=[Meeting(ago(day), "missed") for day in (5, 10, 15, 20)],
        goals=[Goal(MIGRATION, "Lead the checkout migration", in_mentor_expertise=False)],
        evaluations=evaluations(date(2025, 12, 1), 100, {**GOOD, "communication": 1}),
    )
    health = assess(worst)
    assert {f.kind for f in health.flags} == set(KINDS)
    assert health.score == 0


def test_info_flags_do_not_put_a_mentorship_at_risk() -> None:
    rust = Goal(TALKS, "Learn Rust", in_mentor_expertise=False)
    early = assess(replace(HEALTHY, goals=[*HEALTHY.goals, rust]))

    assert [f.severity for f in early.flags] == ["info"]
    assert early.score == 100 - 5 + 2
    assert at_risk_kinds(early) == set()
    assert at_risk_kinds(assess(last_met(28))) == {"lack_of_engagement"}


def test_evidence_is_json_ready() -> None:
    troubled = replace(
        with_latest({"communication": 1, "goal_fit": 1}, {"overall": 1}),
        meetings=[Meeting(ago(day), "missed") for day in (5, 10, 40)],
        goals=[Goal(MIGRATION, "Lead", in_mentor_expertise=False)],
        evaluation_requests=[EvaluationRequest(ago(day), "mentor", False) for day in (9, 39)],
    )
    health = assess(troubled)

    assert len(health.flags) >= 4
    for found in health.flags:
        assert json.loads(json.dumps(found.evidence)) == found.evidence


# --- a season ------------------------------------------------------------------------------


def test_a_season_that_degrades_then_recovers_raises_and_clears_lack_of_engagement_once() -> None:
    """Weekly meetings for seven weeks, six weeks of nothing, then weekly again. Silence is
    flagged once it reaches two weeks, and too few meetings once fewer than 4 of the 8 the
    cadence plans in 60 days were held; the first meeting back clears the silence, the fourth
    the pattern. Each change is announced once."""
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    days = [*range(0, 56, 7), *range(98, 140, 7)]  # weeks 0-7, then from week 14
    meetings = [Meeting(start + timedelta(days=day), "held") for day in days]
    raised_on: list[tuple[int, list[str], list[str]]] = []
    previous: set[str] = set()
    for day in range(0, 140):
        now = start + timedelta(days=day, hours=1)
        facts = Facts(
            now=now,
            started_at=start,
            cadence_interval_days=7,
            evaluation_interval_days=365,
            meetings=meetings,
        )
        kinds = at_risk_kinds(assess(facts))
        raised, cleared = flag_changes(previous, kinds)
        if raised or cleared:
            raised_on.append((day, raised, cleared))
        previous = kinds

    # The last meeting before the gap is on day 49: silent for 14 days on day 63; from day 88
    # the 60 days hold only 3 meetings (35, 42, 49); the meetings of days 98-119 are 4 again.
    assert raised_on == [
        (63, ["lack_of_engagement"], []),
        (88, ["time_constraints"], []),
        (98, [], ["lack_of_engagement"]),
        (119, [], ["time_constraints"]),
    ]
    worst = assess(
        Facts(
            now=start + timedelta(days=90),
            started_at=start,
            cadence_interval_days=7,
            evaluation_interval_days=365,
            meetings=meetings,
        )
    )
    assert {f.kind: f.severity for f in worst.flags}["lack_of_engagement"] == "critical"


def test_flag_changes_names_what_was_raised_and_what_cleared() -> None:
    assert flag_changes(
        {"time_constraints", "evaluation_overdue"}, {"evaluation_overdue", "misaligned_goals"}
    ) == (
        ["misaligned_goals"],
        ["time_constraints"],
    )
    assert flag_changes(set(), set()) == ([], [])


# --- a program's thresholds ----------------------------------------------------------------


def test_a_programs_thresholds_change_the_outcome() -> None:
    patient = Thresholds.from_mapping({"silence_cadences": 3, "missed_count": 3})
    two_missed = with_meetings(Meeting(ago(10), "missed"), Meeting(ago(24), "missed"))

    assert flag(last_met(28), "lack_of_engagement") is not None
    assert flag(last_met(28), "lack_of_engagement", patient) is None
    assert flag(two_missed, "time_constraints") is not None
    assert flag(two_missed, "time_constraints", patient) is None
    strict = Thresholds.from_mapping({"low_rating": 3, "flat_evaluations": 3})
    assert flag(with_latest({"communication": 3}), "communication_barriers", strict) is not None
    assert flag(progress_over(40, 40), "misaligned_goals", strict) is None
    assert flag(progress_over(40, 45, 40), "misaligned_goals", strict) is not None


def test_thresholds_from_a_programs_json_ignore_unknown_keys() -> None:
    loaded = Thresholds.from_mapping(
        json.loads('{"missed_count": 3, "falling_share": 0.5, "held_share_of_cadence": 1, "x": 1}')
    )

    assert loaded == Thresholds(missed_count=3, falling_share=0.5, held_share_of_cadence=1)
    assert Thresholds.from_mapping({}) == Thresholds()


@pytest.mark.parametrize(
    "overrides",
    [
        {"missed_count": "2"},
        {"missed_count": 2.5},
        {"missed_count": True},
        {"missed_count": None},
        {"missed_window_days": 0},
        {"silence_cadences": -1},
        {"silence_cadences": float("nan")},
        {"held_share_of_cadence": 1.5},
        {"low_rating": 6},
    ],
)
def test_thresholds_of_the_wrong_type_or_range_are_refused_by_name(
    overrides: dict[str, object],
) -> None:
    with pytest.raises(InvalidThresholds, match=next(iter(overrides))):
        Thresholds.from_mapping(overrides)


# --- invariants ----------------------------------------------------------------------------

GOAL_IDS = [uuid.UUID(int=n) for n in range(1, 4)]
moments = st.integers(-200 * 24 * 60, 10 * 24 * 60).map(lambda m: NOW + timedelta(minutes=m))
sides = st.sampled_from(["mentee", "mentor"])
ratings = st.dictionaries(
    st.sampled_from(["communication", "engagement", "time_commitment", "goal_fit", "overall"]),
    st.integers(1, 5),
)
facts_strategy = st.builds(
    Facts,
    now=st.just(NOW),
    started_at=st.integers(0, 300).map(ago),
    cadence_interval_days=st.sampled_from([None, 7, 14, 30]),
    evaluation_interval_days=st.sampled_from([14, 30, 90]),
    meetings=st.lists(
        st.builds(
            Meeting,
            starts_at=moments,
            status=st.sampled_from(["scheduled", "held", "missed", "cancelled", "rescheduled"]),
        ),
        max_size=30,
    ),
    check_ins=st.lists(st.builds(CheckIn, at=moments, by=sides), max_size=8),
    milestones=st.lists(
        st.builds(
            Milestone,
            achieved_on=moments.map(datetime.date),
            goal_id=st.sampled_from([None, *GOAL_IDS]),
        ),
        max_size=6,
    ),
    goals=st.lists(
        st.builds(
            Goal,
            id=st.sampled_from(GOAL_IDS),
            title=st.sampled_from(["Lead", "Speak", "Hire"]),
            status=st.sampled_from(["active", "achieved", "dropped"]),
            progress=st.integers(0, 100),
            last_revised_at=st.none() | moments,
            in_mentor_expertise=st.sampled_from([None, True, False]),
        ),
        max_size=3,
        unique_by=lambda goal: goal.id,
    ),
    evaluations=st.lists(
        st.builds(
            Evaluation,
            period_start=st.integers(0, 6).map(lambda back: date(2026, 3 - back % 3, 1)),
            by=sides,
            submitted_at=moments,
            ratings=ratings,
            goal_progress=st.dictionaries(st.sampled_from(GOAL_IDS), st.integers(0, 100)),
        ),
        max_size=8,
    ),
    evaluation_requests=st.lists(
        st.builds(EvaluationRequest, requested_at=moments, by=sides, answered=st.booleans()),
        max_size=6,
    ),
)


@settings(max_examples=300, deadline=None)
@given(facts_strategy)
def test_the_score_is_always_0_to_100_and_every_flag_explains_itself(facts: Facts) -> None:
    health = assess(facts)

    assert 0 <= health.score <= 100
    assert [f.kind for f in health.flags] == [
        k for k in KINDS if k in {f.kind for f in health.flags}
    ]
    for found in health.flags:
        assert found.evidence and found.suggestion
        assert json.loads(json.dumps(found.evidence)) == found.evidence
    if health.flags:
        assert health.score < 100


@settings(max_examples=300, deadline=None)
@given(facts_strategy, st.integers(0, 200 * 24 * 60))
def test_a_missed_meeting_never_raises_the_score(facts: Facts, minutes_ago: int) -> None:
    missed = replace(
        facts, meetings=[*facts.meetings, Meeting(NOW - timedelta(minutes=minutes_ago), "missed")]
    )

    assert assess(missed).score <= assess(facts).score


@settings(max_examples=200, deadline=None)
@given(facts_strategy, st.randoms(use_true_random=False))
def test_the_health_does_not_depend_on_the_order_of_the_facts(
    facts: Facts, rng: random.Random
) -> None:
    def shuffled(items: list[object]) -> list[object]:
        copy = list(items)
        rng.shuffle(copy)
        return copy

    reordered = replace(
        facts,
        meetings=shuffled(list(facts.meetings)),
        check_ins=shuffled(list(facts.check_ins)),
        milestones=shuffled(list(facts.milestones)),
        goals=shuffled(list(facts.goals)),
        evaluations=shuffled(list(facts.evaluations)),
        evaluation_requests=shuffled(list(facts.evaluation_requests)),
    )

    assert assess(reordered) == assess(facts)
    assert assess(facts) == assess(facts)


@settings(max_examples=100, deadline=None)
@given(
    facts_strategy,
    st.fixed_dictionaries(
        {},
        optional={
            "missed_count": st.integers(1, 5),
            "silence_cadences": st.floats(0.5, 5),
            "low_rating": st.integers(1, 4),
        },
    ),
    st.dictionaries(
        st.text(min_size=1).filter(lambda key: key not in Thresholds.__dataclass_fields__),
        st.integers() | st.text() | st.none(),
        max_size=3,
    ),
)
def test_unknown_threshold_keys_are_ignored(
    facts: Facts, known: dict[str, object], unknown: dict[str, object]
) -> None:
    with_unknown = Thresholds.from_mapping({**unknown, **known})

    assert with_unknown == Thresholds.from_mapping(known)
    assert assess(facts, with_unknown) == assess(facts, Thresholds.from_mapping(known))
