"""The computation of a cohort run, without the database: whatever the population, capacities
hold, nobody is matched twice, only eligible pairs are, and other processes give the same
answer as this one."""

import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.matching.features import FACTORS, Goal, MatchProfile, Skill, Window
from services.matching.runs import cohort
from services.profiles.programs.schemas import DEFAULT_MATCHING_WEIGHTS as WEIGHTS

PROGRAM = uuid.UUID(int=7)
AS_OF = datetime(2026, 5, 6, 12, tzinfo=UTC)
SKILLS = ["python", "go", "sql", "hiring", "leadership"]


def _person(
    number: int,
    *,
    mentor: bool,
    languages: tuple[str, ...],
    capacity: int = 0,
    taken: int = 0,
    accepting: bool = True,
    skills: tuple[str, ...] = ("python", "sql"),
) -> MatchProfile:
    return MatchProfile(
        user_id=uuid.UUID(int=number + (1000 if mentor else 0)),
        display_name=f"person {number}",
        active=True,
        roles=("mentor",) if mentor else ("mentee",),
        headline=f"Engineer who knows {' '.join(skills)}",
        timezone="Europe/Berlin",
        languages=languages,
        language_names=languages,
        values=("integrity",),
        channels=("video",),
        weekly=(Window(1, 9 * 60, 12 * 60),),
        expertise=tuple(Skill(s, s, 4) for s in skills) if mentor else (),
        learning=() if mentor else tuple(Skill(s, s, 1) for s in skills),
        goals=()
        if mentor
        else (Goal(f"Learn {skills[0]}", "", (Skill(skills[0], skills[0], 0),), 6),),
        is_mentor=mentor,
        accepting_requests=accepting,
        capacity=capacity,
        active_mentees=taken,
        mentor_programs=frozenset({PROGRAM}) if mentor else frozenset(),
        mentee_programs=frozenset() if mentor else frozenset({PROGRAM}),
    )


LANGUAGES = st.sampled_from([("en",), ("de",), ("en", "de"), ("fr",)])
mentor_specs = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 2), LANGUAGES, st.booleans()), max_size=6
)
mentee_specs = st.lists(st.tuples(LANGUAGES, st.sampled_from(SKILLS)), max_size=12)


def _population(
    mentors: list[tuple[int, int, tuple[str, ...], bool]],
    mentees: list[tuple[tuple[str, ...], str]],
) -> tuple[list[MatchProfile], list[MatchProfile]]:
    return (
        [
            _person(i, mentor=False, languages=languages, skills=(skill, "sql"))
            for i, (languages, skill) in enumerate(mentees)
        ],
        [
            _person(
                i,
                mentor=True,
                languages=languages,
                capacity=capacity,
                taken=min(taken, capacity),
                accepting=accepting,
            )
            for i, (capacity, taken, languages, accepting) in enumerate(mentors)
        ],
    )


def _check(outcome: cohort.Outcome, mentees: list[MatchProfile], mentors: list[MatchProfile]):
    by_id = {person.user_id: person for person in [*mentees, *mentors]}
    assert all(n == 1 for n in Counter(p.mentee_id for p in outcome.pairs).values())
    for mentor_id, count in Counter(p.mentor_id for p in outcome.pairs).items():
        assert count <= by_id[mentor_id].places_left
    for pair in outcome.pairs:
        mentee, mentor = by_id[pair.mentee_id], by_id[pair.mentor_id]
        assert mentor.accepting_requests and mentor.is_mentor
        assert set(mentee.languages) & set(mentor.languages)
        assert set(pair.factors) == set(FACTORS) and pair.reasons
    assert outcome.stats["matched"] == len(outcome.pairs)
    assert outcome.stats["matched"] + outcome.stats["unmatched"] == len(mentees)


@given(
    mentors=mentor_specs,
    mentees=mentee_specs,
    mode=st.sampled_from(["optimal", "greedy", "stable"]),
)
@settings(max_examples=40, deadline=None)
def test_any_population_keeps_capacities_and_eligibility(
    mentors: list[Any], mentees: list[Any], mode: Any
) -> None:
    people, mentoring = _population(mentors, mentees)
    shares: list[float] = []
    outcome = cohort.compute(
        people, mentoring, mode, WEIGHTS, as_of=AS_OF, program_id=PROGRAM, progress=shares.append
    )
    _check(outcome, people, mentoring)
    assert shares == sorted(shares) and shares[-1] == cohort.COMPUTE_SHARE


def test_existing_pairs_are_not_proposed_again() -> None:
    mentees, mentors = _population([(3, 0, ("en",), True)], [(("en",), "go"), (("en",), "sql")])
    existing = {mentees[0].user_id: {mentors[0].user_id}}
    outcome = cohort.compute(
        mentees, mentors, "optimal", WEIGHTS, as_of=AS_OF, program_id=PROGRAM, existing=existing
    )
    assert [(p.mentee_id, p.mentor_id) for p in outcome.pairs] == [
        (mentees[1].user_id, mentors[0].user_id)
    ]


def test_other_processes_give_the_same_assignment() -> None:
    mentees, mentors = _population(
        [(2, 0, ("en",), True), (3, 1, ("en", "de"), True), (1, 0, ("de",), True)],
        [((("en",), ("de",), ("en", "de"))[i % 3], SKILLS[i % 5]) for i in range(14)],
    )
    here = cohort.compute(mentees, mentors, "stable", WEIGHTS, as_of=AS_OF, program_id=PROGRAM)
    shares: list[float] = []
    there = cohort.compute(
        mentees,
        mentors,
        "stable",
        WEIGHTS,
        as_of=AS_OF,
        program_id=PROGRAM,
        processes=2,
        chunk=3,  # several chunks of scoring and of reasons
        progress=shares.append,
    )
    assert there == here and here.pairs
    assert len(shares) >= 5 and shares == sorted(shares)


def test_a_mentee_takes_the_mentor_who_fits() -> None:
    mentee = _person(1, mentor=False, languages=("en",), skills=("go", "leadership"))
    fits = _person(1, mentor=True, languages=("en",), capacity=1, skills=("go", "leadership"))
    other = _person(2, mentor=True, languages=("en",), capacity=1, skills=("sql", "hiring"))
    outcome = cohort.compute([mentee], [other, fits], "greedy", WEIGHTS, as_of=AS_OF)
    assert [p.mentor_id for p in outcome.pairs] == [fits.user_id]
    assert outcome.pairs[0].score > 0


def test_mentors_nobody_ranks_first_still_get_their_mentees() -> None:
    """Every mentee's favourite is the same mentor with one place: their own top candidates
    alone would leave the other mentor's places unreachable."""
    mentees = [
        _person(i, mentor=False, languages=("en",), skills=("go", "leadership")) for i in range(4)
    ]
    favourite = _person(1, mentor=True, languages=("en",), capacity=1, skills=("go", "leadership"))
    other = _person(2, mentor=True, languages=("en",), capacity=3, skills=("sql", "hiring"))

    def matched(per_mentor: int) -> int:
        outcome = cohort.compute(
            mentees,
            [favourite, other],
            "optimal",
            WEIGHTS,
            as_of=AS_OF,
            top_k=1,
            per_mentor=per_mentor,
        )
        return int(outcome.stats["matched"])

    assert matched(per_mentor=0) == 1
    assert matched(per_mentor=3) == 4
