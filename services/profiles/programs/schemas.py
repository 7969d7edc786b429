"""Request and response bodies of programs and their participants."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from services.core.schemas import RequestBody, ResponseBody
from services.progress import queries as progress

MATCHING_FACTORS = ("expertise", "accessibility", "values", "communication", "adaptability")


DEFAULT_MATCHING_WEIGHTS = {
    "expertise": 0.35,
    "accessibility": 0.2,
    "values": 0.15,
    "communication": 0.15,
    "adaptability": 0.15,
}


Weight = Annotated[float, Field(ge=0, le=1)]


ParticipantRole = Literal["mentor", "mentee"]
# What applying a cohort run creates: pending requests the mentors answer, or mentorships.
ApplyRunsAs = Literal["requests", "mentorships"]


# Overrides of the health flags' thresholds by name (the defaults apply to the rest).
HealthThresholds = Annotated[
    dict[str, int | float],
    Field(max_length=50),
    AfterValidator(progress.checked_health_thresholds),
]
# Days without a held meeting or a check-in after which a mentorship is closed; it is warned
# about at 45 days and told a week before.
InactiveDays = Annotated[int, Field(ge=60, le=365)]


class ParticipantCreate(RequestBody):
    user_id: uuid.UUID
    role: ParticipantRole


class ParticipantRead(ResponseBody):
    program_id: uuid.UUID
    user_id: uuid.UUID
    role: ParticipantRole
    created_at: datetime


class MatchingWeights(RequestBody):
    expertise: Weight = DEFAULT_MATCHING_WEIGHTS["expertise"]
    accessibility: Weight = DEFAULT_MATCHING_WEIGHTS["accessibility"]
    values: Weight = DEFAULT_MATCHING_WEIGHTS["values"]
    communication: Weight = DEFAULT_MATCHING_WEIGHTS["communication"]
    adaptability: Weight = DEFAULT_MATCHING_WEIGHTS["adaptability"]

    @model_validator(mode="after")
    def some_weight(self) -> Self:
        if sum(self.model_dump().values()) <= 0:
            raise ValueError("at least one weight must be above 0")
        return self


class _ProgramFields(RequestBody):
    @model_validator(mode="after")
    def dates_in_order(self) -> Self:
        starts_on: date | None = getattr(self, "starts_on", None)
        ends_on: date | None = getattr(self, "ends_on", None)
        if starts_on and ends_on and ends_on < starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class ProgramCreate(_ProgramFields):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    starts_on: date | None = None
    ends_on: date | None = None
    self_enrol: bool = True
    matching_weights: MatchingWeights = Field(default_factory=MatchingWeights)
    min_request_score: int = Field(default=0, ge=0, le=100)
    evaluation_interval_days: int = Field(default=30, ge=1, le=365)
    max_pending_requests: int = Field(default=5, ge=1, le=50)
    request_expiry_days: int = Field(default=14, ge=3, le=90)
    one_mentor_at_a_time: bool = True
    apply_runs_as: ApplyRunsAs = "requests"
    health_thresholds: HealthThresholds = Field(default_factory=dict)
    close_inactive_after_days: InactiveDays | None = None


class ProgramUpdate(_ProgramFields):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    starts_on: date | None = None
    ends_on: date | None = None
    self_enrol: bool | None = None
    matching_weights: MatchingWeights | None = None
    min_request_score: int | None = Field(default=None, ge=0, le=100)
    evaluation_interval_days: int | None = Field(default=None, ge=1, le=365)
    max_pending_requests: int | None = Field(default=None, ge=1, le=50)
    request_expiry_days: int | None = Field(default=None, ge=3, le=90)
    one_mentor_at_a_time: bool | None = None
    apply_runs_as: ApplyRunsAs | None = None
    health_thresholds: HealthThresholds | None = None
    close_inactive_after_days: InactiveDays | None = None


class ProgramRead(ResponseBody):
    id: uuid.UUID
    name: str
    description: str
    starts_on: date | None
    ends_on: date | None
    is_default: bool
    self_enrol: bool
    matching_weights: dict[str, float]
    min_request_score: int
    evaluation_interval_days: int
    max_pending_requests: int
    request_expiry_days: int
    one_mentor_at_a_time: bool
    apply_runs_as: ApplyRunsAs
    health_thresholds: dict[str, Any]
    close_inactive_after_days: int | None
    created_at: datetime
    updated_at: datetime
