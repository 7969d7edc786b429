import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from services.core.schemas import RequestBody, ResponseBody

GoalStatus = Literal["active", "achieved", "dropped"]

TITLE_MAX = 500
TEXT_MAX = 5000


class GoalCreate(RequestBody):
    """A new goal; it starts `active`."""

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field("", max_length=TEXT_MAX)
    success_criteria: str = Field(
        "", max_length=TEXT_MAX, description="How the mentee will know the goal is reached."
    )
    target_date: date | None = Field(None, description="Not before the day the mentorship started.")
    progress: int = Field(0, ge=0, le=100)


class GoalUpdate(RequestBody):
    """A change to a goal; fields left out stay as they are. A change of title, success
    criteria or target date is kept as a revision."""

    title: str | None = Field(None, min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(None, max_length=TEXT_MAX, description="null: empty.")
    success_criteria: str | None = Field(None, max_length=TEXT_MAX, description="null: empty.")
    target_date: date | None = Field(None, description="null: no target date.")
    progress: int | None = Field(None, ge=0, le=100)
    status: GoalStatus | None = Field(None, description="`achieved` sets the progress to 100.")

    @field_validator("title", "progress", "status")
    @classmethod
    def not_null(cls, value: Any) -> Any:
        # Only a value the client sent is validated: a null here would erase what must be there.
        if value is None:
            raise ValueError("may not be null")
        return value


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


class GoalRevisionRead(ResponseBody):
    id: uuid.UUID
    changed_at: datetime
    changed_by: uuid.UUID | None
    before: dict[str, Any] = Field(description="The changed fields as they were.")
    after: dict[str, Any] = Field(description="The same fields as they became.")
