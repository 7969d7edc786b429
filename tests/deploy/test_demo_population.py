"""The generated population: profiles the API accepts, deterministic for a seed, and believable
in the ways matching reads (zones and languages, skills of a family, seniority and years)."""

import time
from collections import Counter
from datetime import date
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from deploy import population
from services.profiles.imports.people import PersonRow
from services.profiles.profiles.schemas import VALUE_VOCABULARY, ProfileFields
from services.profiles.skills.vocabulary import vocabulary

YEARS = {
    "intern": (0, 1),
    "junior": (0, 3),
    "mid": (2, 7),
    "senior": (5, 14),
    "lead": (8, 18),
    "principal": (12, 25),
    "executive": (15, 32),
}


@settings(max_examples=25, deadline=None)
@given(mentors=st.integers(0, 15), mentees=st.integers(0, 15), seed=st.integers(0, 2**63 - 1))
def test_every_person_is_a_valid_import_line_and_a_seed_gives_the_same_people(
    mentors: int, mentees: int, seed: int
) -> None:
    generated = population.people(mentors, mentees, seed)
    assert generated == population.people(mentors, mentees, seed)
    assert [p.roles for p in generated] == [("mentor",)] * mentors + [("mentee",)] * mentees
    assert len({p.email for p in generated}) == len(generated)
    for person in generated:
        row = PersonRow.model_validate(person.import_line())
        assert row.profile is not None
        # The body is what PUT /v1/profiles/me would store: nothing dropped or rewritten.
        fields = ProfileFields.model_validate(person.profile)
        assert fields.model_dump(mode="json", exclude_unset=True) == person.profile


def test_another_seed_gives_other_people() -> None:
    assert population.people(5, 5, 1) != population.people(5, 5, 2)


def test_a_population_looks_like_a_global_company() -> None:
    generated = population.people(1500, 1500, 11)
    mentors, mentees = generated[:1500], generated[1500:]
    known = {skill.name for skill in vocabulary()}

    zones = Counter(p.profile["timezone"] for p in generated)
    assert len(zones) >= 20
    continents = Counter(zone.split("/")[0] for zone in zones.elements())
    for continent in ("Europe", "America", "Asia"):
        assert continents[continent] > 0.15 * len(generated), continents
    families = Counter(p.family for p in generated)
    assert {"backend", "data", "design", "product", "leadership", "sales"} <= set(families)

    for person in generated:
        profile = person.profile
        ZoneInfo(profile["timezone"])
        skills = profile["skills"]
        assert 4 <= len(skills) <= 12
        assert {s["name"] for s in skills} <= known
        low, high = YEARS[profile["seniority"]]
        assert low <= profile["years_experience"] <= high
        assert set(profile["values"]) <= set(VALUE_VOCABULARY)
        first_start = date.fromisoformat(profile["career_history"][0]["start"])
        assert first_start.year >= population.TODAY.year - profile["years_experience"] - 1
        assert "end" not in profile["career_history"][-1]  # the current position
        for window in profile["availability"]["weekly"]:
            assert "08:00" <= window["start"] < window["end"] <= "23:30"

    # Languages follow the zone, and most people also speak English.
    english = sum("en" in p.profile["languages"] for p in generated)
    assert english > 0.8 * len(generated)
    berlin = [p for p in generated if p.profile["timezone"] == "Europe/Berlin"]
    assert berlin and all(p.profile["languages"][0] == "de" for p in berlin)

    # Mentors are seasoned and take 1-5 mentees; mentees are earlier in their careers.
    assert all(1 <= m.profile["mentor"]["capacity"] <= 5 for m in mentors)
    assert all(0 <= m.profile["mentor"]["openness"] <= 1 for m in mentors)
    mentor_years = sorted(m.profile["years_experience"] for m in mentors)
    mentee_years = sorted(m.profile["years_experience"] for m in mentees)
    assert mentor_years[len(mentors) // 2] > mentee_years[len(mentees) // 2] + 4

    # What a mentee wants to learn, the seniors of their family know.
    expertise: dict[str, set[str]] = {}
    for mentor in mentors:
        expertise.setdefault(mentor.family, set()).update(
            s["name"] for s in mentor.profile["skills"] if s["kind"] == "expertise"
        )
    for mentee in mentees:
        wanted = {s["name"] for s in mentee.profile["skills"] if s["kind"] == "wants_to_learn"}
        assert wanted and wanted <= expertise[mentee.family]
        goals = mentee.profile["mentee"]["goals"]
        assert goals and all(set(g["target_skills"]) <= wanted for g in goals)


def test_every_family_skill_is_a_vocabulary_skill() -> None:
    """A misspelt skill would silently leave a family thinner than it reads."""
    known = {skill.name for skill in vocabulary()}
    for family in population._FAMILIES:
        assert set(family.core) <= known, (family.name, set(family.core) - known)


def test_ten_thousand_people_take_well_under_a_second_of_cpu_each_thousand() -> None:
    started = time.process_time()
    population.people(5000, 5000, 3)
    # About 0.5 s on a busy CI machine; a tenfold margin keeps this about regressions only.
    assert time.process_time() - started < 5.0
