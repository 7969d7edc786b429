import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from services.core.schemas import RequestBody, ResponseBody
from services.proposals.lifecycle import Action, Status
from services.proposals.review import CheckName
from services.proposals.review import Status as CheckStatus

RequestBox = Literal["sent", "received"]
RequestStatus = Status
DeclineReason = Literal["no_capacity", "expertise_mismatch", "timing", "other"]


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
    status: CheckStatus
    suggestion: str


class ReviewRead(ResponseBody):
    score: int = Field(ge=0, le=100)
    checks: list[ReviewCheckRead]


class RequestUpdate(RequestBody):
    """A change to a draft; fields left out stay as they are."""

    message: str | None = Field(None, max_length=5000)
    goals: list[DraftLine] | None = Field(None, max_length=10)
    objectives: list[DraftLine] | None = Field(None, max_length=10)
    questions: list[DraftLine] | None = Field(None, max_length=10)
    cadence: Cadence | None = None
    duration_months: int | None = Field(None, ge=1, le=24)
    meeting_options: list[MeetingOption] | None = Field(None, max_length=10)
    contribution: str | None = Field(None, max_length=1000)


class DeclineBody(RequestBody):
    reason: DeclineReason
    message: str | None = Field(None, max_length=2000)


class CounterBody(RequestBody):
    """The mentor's other terms: a cadence, a duration or both, and why."""

    cadence: Cadence | None = None
    duration_months: int | None = Field(None, ge=1, le=24)
    message: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def proposes_something(self) -> Self:
        if self.cadence is None and self.duration_months is None:
            raise ValueError("propose a cadence, a duration or both")
        return self


class WithdrawBody(RequestBody):
    reason: str | None = Field(None, max_length=1000)


class CadenceRead(ResponseBody):
    interval_days: int
    session_minutes: int


class MeetingOptionRead(ResponseBody):
    start: datetime
    end: datetime


class CounterRead(ResponseBody):
    cadence: CadenceRead | None
    duration_months: int | None
    message: str


class DeclineRead(ResponseBody):
    reason: DeclineReason
    message: str | None


class BriefRead(ResponseBody):
    """Why this mentee fits, seen from the mentor's side: matching's score and factors for the
    pair, reasons written to the mentor, the draft's review score and the mentee's goals."""

    score: float = Field(ge=0, le=1, description="Matching's score for the pair.")
    factors: dict[str, float] = Field(
        description="expertise, accessibility, values, communication, adaptability; each 0-1."
    )
    reasons: list[str] = Field(description="Why this mentee fits, written to you.")
    review_score: int | None = Field(description="The review's score when the request was sent.")
    goals: list[str] = Field(
        description="What the mentee asks you for in this request, then their profile's goals."
    )
    mentee_id: uuid.UUID
    mentee_display_name: str
    mentee_headline: str


class RequestRead(ResponseBody):
    id: uuid.UUID
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID
    program_id: uuid.UUID | None
    status: RequestStatus
    on_hold: bool
    message: str
    goals: list[str]
    objectives: list[str]
    questions: list[str]
    cadence: CadenceRead | None
    duration_months: int | None
    meeting_options: list[MeetingOptionRead]
    contribution: str
    review_score: int | None
    counter: CounterRead | None
    decline: DeclineRead | None
    mentorship_id: uuid.UUID | None
    run_id: uuid.UUID | None
    sent_at: datetime | None
    responded_at: datetime | None
    expires_at: datetime | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[Action] = Field(
        description="What you may do with this request now (its lifecycle and your side of it)."
    )
    brief: BriefRead | None = Field(
        None,
        description="The mentor's view of a request awaiting their answer: why this mentee fits.",
    )


class AcceptResult(ResponseBody):
    request: RequestRead
    mentorship_id: uuid.UUID


class TransitionRead(ResponseBody):
    """One step of a request's history; `actor_id` is null when the platform acted."""

    id: uuid.UUID
    actor_id: uuid.UUID | None
    from_status: RequestStatus | None
    to_status: RequestStatus
    reason: str | None
    created_at: datetime
