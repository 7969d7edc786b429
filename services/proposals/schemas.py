import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from services.core.schemas import RequestBody, ResponseBody
from services.proposals.review import CheckName, Status

RequestBox = Literal["sent", "received"]
RequestStatus = Literal[
    "draft", "pending", "countered", "accepted", "declined", "withdrawn", "expired"
]


class RequestRead(ResponseBody):
    id: uuid.UUID
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID
    program_id: uuid.UUID | None
    status: RequestStatus
    on_hold: bool
    created_at: datetime


DraftLine = Annotated[str, Field(max_length=500)]


class Cadence(RequestBody):
    interval_days: int = Field(ge=1, le=90, description="Days between sessions.")
    session_minutes: int = Field(ge=15, le=240)


class MeetingOption(RequestBody):
    """A time the mentee proposes for the first meeting, with its UTC offset."""

    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def ends_after_start(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class RequestDraft(RequestBody):
    """A mentorship request as the mentee writes it. Everything but the mentor may still be
    missing from a draft; the review says what to add."""

    mentor_id: uuid.UUID
    program_id: uuid.UUID | None = None
    message: str = Field("", max_length=5000)
    goals: list[DraftLine] = Field(default_factory=list, max_length=10)
    objectives: list[DraftLine] = Field(default_factory=list, max_length=10)
    questions: list[DraftLine] = Field(default_factory=list, max_length=10)
    cadence: Cadence | None = None
    duration_months: int | None = Field(None, ge=1, le=24)
    meeting_options: list[MeetingOption] = Field(default_factory=list, max_length=10)
    contribution: str = Field("", max_length=1000)


class ReviewCheckRead(ResponseBody):
    name: CheckName
    status: Status
    suggestion: str


class ReviewRead(ResponseBody):
    score: int = Field(ge=0, le=100)
    checks: list[ReviewCheckRead]
