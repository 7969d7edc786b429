import uuid
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field

from services.core.schemas import RequestBody, ResponseBody
from services.progress.meeting_lifecycle import Status


def _in_utc(moment: datetime) -> datetime:
    # A moment with no UTC form within Python's years (0001-01-01T00:00+14:00) is the client's
    # to fix, not a failure of ours.
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("has no UTC time within the years 1-9999") from exc


Moment = Annotated[
    AwareDatetime,
    AfterValidator(_in_utc),
    Field(description="With its UTC offset, e.g. 2026-03-02T15:00:00+01:00."),
]
Minutes = Annotated[int, Field(ge=5, le=480, description="How long it lasts (5-480).")]
Notes = Annotated[str, Field(max_length=10_000)]


class MeetingCreate(RequestBody):
    """A meeting to plan (`scheduled`, in the future), or one to log that already happened
    (`held` or `missed`, in the past)."""

    starts_at: Moment
    minutes: Minutes
    status: Status = "scheduled"
    notes: Notes | None = None


class MeetingUpdate(RequestBody):
    """A change of status, time, length or notes; fields left out stay as they are. A new
    `starts_at` for a scheduled meeting reschedules it."""

    status: Status | None = None
    starts_at: Moment | None = None
    minutes: Minutes | None = None
    notes: Notes | None = Field(None, description="null clears them.")


class MeetingRead(ResponseBody):
    id: uuid.UUID
    mentorship_id: uuid.UUID
    starts_at: datetime
    minutes: int
    status: Status
    notes: str | None
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
