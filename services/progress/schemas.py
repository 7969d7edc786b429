import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from services.core.schemas import ResponseBody

MentorshipStatus = Literal["active", "paused", "completed", "ended"]
GoalStatus = Literal["active", "achieved", "dropped"]


class CadenceRead(ResponseBody):
    interval_days: int
    session_minutes: int


class MentorshipRead(ResponseBody):
    id: uuid.UUID
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID
    program_id: uuid.UUID | None
    request_id: uuid.UUID | None = Field(description="The accepted request it started from.")
    status: MentorshipStatus
    on_hold: bool
    cadence: CadenceRead | None = Field(description="As agreed when the request was accepted.")
    duration_months: int | None
    created_at: datetime
    updated_at: datetime


class GoalRead(ResponseBody):
    id: uuid.UUID
    mentorship_id: uuid.UUID
    title: str
    description: str
    success_criteria: str
    target_date: date | None
    progress: int = Field(ge=0, le=100)
    status: GoalStatus
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
