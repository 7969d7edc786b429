import uuid
from datetime import date, datetime

from pydantic import Field

from services.core.schemas import RequestBody, ResponseBody


class MilestoneCreate(RequestBody):
    """An achievement to share with the other side."""

    title: str = Field(min_length=1, max_length=500)
    description: str = Field("", max_length=5000)
    goal_id: uuid.UUID | None = Field(None, description="A goal of this mentorship it reaches.")
    achieved_on: date = Field(description="Not in the future.")


class MilestoneRead(ResponseBody):
    id: uuid.UUID
    mentorship_id: uuid.UUID
    goal_id: uuid.UUID | None
    title: str
    description: str
    achieved_on: date
    created_by: uuid.UUID = Field(description="Who shared it: the mentee or the mentor.")
    created_at: datetime
