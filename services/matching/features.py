"""What matching knows about a person: a plain, immutable view of a profile.

Built from the row the profiles service publishes (`services.profiles.queries.MatchingRow`);
scoring, reasons, explanations and cohort runs read only this, never the profiles tables.
Skill, industry, language and value keys are comparison keys (case- and alias-folded), so two
people who wrote "Python" and "python3" share a key; names are kept for the reasons people read.
"""

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from services.profiles import queries as profiles

FACTORS = ("expertise", "accessibility", "values", "communication", "adaptability")


@dataclass(frozen=True, slots=True)
class Window:
    """A weekly window in the person's own time zone: minutes from local midnight."""

    weekday: int  # 0 is Monday
    start_minute: int
    end_minute: int  # exclusive; 1440 for "24:00"


@dataclass(frozen=True, slots=True)
class Skill:
    key: str
    name: str
    level: int  # 1-5; 0 for a goal's target skill the mentee has not rated


@dataclass(frozen=True, slots=True)
class Goal:
    title: str
    description: str
    target_skills: tuple[Skill, ...]  # level 0
    horizon_months: int | None


@dataclass(frozen=True, slots=True)
class MatchProfile:
    user_id: uuid.UUID
    display_name: str
    active: bool
    roles: tuple[str, ...]
    headline: str = ""
    bio: str = ""
    timezone: str | None = None
    languages: tuple[str, ...] = ()  # keys: "pt-br" and "pt" for pt-BR
    language_names: tuple[str, ...] = ()  # as written: "pt-BR"
    industries: tuple[str, ...] = ()  # keys
    industry_names: tuple[str, ...] = ()
    values: tuple[str, ...] = ()  # keys, which are also the readable names
    channels: tuple[str, ...] = ()  # video, voice, chat, email, in_person
    style: str | None = None  # direct, supportive, socratic, structured
    response_time_hours: int | None = None  # measured once enough answers, else declared
    weekly: tuple[Window, ...] = ()
    hours_per_month: int | None = None
    expertise: tuple[Skill, ...] = ()
    learning: tuple[Skill, ...] = ()  # wants_to_learn, level = where the person is today
    seniority: str | None = None
    years_experience: int | None = None
    career: tuple[str, ...] = ()  # "Staff engineer, Acme"
    achievements: tuple[str, ...] = ()  # "title: description"
    goals: tuple[Goal, ...] = ()
    # The mentor part (is_mentor False: the rest is meaningless).
    is_mentor: bool = False
    accepting_requests: bool = False
    capacity: int = 0
    active_mentees: int = 0
    openness: float = 0.5
    mentor_programs: frozenset[uuid.UUID] = frozenset()
    mentee_programs: frozenset[uuid.UUID] = frozenset()
    # Conflicts of interest: the person's manager where known, and people they declared.
    manager_id: uuid.UUID | None = None
    conflicts: frozenset[uuid.UUID] = field(default_factory=frozenset)

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.active_mentees, 0)

    @property
    def targets(self) -> tuple[Skill, ...]:
        """What the mentee wants to learn: rated learning skills first, then goals' target
        skills not rated (level 0), one entry per key."""
        seen: dict[str, Skill] = {skill.key: skill for skill in self.learning}
        for goal in self.goals:
            for skill in goal.target_skills:
                seen.setdefault(skill.key, skill)
        return tuple(seen.values())

    @property
    def profile_text(self) -> str:
        """What a mentor wrote about themselves, for text relevance."""
        return "\n".join(
            part for part in (self.headline, self.bio, *self.career, *self.achievements) if part
        )

    @property
    def goals_text(self) -> str:
        """What a mentee wrote about what they want, for text relevance."""
        return "\n".join(
            part for goal in self.goals for part in (goal.title, goal.description) if part
        )


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


# Skills are immutable values, so people who name the same skill at the same level share one
# instance: a full load of 20,000 mentors builds ~150,000 skills from a few thousand names.
@lru_cache(maxsize=65_536)
def _skill_of(name: str, level: int) -> Skill:
    return Skill(profiles.skill_key(name), name, level)


@lru_cache(maxsize=65_536)
def _target_skill(name: str) -> Skill:
    return Skill(profiles.skill_key(name), profiles.skill_name(name), 0)


def _skill(entry: Mapping[str, Any]) -> Skill:
    return _skill_of(entry["name"], int(entry["level"]))


def _response_time_hours(row: profiles.MatchingRow, communication: Mapping[str, Any]) -> int | None:
    """How soon the mentor answers: the median their requests show once there are enough
    answers (in whole hours, rounded up), else what they declared."""
    measured = row.measured_response_hours
    if measured is not None:
        return max(math.ceil(measured), 1)
    declared: int | None = communication.get("response_time_hours")
    return declared


def from_row(row: profiles.MatchingRow) -> MatchProfile:
    """The matching view of one person, from the row profiles publishes."""
    details: Mapping[str, Any] = row.details
    skills = details.get("skills") or []
    communication = details.get("communication") or {}
    availability = details.get("availability") or {}
    mentor = details.get("mentor")
    mentee = details.get("mentee") or {}
    languages = tuple(details.get("languages") or ())
    industries = tuple(details.get("industries") or ())
    return MatchProfile(
        user_id=row.user_id,
        display_name=row.display_name,
        active=row.active,
        roles=tuple(row.roles),
        headline=row.headline,
        bio=row.bio,
        timezone=row.timezone,
        languages=tuple(profiles.language_keys(list(languages))),
        language_names=languages,
        industries=tuple(profiles.tag_key(name) for name in industries),
        industry_names=industries,
        values=tuple(profiles.tag_key(value) for value in details.get("values") or ()),
        channels=tuple(communication.get("channels") or ()),
        style=communication.get("style"),
        response_time_hours=_response_time_hours(row, communication),
        weekly=tuple(
            Window(int(w["weekday"]), _minutes(w["start"]), _minutes(w["end"]))
            for w in availability.get("weekly") or ()
        ),
        hours_per_month=availability.get("hours_per_month"),
        expertise=tuple(_skill(s) for s in skills if s.get("kind") == "expertise"),
        learning=tuple(_skill(s) for s in skills if s.get("kind") == "wants_to_learn"),
        seniority=row.seniority,
        years_experience=row.years_experience,
        career=tuple(
            f"{p['title']}, {p['organisation']}" for p in details.get("career_history") or ()
        ),
        achievements=tuple(
            f"{a['title']}: {a['description']}" if a.get("description") else a["title"]
            for a in details.get("achievements") or ()
        ),
        goals=tuple(
            Goal(
                title=g.get("title", ""),
                description=g.get("description", ""),
                target_skills=tuple(_target_skill(name) for name in g.get("target_skills") or ()),
                horizon_months=g.get("horizon_months"),
            )
            for g in mentee.get("goals") or ()
        ),
        is_mentor=row.is_mentor and mentor is not None,
        accepting_requests=row.accepting_requests,
        capacity=row.mentor_capacity,
        active_mentees=row.active_mentees,
        openness=row.openness if row.openness is not None else 0.5,
        mentor_programs=frozenset(row.mentor_programs),
        mentee_programs=frozenset(row.mentee_programs),
        manager_id=row.manager_id,
        conflicts=frozenset(row.conflicts),
    )
