import uuid
from datetime import datetime
from typing import Any, Literal

from services.core.schemas import ResponseBody


class MatchingRunRead(ResponseBody):
    id: uuid.UUID
    program_id: uuid.UUID
    mode: str
    status: Literal["queued", "running", "succeeded", "failed"]
    progress: float
    stats: dict[str, Any]
    created_at: datetime
