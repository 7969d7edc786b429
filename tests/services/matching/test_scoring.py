"""The five factors and the hard filters, vectorised, against the scalar explain."""

import uuid
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.matching import scoring
from services.matching.features import FACTORS, Goal, MatchProfile, Skill, Window

NOW = datetime(2026, 5, 6, 12, tzinfo=UTC)
OFFICE = tuple(Window(day, 9 * 60, 17 * 60) for day in range(5))


def person(**fields) -> MatchProfile:
    fields.setdefault("user_id", uuid.uuid4())
    fields.setdefault("display_name", "Someone")
    fields.setdefault("active", True)
    fields.setdefault("roles", ("mentor", "mentee"))
    return MatchProfile(**fields)


def mentor(**fields) -> MatchProfile:
    base = {
        "is_mentor": True,
        "accepting_requests": True,
        "capacity": 3,
        "languages": ("en",),
    }
    return person(**{**base, **fields})


MENTEE = person(
    languages=("en",),
    learning=(Skill("python", "Python", 2),),
    goals=(Goal("Lead a team", "Hiring and leading people", (Skill("hiring", "Hiring", 0),), 6),),
    weekly=OFFICE,
    timezone="America/New_York",
    values=("integrity", "continuous learning"),
    channels=("video",),
)


def test_weights_default_and_normalise_and_refuse_nonsense() -> None:
    assert scoring.weights_vector(None).tolist() == pytest.approx([0.35, 0.2, 0.15, 0.15, 0.15])
    assert scoring.weights_vector({"expertise": 2, "values": 2}).tolist() == [0.5, 0, 0.5, 0, 0]
    for bad in ({"expertise": -1, "values": 1}, {"expertise": 0}, {"nope": 1}):
        with pytest.raises(ValueError):
            scoring.weights_vector(bad)


def test_the_mentor_who_teaches_the_targets_ranks_first_with_readable_reasons() -> None:
    strong = mentor(
        expertise=(Skill("python", "Python", 5), Skill("hiring", "Hiring", 5)),
        weekly=OFFICE,
        timezone="Europe/Berlin",
        values=("integrity",),
        channels=("video",),
        active_mentees=2,
        bio="I have been hiring and leading engineering teams for ten years.",
    )
    weak = mentor(expertise=(Skill("excel", "Excel", 3),), languages=("en", "de"))
    arrays = scoring.MentorArrays()
    arrays.upsert([weak, strong])
    scores = scoring.score(arrays, MENTEE, None, as_of=NOW)
    ranked = scoring.top(scores, 10)
    assert [arrays.user_id_at(row) for row in ranked] == [strong.user_id, weak.user_id]
    assert ((scores.factors >= 0) & (scores.factors <= 1)).all()
    factors = scoring.factor_map(scores, ranked[0])
    said = scoring.reasons(MENTEE, strong, factors, as_of=NOW)
    assert "Strong in 2 of your 2 target skills: Python, Hiring" in said
    assert "10 h/week of shared availability; 1 of 3 mentee places left" in said
    assert "Shares your values: integrity" in said
    assert "Both prefer video calls; speaks English" in said
    assert said[0] == scoring.reasons(MENTEE, strong, factors, as_of=NOW)[0]


def test_a_mentee_with_no_data_gets_no_perfect_factor_and_no_crash() -> None:
    arrays = scoring.MentorArrays()
    arrays.upsert([mentor(), mentor(expertise=(Skill("go", "Go", 5),), openness=1.0)])
    empty = person(roles=("mentee",))
    scores = scoring.score(arrays, empty, None, as_of=NOW)
    assert scores.eligible.all()
    assert (scores.factors < 1).all()


def test_rows_are_reused_and_removed_mentors_are_never_eligible() -> None:
    arrays = scoring.MentorArrays(capacity=2)
    first, second, third = mentor(), mentor(), mentor()
    arrays.upsert([first, second])
    arrays.remove([first.user_id])
    arrays.upsert([third, person(user_id=second.user_id, is_mentor=False)])
    assert len(arrays) == 1 and arrays.row_of(second.user_id) is None
    assert arrays.row_of(third.user_id) == 0  # the freed row came back
    scores = scoring.score(arrays, MENTEE, None, as_of=NOW)
    assert scores.eligible.tolist() == [True, False]


PEOPLE = [uuid.UUID(int=i) for i in range(1, 7)]
PROGRAMS = [uuid.UUID(int=100 + i) for i in range(2)]


@st.composite
def profiles(draw, user_id: uuid.UUID) -> MatchProfile:
    return person(
        user_id=user_id,
        active=draw(st.booleans()),
        is_mentor=draw(st.booleans()),
        accepting_requests=draw(st.booleans()),
        capacity=draw(st.integers(0, 3)),
        active_mentees=draw(st.integers(0, 3)),
        languages=tuple(draw(st.lists(st.sampled_from(["en", "de", "pt", "pt-br"]), max_size=2))),
        expertise=tuple(
            Skill(key, key.title(), draw(st.integers(1, 5)))
            for key in draw(
                st.lists(st.sampled_from(["python", "django", "go", "hiring"]), unique=True)
            )
        ),
        learning=tuple(
            Skill(key, key.title(), draw(st.integers(0, 5)))
            for key in draw(st.lists(st.sampled_from(["python", "go", "hiring"]), unique=True))
        ),
        industries=tuple(draw(st.lists(st.sampled_from(["fintech", "health"]), unique=True))),
        values=tuple(draw(st.lists(st.sampled_from(["integrity", "growth"]), unique=True))),
        channels=tuple(draw(st.lists(st.sampled_from(["video", "chat"]), unique=True))),
        style=draw(st.sampled_from([None, "direct", "supportive"])),
        timezone=draw(st.sampled_from([None, "Europe/Berlin", "Asia/Tokyo"])),
        weekly=tuple(draw(st.lists(st.sampled_from(OFFICE), max_size=2))),
        manager_id=draw(st.sampled_from([None, *PEOPLE])),
        conflicts=frozenset(draw(st.lists(st.sampled_from(PEOPLE), max_size=2))),
        mentor_programs=frozenset(draw(st.lists(st.sampled_from(PROGRAMS), max_size=2))),
        bio=draw(st.sampled_from(["", "python hiring", "leading teams", "Hiring, hiring!"])),
        goals=draw(
            st.sampled_from(
                [(), (Goal("Lead teams", "hiring in python", (Skill("go", "Go", 0),), None),)]
            )
        ),
        openness=draw(st.floats(0, 1)),
    )


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_blocked_by_is_empty_exactly_when_the_vectorised_filter_says_eligible(data) -> None:
    people = [data.draw(profiles(user_id)) for user_id in PEOPLE]
    mentee = people[0]
    program = data.draw(st.sampled_from([None, *PROGRAMS]))
    excluded = set(data.draw(st.lists(st.sampled_from(PEOPLE), max_size=2)))
    arrays = scoring.MentorArrays(capacity=2)
    arrays.upsert(people)
    scores = scoring.score(arrays, mentee, None, as_of=NOW, program_id=program, excluded=excluded)
    assert ((scores.factors >= 0) & (scores.factors <= 1)).all()
    for candidate in people:
        row = arrays.row_of(candidate.user_id)
        blocked = scoring.blocked_by(
            mentee, candidate, program_id=program, existing=candidate.user_id in excluded
        )
        eligible = row is not None and bool(scores.eligible[row])
        assert (blocked == []) == eligible, (blocked, candidate)
    assert scores.eligible.sum() == len(scoring.top(scores, 10))
    assert np.all(np.diff(scores.total[scoring.top(scores, 10)]) <= 0)
    assert FACTORS[0] == "expertise"


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_updating_in_place_scores_exactly_as_building_afresh(data) -> None:
    """Rows are reused and postings patched; whatever the order of changes, every mentor
    scores as in arrays built from nothing with the final profiles."""
    arrays = scoring.MentorArrays(capacity=2)
    current: dict[uuid.UUID, MatchProfile] = {}
    for _ in range(data.draw(st.integers(1, 20))):
        user_id = data.draw(st.sampled_from(PEOPLE[1:4]))
        if data.draw(st.booleans()) and user_id in current:
            arrays.remove([user_id])
            del current[user_id]
        else:
            profile = data.draw(profiles(user_id))
            arrays.upsert([profile])
            current[user_id] = profile
    mentee = data.draw(profiles(PEOPLE[0]))
    fresh = scoring.MentorArrays()
    fresh.upsert(current.values())
    assert len(arrays) == len(fresh)
    updated = scoring.score(arrays, mentee, None, as_of=NOW)
    built = scoring.score(fresh, mentee, None, as_of=NOW)
    for user_id in current:
        row, fresh_row = arrays.row_of(user_id), fresh.row_of(user_id)
        assert (row is None) == (fresh_row is None)
        if row is None or fresh_row is None:
            continue
        assert updated.eligible[row] == built.eligible[fresh_row]
        assert np.allclose(updated.factors[row], built.factors[fresh_row], atol=1e-6)
    live = {arrays.user_id_at(row) for row in np.flatnonzero(updated.eligible)}
    assert live == {fresh.user_id_at(row) for row in np.flatnonzero(built.eligible)}


@settings(max_examples=100, deadline=None)
@given(
    totals=st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), min_size=0, max_size=3000),
    seed=st.integers(0, 2**16),
    k=st.integers(0, 12),
)
def test_top_is_the_k_best_eligible_rows_ties_by_row(
    totals: list[float], seed: int, k: int
) -> None:
    """Large inputs take the sampled-threshold path; the answer is the same exact ranking."""
    rng = np.random.default_rng(seed)
    total = np.array(totals, dtype=np.float32)
    eligible = rng.random(total.size) < rng.random()
    scores = scoring.Scores(total, np.zeros((total.size, 5), np.float32), eligible)
    expected = sorted(np.flatnonzero(eligible).tolist(), key=lambda row: (-total[row], row))[:k]
    assert scoring.top(scores, k) == expected


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_reasons_only_say_what_is_true_of_the_pair(data) -> None:
    mentee = data.draw(profiles(PEOPLE[0]))
    candidate = data.draw(profiles(PEOPLE[1]))
    drawn = data.draw(st.lists(st.floats(0, 1), min_size=5, max_size=5))
    factors = dict(zip(FACTORS, drawn, strict=True))
    said = scoring.reasons(mentee, candidate, factors, as_of=NOW)
    text = " | ".join(said)
    for value in ("integrity", "growth"):
        if value in text:
            assert value in mentee.values and value in candidate.values
    if "Both prefer video calls" in text:
        assert "video" in mentee.channels and "video" in candidate.channels
    if "h/week of shared availability" in text:
        hours = scoring.availability.overlap_hours(
            mentee.weekly, mentee.timezone, candidate.weekly, candidate.timezone, NOW
        )
        assert f"{scoring._hours(hours)} h/week" in text and hours > 0
    if "mentee places left" in text:
        assert f"{candidate.places_left} of {candidate.capacity} mentee" in text
    if "Open to topics outside their core field" in text:
        assert candidate.openness >= 0.6
    for sentence in said:
        assert sentence and not sentence[0].islower()


def test_reasons_name_related_skills_and_echo_goals_when_nothing_stronger_is_true() -> None:
    learner = person(
        languages=("en",),
        learning=(Skill("python", "Python", 1),),
        goals=(Goal("Ship a web product", "", (), None),),
    )
    django = mentor(expertise=(Skill("django", "Django", 5),))
    said = scoring.reasons(learner, django, dict.fromkeys(FACTORS, 0.5), as_of=NOW)
    assert "Knows related skills: Django (close to Python)" in said
    writer = mentor(headline="I shipped products on the web for years")
    said = scoring.reasons(
        person(goals=(Goal("Ship a web product", "", (), None),)), writer, {}, as_of=NOW
    )
    assert "Their profile speaks to your goals: ship, web, product" in said


def test_mentors_prefer_mentees_they_can_teach() -> None:
    teacher = mentor(expertise=(Skill("python", "Python", 5), Skill("hiring", "Hiring", 5)))
    other = mentor(expertise=(Skill("excel", "Excel", 5),))
    arrays = scoring.MentorArrays()
    arrays.upsert([teacher, other])
    preference = scoring.mentor_preference(arrays, MENTEE, as_of=NOW)
    teacher_row, other_row = arrays.row_of(teacher.user_id), arrays.row_of(other.user_id)
    assert teacher_row is not None and other_row is not None
    assert preference[teacher_row] > preference[other_row]
    assert ((preference >= 0) & (preference <= 1)).all()
