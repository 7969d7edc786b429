import uuid
from datetime import datetime
from typing import Literal

from services.core.schemas import ResponseBody

MentorshipStatus = Literal["active", "paused", "completed", "ended"]


class MentorshipRead(ResponseBody):
    id: uuid.UUID
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID
    program_id: uuid.UUID | None
    status: MentorshipStatus
    on_hold: bool
    created_at: datetime
