import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from services.core.schemas import RequestBody, ResponseBody

Side = Literal["mentee", "mentor"]
Rating = Annotated[int, Field(ge=1, le=5)]
GoalProgress = Annotated[int, Field(ge=0, le=100)]
# More than a mentorship's goals could ever be; bounds what one body makes us look up.
MAX_GOALS = 100


class Ratings(RequestBody):
    """Each from 1 (poor) to 5 (excellent), as whole numbers; all five are required."""

    communication: Rating
    engagement: Rating
    time_commitment: Rating
    goal_fit: Rating
    overall: Rating


class EvaluationCreate(RequestBody):
    goal_progress: dict[uuid.UUID, GoalProgress] = Field(
        default_factory=dict,
        max_length=MAX_GOALS,
        description="Progress 0-100 per goal of this mentorship, as you see it, by goal id.",
    )
    ratings: Ratings
    comments: str = Field("", max_length=5000)


class RatingsRead(ResponseBody):
    communication: int
    engagement: int
    time_commitment: int
    goal_fit: int
    overall: int


class EvaluationRead(ResponseBody):
    id: uuid.UUID
    mentorship_id: uuid.UUID
    author_id: uuid.UUID
    side: Side
    period_start: date = Field(description="The first day of the period it was written in.")
    goal_progress: dict[uuid.UUID, int]
    ratings: RatingsRead
    comments: str
    created_at: datetime
