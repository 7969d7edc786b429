from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from services.core.schemas import ResponseBody
from services.progress.health import FlagKind


class FlagRead(ResponseBody):
    kind: FlagKind
    severity: Literal["info", "warning", "critical"]
    evidence: dict[str, Any] = Field(
        description="The facts that raised it: dates, counts, ratings."
    )
    suggestion: str = Field(description="A next step a person can act on.")


class HealthRead(ResponseBody):
    score: int = Field(ge=0, le=100)
    computed_at: datetime
    flags: list[FlagRead]
    strengths: list[str]
