"""The profile body (api.md, "Profiles"): what a person writes, validated at the edge."""

import re
import uuid
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Literal, Self
from zoneinfo import available_timezones

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from services.core.schemas import RequestBody, ResponseBody

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]

_HHMM = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z]{2,4})?$")

Seniority = Literal["intern", "junior", "mid", "senior", "lead", "principal", "executive"]
Channel = Literal["video", "voice", "chat", "email", "in_person"]
Style = Literal["direct", "supportive", "socratic", "structured"]
SkillKind = Literal["expertise", "wants_to_learn"]

VALUE_VOCABULARY = (
    "integrity",
    "collaboration",
    "work-life balance",
    "innovation",
    "craftsmanship",
    "customer focus",
    "diversity and inclusion",
    "continuous learning",
    "autonomy",
    "impact",
)


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _iana_timezone(value: str) -> str:
    if value not in _timezones():
        raise ValueError("not an IANA time zone name, e.g. Europe/Berlin or America/New_York")
    return value


def _language(value: str) -> str:
    value = value.strip()
    if not _LANGUAGE.match(value):
        raise ValueError("use a language code such as en, de or pt-BR")
    primary, _, region = value.partition("-")
    return f"{primary.lower()}-{region.upper()}" if region else primary.lower()


def _value(value: str) -> str:
    return " ".join(value.lower().split())


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


Timezone = Annotated[str, AfterValidator(_iana_timezone)]
Language = Annotated[str, AfterValidator(_language)]
Value = Annotated[Tag, AfterValidator(_value)]
HourMinute = Annotated[str, Field(pattern=_HHMM.pattern, examples=["09:30"])]


class Position(RequestBody):
    title: ShortText
    organisation: ShortText
    start: date
    end: date | None = None

    @model_validator(mode="after")
    def ordered(self) -> Self:
        if self.end is not None and self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class Achievement(RequestBody):
    title: ShortText
    description: Description = ""
    year: int | None = Field(default=None, ge=1950, le=2100)


class Communication(RequestBody):
    channels: list[Channel] = Field(default_factory=list, max_length=5)
    style: Style | None = None
    response_time_hours: int | None = Field(default=None, ge=1, le=336)

    @field_validator("channels")
    @classmethod
    def no_repeats(cls, channels: list[Channel]) -> list[Channel]:
        return list(dict.fromkeys(channels))


class Window(RequestBody):
    weekday: int = Field(ge=0, le=6, description="0 is Monday, 6 is Sunday")
    start: HourMinute
    end: HourMinute

    @model_validator(mode="after")
    def ordered(self) -> Self:
        if _minutes(self.start) >= _minutes(self.end):
            raise ValueError("start must be before end")
        return self


class Availability(RequestBody):
    weekly: list[Window] = Field(default_factory=list, max_length=50)
    hours_per_month: int | None = Field(default=None, ge=0, le=200)
    public: bool = Field(
        default=True, description="False hides the weekly windows from other people's view."
    )


class SkillEntry(RequestBody):
    name: Tag
    level: int = Field(ge=1, le=5)
    kind: SkillKind


class Mentor(RequestBody):
    capacity: int = Field(default=1, ge=0, le=50, description="Most mentees at once.")
    accepting_requests: bool = True
    openness: float = Field(
        default=0.5, ge=0, le=1, description="Openness to topics beyond the core expertise."
    )


class MentorRead(Mentor):
    active_mentees: int = Field(default=0, description="Read-only: current mentees.")


class Goal(RequestBody):
    title: ShortText
    description: Description = ""
    target_skills: list[Tag] = Field(default_factory=list, max_length=20)
    horizon_months: int | None = Field(default=None, ge=1, le=60)


class Mentee(RequestBody):
    goals: list[Goal] = Field(default_factory=list, max_length=20)


MAX_CONFLICTS = 50
CONFLICTS_DESCRIPTION = (
    "Private: users of the organisation you must not be matched with (a close relative, a "
    "direct report elsewhere, a business partner); not yourself. Shown only in your own profile."
)


class ProfileFields(RequestBody):
    """Every writable field; PUT replaces them all, PATCH changes those it names."""

    headline: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    bio: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = ""
    timezone: Timezone | None = None
    languages: list[Language] = Field(default_factory=list, max_length=20)
    industries: list[Tag] = Field(default_factory=list, max_length=20)
    years_experience: int | None = Field(default=None, ge=0, le=70)
    seniority: Seniority | None = None
    career_history: list[Position] = Field(default_factory=list, max_length=50)
    achievements: list[Achievement] = Field(default_factory=list, max_length=50)
    values: list[Value] = Field(
        default_factory=list,
        max_length=20,
        description=f"Shared vocabulary: {', '.join(VALUE_VOCABULARY)}; others allowed.",
    )
    communication: Communication = Field(default_factory=Communication)
    availability: Availability = Field(default_factory=Availability)
    skills: list[SkillEntry] = Field(default_factory=list, max_length=100)
    mentor: Mentor | None = None
    mentee: Mentee | None = None
    conflicts_of_interest: list[uuid.UUID] = Field(
        default_factory=list, max_length=MAX_CONFLICTS, description=CONFLICTS_DESCRIPTION
    )

    @field_validator("languages", "values")
    @classmethod
    def no_repeated_tags(cls, items: list[str]) -> list[str]:
        return _unique(items)

    @field_validator("conflicts_of_interest")
    @classmethod
    def no_repeated_people(cls, people: list[uuid.UUID]) -> list[uuid.UUID]:
        return list(dict.fromkeys(people))


class ProfilePatch(RequestBody):
    """Only the fields sent change; nested objects are replaced whole."""

    headline: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    bio: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] | None = None
    timezone: Timezone | None = None
    languages: list[Language] | None = Field(default=None, max_length=20)
    industries: list[Tag] | None = Field(default=None, max_length=20)
    years_experience: int | None = Field(default=None, ge=0, le=70)
    seniority: Seniority | None = None
    career_history: list[Position] | None = Field(default=None, max_length=50)
    achievements: list[Achievement] | None = Field(default=None, max_length=50)
    values: list[Value] | None = Field(default=None, max_length=20)
    communication: Communication | None = None
    availability: Availability | None = None
    skills: list[SkillEntry] | None = Field(default=None, max_length=100)
    mentor: Mentor | None = None
    mentee: Mentee | None = None
    conflicts_of_interest: list[uuid.UUID] | None = Field(
        default=None, max_length=MAX_CONFLICTS, description=CONFLICTS_DESCRIPTION
    )


class Completeness(ResponseBody):
    score: int = Field(ge=0, le=100)
    missing: list[str]


class ResponseStats(ResponseBody):
    """How a mentor answers requests, measured over their most recent ones; absent until enough
    answers to mean something."""

    median_response_hours: float | None = Field(
        description="Median hours from a request's sending to the mentor's first answer."
    )
    acceptance_rate: float | None = Field(
        ge=0,
        le=1,
        description="Accepted over accepted, declined and expired without an answer.",
    )
    requests_answered: int = Field(
        description="How many requests the mentor answered (accept, decline or counter)."
    )


RESPONSE_STATS_DESCRIPTION = (
    "Mentors only: how they answer requests, from their last 50; null until they have answered "
    "at least 3, so one slow week does not read as a habit."
)


class PublicProfile(ResponseBody):
    """What anyone in the organisation sees: no private availability, no contact data."""

    user_id: uuid.UUID
    display_name: str
    headline: str
    bio: str
    timezone: str | None
    languages: list[str]
    industries: list[str]
    years_experience: int | None
    seniority: str | None
    career_history: list[Position]
    achievements: list[Achievement]
    values: list[str]
    communication: Communication
    availability: Availability
    skills: list[SkillEntry]
    mentor: MentorRead | None
    mentee: Mentee | None
    response_stats: ResponseStats | None = Field(None, description=RESPONSE_STATS_DESCRIPTION)


class ProfileRead(PublicProfile):
    """Your own profile: everything, and how complete it is."""

    conflicts_of_interest: list[uuid.UUID] = Field(description=CONFLICTS_DESCRIPTION)
    completeness: Completeness
    updated_at: datetime


class MentorCard(ResponseBody):
    """A mentor in search results."""

    user_id: uuid.UUID
    display_name: str
    headline: str
    timezone: str | None
    languages: list[str]
    industries: list[str]
    seniority: str | None
    years_experience: int | None
    expertise: list[SkillEntry]
    values: list[str]
    capacity: int
    active_mentees: int
    accepting_requests: bool
    available: bool
    response_stats: ResponseStats | None = Field(None, description=RESPONSE_STATS_DESCRIPTION)
