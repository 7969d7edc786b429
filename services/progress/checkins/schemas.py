import uuid
from datetime import datetime
from typing import Literal, Self

from pydantic import Field

from services.core.schemas import RequestBody, ResponseBody
from services.progress.checkins.models import CheckIn
from services.progress.mentorships.models import Mentorship


class CheckInCreate(RequestBody):
    """A short written update: what happened, what is next, what is in the way."""

    summary: str = Field(min_length=1, max_length=5000, description="What happened.")
    next_steps: str = Field("", max_length=5000, description="What is next.")
    blockers: str | None = Field(None, max_length=5000, description="What is in the way.")


class CheckInRead(ResponseBody):
    id: uuid.UUID
    mentorship_id: uuid.UUID
    author_id: uuid.UUID
    side: Literal["mentee", "mentor"] = Field(description="Which side of the mentorship wrote it.")
    summary: str
    next_steps: str
    blockers: str | None
    created_at: datetime

    @classmethod
    def of(cls, check_in: CheckIn, mentorship: Mentorship) -> Self:
        side = "mentee" if check_in.author_id == mentorship.mentee_id else "mentor"
        return cls.model_validate(
            {
                "id": check_in.id,
                "mentorship_id": check_in.mentorship_id,
                "author_id": check_in.author_id,
                "side": side,
                "summary": check_in.summary,
                "next_steps": check_in.next_steps,
                "blockers": check_in.blockers,
                "created_at": check_in.created_at,
            }
        )
