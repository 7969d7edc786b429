import uuid
from datetime import datetime

from pydantic import Field

from services.core.schemas import ResponseBody
from services.progress.health import FlagKind


class HealthSummary(ResponseBody):
    assessed: int = Field(description="Running mentorships with a stored assessment.")
    mean_score: float | None
    distribution: dict[str, int] = Field(description="Assessed mentorships per band of scores.")


class AtRisk(ResponseBody):
    mentorship_id: uuid.UUID
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID
    score: int
    top_flag: FlagKind
    severity: str
    suggestion: str
    computed_at: datetime


class Rate(ResponseBody):
    rate: float | None = Field(description="Null when nothing is counted yet.")
    of: int = Field(description="What the rate is a share of.")


class ProgramReport(ResponseBody):
    program_id: uuid.UUID
    generated_at: datetime
    mentorships: dict[str, int] = Field(description="By status.")
    health: HealthSummary
    at_risk: list[AtRisk] = Field(description="Lowest score first, at most 100.")
    goal_completion: Rate
    request_acceptance: Rate = Field(
        description="Accepted of the requests answered or expired (sent and decided)."
    )
    median_hours_to_accept: float | None
    median_days_to_first_meeting: float | None
    evaluation_response: Rate
