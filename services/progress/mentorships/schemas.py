import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from services.core.schemas import RequestBody, ResponseBody

MentorshipStatus = Literal["active", "paused", "completed", "ended"]


class CadenceRead(ResponseBody):
    interval_days: int
    session_minutes: int


class Cadence(RequestBody):
    interval_days: int = Field(ge=1, le=90, description="Days between sessions.")
    session_minutes: int = Field(ge=15, le=240)


class MentorshipUpdate(RequestBody):
    """A change of status or cadence; fields left out stay as they are."""

    status: MentorshipStatus | None = None
    reason: str | None = Field(
        None, max_length=2000, description="Why it ends or completes; required to end it."
    )
    cadence: Cadence | None = None


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
    end_reason: str | None
    status_changed_at: datetime | None
    created_at: datetime
    updated_at: datetime
