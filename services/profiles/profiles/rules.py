"""Pure rules over a profile: canonical skills, the flat keys search filters on, the text
full-text search reads, and how complete the profile is for good matches."""

from dataclasses import dataclass, field

from services.profiles.profiles.schemas import ProfileFields, ResponseStats, SkillEntry
from services.profiles.skills import vocabulary

# Below this many answered requests a mentor's measured figures mislead (one slow week reads as
# a habit): their profile shows none, and matching reads the response time they declared.
MIN_MEASURED_RESPONSES = 3


@dataclass(frozen=True)
class Derived:
    """Columns computed from the profile body on every write."""

    skills: list[SkillEntry]
    unknown_skills: dict[str, str]  # key -> display name, for the tenant's own vocabulary
    expertise_keys: list[str]
    learning_keys: list[str]
    industry_keys: list[str]
    language_keys: list[str]
    value_keys: list[str]
    search_text: str
    completeness: int
    missing: list[str] = field(default_factory=list)


def skill_key(name: str) -> tuple[str, str, bool]:
    """(key, display name, known) of a skill as someone typed it: vocabulary skills by their
    canonical name (aliases included), others kept as typed."""
    known = vocabulary.canonical(name)
    if known is not None:
        return vocabulary.normalise_key(known.name), known.name, True
    display = vocabulary.clean_display_name(name)
    return vocabulary.normalise_key(display), display, False


def canonical_skills(entries: list[SkillEntry]) -> tuple[list[SkillEntry], dict[str, str]]:
    """One entry per skill and kind (the last one written wins), named canonically."""
    chosen: dict[tuple[str, str], SkillEntry] = {}
    unknown: dict[str, str] = {}
    for entry in entries:
        key, display, known = skill_key(entry.name)
        if not known:
            unknown[key] = display
        chosen[(key, entry.kind)] = SkillEntry(name=display, level=entry.level, kind=entry.kind)
    return list(chosen.values()), unknown


def language_keys(languages: list[str]) -> list[str]:
    """A regional code also counts as its language: pt-BR is found by pt."""
    keys: dict[str, None] = {}
    for language in languages:
        keys[language.lower()] = None
        keys[language.split("-", 1)[0].lower()] = None
    return list(keys)


def tag_key(text: str) -> str:
    return " ".join(text.lower().split())


# What each part adds to the score (sums to 100), and when it counts as present.
_MENTOR_PARTS = {
    "headline": 10,
    "bio": 10,
    "timezone": 8,
    "languages": 10,
    "skills": 18,
    "industries": 6,
    "values": 8,
    "communication": 8,
    "availability": 10,
    "career_history": 8,
    "mentor": 4,
}
_MENTEE_PARTS = {
    "headline": 8,
    "bio": 8,
    "timezone": 8,
    "languages": 10,
    "skills": 16,
    "industries": 4,
    "values": 8,
    "communication": 8,
    "availability": 10,
    "goals": 20,
}


def _present(fields: ProfileFields, part: str, mentoring: bool) -> bool:
    if part == "skills":
        kind = "expertise" if mentoring else "wants_to_learn"
        return any(s.kind == kind for s in fields.skills)
    if part == "communication":
        return bool(fields.communication.channels) and fields.communication.style is not None
    if part == "availability":
        return bool(fields.availability.weekly)
    if part == "goals":
        return fields.mentee is not None and bool(fields.mentee.goals)
    if part == "mentor":
        return fields.mentor is not None
    return bool(getattr(fields, part))


def completeness(fields: ProfileFields, roles: list[str]) -> tuple[int, list[str]]:
    """0-100 and what is missing, most valuable first. Someone who is both mentor and mentee
    is scored on both, each part counted once at its higher weight."""
    weights: dict[str, int] = {}
    if "mentor" in roles or fields.mentor is not None:
        weights.update(_MENTOR_PARTS)
    if "mentee" in roles or fields.mentee is not None or not weights:
        for part, weight in _MENTEE_PARTS.items():
            weights[part] = max(weight, weights.get(part, 0))
    mentoring = "mentor" in roles or fields.mentor is not None
    total = sum(weights.values())
    have = 0
    missing: list[tuple[int, str]] = []
    for part, weight in weights.items():
        if part == "skills" and mentoring and "mentee" in roles:
            present = _present(fields, part, True) and _present(fields, part, False)
        else:
            present = _present(fields, part, mentoring)
        if present:
            have += weight
        else:
            missing.append((weight, part))
    missing.sort(key=lambda item: (-item[0], item[1]))
    return round(100 * have / total), [part for _, part in missing]


def search_text(fields: ProfileFields, skill_entries: list[SkillEntry]) -> str:
    parts = [fields.headline, fields.bio]
    parts += [s.name for s in skill_entries if s.kind == "expertise"]
    parts += fields.industries
    for position in fields.career_history:
        parts += [position.title, position.organisation]
    parts += [a.title for a in fields.achievements]
    return "\n".join(p for p in parts if p)


def derive(fields: ProfileFields, roles: list[str]) -> Derived:
    entries, unknown = canonical_skills(fields.skills)
    score, missing = completeness(fields.model_copy(update={"skills": entries}), roles)
    return Derived(
        skills=entries,
        unknown_skills=unknown,
        expertise_keys=sorted({skill_key(s.name)[0] for s in entries if s.kind == "expertise"}),
        learning_keys=sorted({skill_key(s.name)[0] for s in entries if s.kind == "wants_to_learn"}),
        industry_keys=sorted({tag_key(i) for i in fields.industries}),
        language_keys=language_keys(fields.languages),
        value_keys=sorted({tag_key(v) for v in fields.values}),
        search_text=search_text(fields, entries),
        completeness=score,
        missing=missing,
    )


def response_stats(
    median_hours: float | None, acceptance_rate: float | None, answered: int
) -> ResponseStats | None:
    """A mentor's measured figures as others see them, once they rest on enough answers."""
    if answered < MIN_MEASURED_RESPONSES:
        return None
    return ResponseStats(
        median_response_hours=None if median_hours is None else round(median_hours, 1),
        acceptance_rate=None if acceptance_rate is None else round(acceptance_rate, 2),
        requests_answered=answered,
    )


def measured_response_hours(median_hours: float | None, answered: int) -> float | None:
    """The median a mentor is known by, when it rests on enough answers; else None."""
    return median_hours if answered >= MIN_MEASURED_RESPONSES else None
