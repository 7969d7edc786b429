"""The coaching review of a draft (pure): each check's pass, warn and fail, the quotes a mentee
acts on, the score, and invariants over arbitrary drafts."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.matching.features import MatchProfile, Skill, Window
from services.proposals.review import (
    CHECKS,
    WEIGHTS,
    Check,
    Draft,
    goal_kind,
    open_rewording,
    question_kind,
    review,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # a Sunday, Berlin on winter time (UTC+1)
MENTOR = MatchProfile(
    user_id=uuid.uuid4(),
    display_name="Dev Rao",
    active=True,
    roles=("mentor",),
    headline="Staff engineer building payment systems",
    timezone="Europe/Berlin",
    industry_names=("FinTech",),
    expertise=(Skill("python", "Python", 4), Skill("kubernetes", "Kubernetes", 5)),
    career=("Staff engineer, Acme Pay",),
    achievements=("Led the payments rewrite: forty services moved without downtime",),
    weekly=tuple(Window(day, 9 * 60, 17 * 60) for day in range(4)),  # Mon-Thu 09:00-17:00
    hours_per_month=4,
    is_mentor=True,
)
MESSAGE = (
    "Hello Dev, I am a backend engineer at Beta Bank and I look after our checkout service. "
    "I read about how you led the payments rewrite at Acme Pay, moving forty services without "
    "downtime, and that is exactly the kind of migration my team faces this year. I would value "
    "your view on sequencing such a move and on bringing a sceptical team along. I know your "
    "time is precious, so I have kept the ask small and I can fit around your schedule."
)


def _at(day: int, hour: int, minutes: int = 60) -> tuple[datetime, datetime]:
    start = datetime(2026, 3, day, hour, 0, tzinfo=UTC)
    return start, start + timedelta(minutes=minutes)


CAREFUL = Draft(
    message=MESSAGE,
    goals=["Lead the migration of our checkout service to Kubernetes by Q3"],
    objectives=["Draft a migration plan for the checkout service", "Run two design reviews"],
    questions=["How did you decide the order in which services moved?"],
    interval_days=14,
    session_minutes=45,
    duration_months=6,
    meeting_options=[_at(3, 9), _at(4, 13)],  # Tue 10:00 and Wed 14:00 in Berlin
    contribution="I can share what we learn about PCI compliance in our checkout",
)
CARELESS = Draft(
    message="Hi, can you mentor me?",
    goals=["learn more about leadership"],
    objectives=["Leadership"],
    questions=["Do you have time for me?"],
    contribution="anything",
)


def _check(draft: Draft, name: str, mentor: MatchProfile | None = MENTOR) -> Check:
    found = {check.name: check for check in review(draft, mentor, now=NOW).checks}
    return found[name]  # type: ignore[index]


# --- the whole review ----------------------------------------------------------------------


def test_a_careful_draft_scores_high_and_every_check_passes() -> None:
    result = review(CAREFUL, MENTOR, now=NOW)
    assert [(c.name, c.status) for c in result.checks] == [(name, "pass") for name in CHECKS]
    assert result.score == 100


def test_a_careless_draft_scores_low_with_a_suggestion_for_every_check_that_fails() -> None:
    result = review(CARELESS, MENTOR, now=NOW)
    assert result.score <= 25
    failed = [check for check in result.checks if check.status != "pass"]
    assert [check.name for check in failed] == list(CHECKS)
    for check in failed:
        assert len(check.suggestion) > 30, check
    by_name = {check.name: check.suggestion for check in result.checks}
    assert "'learn more about leadership'" in by_name["specific_goals"]
    assert "'Do you have time for me?'" in by_name["thoughtful_questions"]
    assert "'anything'" in by_name["offers_contribution"]
    assert "'Leadership' names no action" in by_name["clear_objectives"]
    assert "Kubernetes expertise" in by_name["personalised"]
    assert "Your message is 5 words" in by_name["respects_time"]


def test_the_score_is_the_weighted_share_of_passes_with_warns_at_half() -> None:
    assert sum(WEIGHTS.values()) == 100
    draft = replace(CAREFUL, contribution="")  # offers_contribution fails: 10 points
    assert review(draft, MENTOR, now=NOW).score == 90
    draft = replace(CAREFUL, contribution="whatever you need")  # warns: 5 points off
    assert review(draft, MENTOR, now=NOW).score == 95


# --- specific goals ------------------------------------------------------------------------


def test_goals_with_an_outcome_or_a_time_frame_are_specific() -> None:
    assert goal_kind("Lead a team of five") == "specific"
    assert goal_kind("Give my first conference talk") == "specific"
    assert goal_kind("Leading the platform team") == "specific"
    assert goal_kind("grow into a staff role by Q3") == "specific"  # vague verb, but dated
    assert goal_kind("Become an engineering manager in 12 months") == "specific"
    assert goal_kind("Get better at public speaking") == "vague"
    assert goal_kind("LEARN MORE about leadership!!") == "vague"
    assert goal_kind("improve myself") == "vague"
    assert goal_kind("Leadership") == "topic"


def test_specific_goals_fail_on_vague_goals_only_and_quote_them() -> None:
    check = _check(
        replace(CAREFUL, goals=["Learn more about leadership", "grow"]), "specific_goals"
    )
    assert check.status == "fail"
    assert "'Learn more about leadership' has no outcome or time frame" in check.suggestion
    assert "by when" in check.suggestion


def test_specific_goals_warn_when_a_vague_goal_sits_beside_a_specific_one() -> None:
    goals = ["Ship the new checkout by June", "get better"]
    check = _check(replace(CAREFUL, goals=goals), "specific_goals")
    assert check.status == "warn"
    assert "'get better'" in check.suggestion and "'Ship the new checkout by June'" in (
        check.suggestion
    )


def test_specific_goals_fail_without_goals_and_pass_quoting_a_good_one() -> None:
    assert _check(replace(CAREFUL, goals=["  "]), "specific_goals").status == "fail"
    passed = _check(CAREFUL, "specific_goals")
    assert passed.status == "pass" and "'Lead the migration" in passed.suggestion


# --- clear objectives ----------------------------------------------------------------------


def test_objectives_must_be_listed_short_and_actionable() -> None:
    assert _check(replace(CAREFUL, objectives=[]), "clear_objectives").status == "fail"
    long = "Draft " + " ".join(["a", "very", "long", "plan"] * 6)
    check = _check(replace(CAREFUL, objectives=[long, "Prepare a budget"]), "clear_objectives")
    assert check.status == "warn" and "is 25 words" in check.suggestion
    assert check.suggestion.count("'Draft a very long plan") == 1
    check = _check(replace(CAREFUL, objectives=["Better communication"]), "clear_objectives")
    assert check.status == "fail"
    assert "'Better communication' names no action" in check.suggestion
    passed = _check(CAREFUL, "clear_objectives")
    assert passed.status == "pass" and "'Draft a migration plan" in passed.suggestion


# --- personalised --------------------------------------------------------------------------


def test_a_message_that_names_nothing_of_theirs_fails_and_says_what_it_could_name() -> None:
    message = "Hello, I would like a mentor to help me with my career in general. " * 4
    check = _check(replace(CAREFUL, message=message, questions=[]), "personalised")
    assert check.status == "fail"
    assert "'Led the payments rewrite'" in check.suggestion
    assert "Kubernetes expertise" in check.suggestion


def test_naming_only_a_skill_warns_and_naming_their_career_passes() -> None:
    message = "I want to get much stronger with kubernetes in production."
    check = _check(replace(CAREFUL, message=message, questions=[]), "personalised")
    assert check.status == "warn" and "Kubernetes expertise" in check.suggestion
    assert "'Led the payments rewrite'" in check.suggestion
    message = "Your years at ACME PAY are why I am writing."
    check = _check(replace(CAREFUL, message=message, questions=[]), "personalised")
    assert check.status == "pass" and "their time at Acme Pay" in check.suggestion


def test_an_achievement_is_recognised_in_other_words_and_in_a_question() -> None:
    questions = ["What surprised you most in the payment rewrite?"]
    check = _check(replace(CAREFUL, message="Hello there.", questions=questions), "personalised")
    assert check.status == "pass" and "payments rewrite" in check.suggestion


def test_without_the_mentor_profile_personalised_warns() -> None:
    assert _check(CAREFUL, "personalised", mentor=None).status == "warn"
    bare = MatchProfile(user_id=uuid.uuid4(), display_name="X", active=True, roles=("mentor",))
    assert _check(CAREFUL, "personalised", mentor=bare).status == "warn"
    assert _check(replace(CAREFUL, message=""), "personalised").status == "fail"


# --- respects time -------------------------------------------------------------------------


def test_message_length_short_warns_concise_passes_long_fails() -> None:
    words = "word " * 300
    assert _check(replace(CAREFUL, message=words), "respects_time").status == "warn"
    check = _check(replace(CAREFUL, message="word " * 401), "respects_time")
    assert check.status == "fail" and "401 words" in check.suggestion
    check = _check(replace(CAREFUL, message="Hello, I am flexible."), "respects_time")
    assert check.status == "warn" and "4 words" in check.suggestion
    assert _check(CAREFUL, "respects_time").status == "pass"


def test_session_length_duration_and_cadence_are_bounded() -> None:
    check = _check(replace(CAREFUL, session_minutes=180), "respects_time")
    assert check.status == "fail" and "180-minute sessions" in check.suggestion
    check = _check(replace(CAREFUL, duration_months=18), "respects_time")
    assert check.status == "warn" and "18 months" in check.suggestion
    check = _check(replace(CAREFUL, interval_days=2), "respects_time")
    assert check.status == "warn" and "every 2 day(s)" in check.suggestion
    check = _check(replace(CAREFUL, interval_days=7, session_minutes=60), "respects_time")
    assert check.status == "warn" and "they offer 4 h a month" in check.suggestion
    check = _check(replace(CAREFUL, interval_days=60, duration_months=1), "respects_time")
    assert check.status == "warn" and "is one meeting" in check.suggestion
    check = _check(replace(CAREFUL, interval_days=None), "respects_time")
    assert check.status == "warn" and "how often" in check.suggestion


def test_one_meeting_option_without_flexibility_warns_but_flexibility_suffices() -> None:
    rigid = MESSAGE.replace("and I can fit around your schedule", "")
    check = _check(replace(CAREFUL, message=rigid, meeting_options=[_at(3, 9)]), "respects_time")
    assert check.status == "warn" and "more meeting times" in check.suggestion
    flexible = replace(CAREFUL, meeting_options=[])
    assert _check(flexible, "respects_time").status == "pass"


def test_options_outside_their_availability_are_named_on_their_clock() -> None:
    options = [_at(3, 6), _at(4, 13)]  # Tue 07:00 Berlin (outside), Wed 14:00 (inside)
    check = _check(replace(CAREFUL, meeting_options=options), "respects_time")
    assert check.status == "warn"
    assert (
        "'Tue 3 Mar 07:00-08:00' (their time) is outside their availability "
        "(Mon-Thu 09:00-17:00 Europe/Berlin)"
    ) in check.suggestion
    assert "Wed 4 Mar" not in check.suggestion
    everything_outside = [_at(3, 6), _at(6, 10)]  # Tue 07:00, Fri 11:00
    check = _check(replace(CAREFUL, meeting_options=everything_outside), "respects_time")
    assert check.status == "fail" and "'Fri 6 Mar 11:00-12:00'" in check.suggestion


def test_private_hours_are_checked_but_not_shown() -> None:
    draft = replace(CAREFUL, meeting_options=[_at(3, 6), _at(4, 13)])
    found = review(draft, MENTOR, now=NOW, availability_public=False).checks[3]
    assert found.status == "warn" and "'Tue 3 Mar 07:00-08:00'" in found.suggestion
    assert "they keep their hours private" in found.suggestion
    assert "09:00" not in found.suggestion and "Mon-Thu" not in found.suggestion


def test_options_in_the_past_fail() -> None:
    past = [_at(1, 9), _at(3, 9)]  # 1 Mar 09:00 UTC is before NOW
    check = _check(replace(CAREFUL, meeting_options=past), "respects_time")
    assert check.status == "fail" and "'Sun 1 Mar 10:00-11:00' is in the past" in check.suggestion


# --- offers something back -----------------------------------------------------------------


def test_a_contribution_must_be_stated_and_specific() -> None:
    check = _check(replace(CAREFUL, contribution=""), "offers_contribution")
    assert check.status == "fail" and "in return" in check.suggestion
    hinted = replace(CAREFUL, contribution="", message=MESSAGE + " In return I can help.")
    assert _check(hinted, "offers_contribution").status == "warn"
    for filler in ("Anything you need!", "happy to help however I can", "n/a", "TBD"):
        check = _check(replace(CAREFUL, contribution=filler), "offers_contribution")
        assert check.status == "warn", filler
        assert f"'{filler}'" in check.suggestion
    check = _check(replace(CAREFUL, contribution="Feedback on your talks"), "offers_contribution")
    assert check.status == "pass" and "'Feedback on your talks'" in check.suggestion


# --- thoughtful questions ------------------------------------------------------------------


def test_open_and_yes_no_questions_are_told_apart() -> None:
    for question in (
        "How did you choose your first management role?",
        "What would you do differently?",
        "Why Kubernetes?",
        "In what way did the rewrite change your team?",
        "Tell me about your first year as a lead.",
        "Could you tell me about the payments rewrite?",
        "I'd love to know: which books shaped you?",
        "Looking back, what would you change?",
    ):
        assert question_kind(question) == "open", question
    for question in (
        "Do you like your job?",
        "Can I ask for your help?",
        "Is it worth learning Go?",
        "Would you be my mentor?",
        "Should I switch teams?",
        "Have you ever failed?",
        "Didn't you find it hard?",
    ):
        assert question_kind(question) == "yes_no", question
    assert question_kind("Your thoughts on hiring") == "unclear"


def test_yes_no_questions_fail_with_an_open_rewording() -> None:
    questions = ["Did you enjoy moving to management?"]
    check = _check(replace(CAREFUL, questions=questions), "thoughtful_questions")
    assert check.status == "fail"
    assert "'Did you enjoy moving to management?' can be answered with yes or no" in (
        check.suggestion
    )
    assert "'What did you enjoy about moving to management?'" in check.suggestion
    for closed, reworded in (
        ("Do you have any tips for a new lead?", "What tips do you have for a new lead?"),
        ("Have you ever failed?", "When have you failed, and what did you learn?"),
        ("Would you be willing to mentor me?", "What would help you decide whether to mentor me?"),
        ("Is it hard to hire?", "In what way is it hard to hire?"),
        ("Can you help me with hiring?", "How can you help me with hiring?"),
        (
            "Do you think it is worth it?",
            "What would you weigh in deciding whether it is worth it?",
        ),
    ):
        assert open_rewording(closed) == reworded
        assert question_kind(reworded) == "open", reworded


def test_one_open_question_passes_and_still_coaches_the_closed_one() -> None:
    questions = ["Would you do it again?", "What would you do differently?"]
    check = _check(replace(CAREFUL, questions=questions), "thoughtful_questions")
    assert check.status == "pass"
    assert "'What would you do differently?'" in check.suggestion
    assert "'Would you do it again?' can be answered with yes or no" in check.suggestion


def test_no_questions_fail_and_statements_warn() -> None:
    assert _check(replace(CAREFUL, questions=[]), "thoughtful_questions").status == "fail"
    check = _check(replace(CAREFUL, questions=["Your thoughts on hiring"]), "thoughtful_questions")
    assert check.status == "warn" and "'Your thoughts on hiring'" in check.suggestion


# --- invariants ----------------------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))
MOMENT = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)
DRAFTS = st.builds(
    Draft,
    message=TEXT,
    goals=st.lists(TEXT, max_size=10),
    objectives=st.lists(TEXT, max_size=10),
    questions=st.lists(TEXT, max_size=10),
    interval_days=st.none() | st.integers(1, 90),
    session_minutes=st.none() | st.integers(15, 240),
    duration_months=st.none() | st.integers(1, 24),
    meeting_options=st.lists(
        st.tuples(MOMENT, st.integers(1, 10**7))
        .map(lambda pair: (pair[0], pair[0] + timedelta(seconds=pair[1])))
        .filter(lambda option: option[1].year < 10000),
        max_size=10,
    ),
    contribution=TEXT,
)


@settings(max_examples=300, deadline=None)
@given(draft=DRAFTS, with_mentor=st.booleans())
def test_any_draft_gets_six_checks_in_order_and_a_score_between_0_and_100(
    draft: Draft, with_mentor: bool
) -> None:
    result = review(draft, MENTOR if with_mentor else None, now=NOW)
    assert 0 <= result.score <= 100
    assert tuple(check.name for check in result.checks) == CHECKS
    for check in result.checks:
        assert check.status in ("pass", "warn", "fail") and check.suggestion


@settings(max_examples=20, deadline=None)
@given(
    words=st.lists(st.sampled_from(["learn", "more", "lead", "Q3", "?", "how", "do"]), max_size=900)
)
def test_huge_texts_within_the_bounds_are_reviewed(words: list[str]) -> None:
    text = " ".join(words)[:5000]
    draft = Draft(
        message=text,
        goals=[text[:500]] * 10,
        objectives=[text[:500]] * 10,
        questions=[text[:500]] * 10,
        contribution=text[:1000],
    )
    result = review(draft, MENTOR, now=NOW)
    assert 0 <= result.score <= 100 and len(result.checks) == 6
