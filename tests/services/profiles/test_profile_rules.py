"""Pure profile rules: canonical skills, search keys and completeness."""

from hypothesis import given
from hypothesis import strategies as st

from services.profiles.profiles.rules import canonical_skills, completeness, derive, language_keys
from services.profiles.profiles.schemas import Mentee, Mentor, ProfileFields, SkillEntry

skill_names = st.sampled_from(["py", "Python", "python3", "Kubernetes", "k8s", "Basket weaving"])
entries = st.lists(
    st.builds(
        SkillEntry,
        name=skill_names,
        level=st.integers(1, 5),
        kind=st.sampled_from(["expertise", "wants_to_learn"]),
    ),
    max_size=12,
)


@given(entries)
def test_one_entry_per_skill_and_kind(skills: list[SkillEntry]) -> None:
    canonical, _ = canonical_skills(skills)
    keys = [(s.name.lower(), s.kind) for s in canonical]
    assert len(keys) == len(set(keys))
    assert {s.name for s in canonical} <= {"Python", "Kubernetes", "Basket weaving"}
    again, _ = canonical_skills(canonical)
    assert again == canonical  # normalising twice changes nothing


def test_last_written_level_wins_and_unknown_skills_are_kept() -> None:
    canonical, unknown = canonical_skills(
        [
            SkillEntry(name="py", level=2, kind="expertise"),
            SkillEntry(name="Python", level=4, kind="expertise"),
            SkillEntry(name="  Basket   weaving ", level=3, kind="expertise"),
        ]
    )
    assert [(s.name, s.level) for s in canonical] == [("Python", 4), ("Basket weaving", 3)]
    assert list(unknown.values()) == ["Basket weaving"]


@given(
    entries,
    st.booleans(),
    st.booleans(),
    st.sampled_from([[], ["mentee"], ["mentor"], ["mentor", "mentee"], ["admin"]]),
)
def test_completeness_is_a_percentage(
    skills: list[SkillEntry], mentor: bool, mentee: bool, roles: list[str]
) -> None:
    fields = ProfileFields(
        skills=skills,
        mentor=Mentor() if mentor else None,
        mentee=Mentee() if mentee else None,
    )
    score, missing = completeness(fields, roles)
    assert 0 <= score <= 100
    assert len(missing) == len(set(missing))
    assert (score == 100) == (missing == [])


def test_a_full_mentor_profile_is_complete() -> None:
    fields = ProfileFields.model_validate(
        {
            "headline": "h",
            "bio": "b",
            "timezone": "Europe/Berlin",
            "languages": ["en"],
            "industries": ["Fintech"],
            "values": ["integrity"],
            "communication": {"channels": ["video"], "style": "direct"},
            "availability": {"weekly": [{"weekday": 0, "start": "09:00", "end": "10:00"}]},
            "career_history": [{"title": "t", "organisation": "o", "start": "2020-01-01"}],
            "skills": [{"name": "Python", "level": 5, "kind": "expertise"}],
            "mentor": {"capacity": 2},
        }
    )
    assert completeness(fields, ["mentor"]) == (100, [])
    derived = derive(fields, ["mentor"])
    assert derived.expertise_keys == ["python"]
    assert derived.language_keys == ["en"]
    assert "Python" in derived.search_text


def test_regional_languages_also_count_as_their_language() -> None:
    assert language_keys(["pt-BR", "en"]) == ["pt-br", "pt", "en"]
