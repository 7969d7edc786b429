import uuid
from datetime import datetime
from typing import Literal

from services.core.schemas import ResponseBody

RequestBox = Literal["sent", "received"]
RequestStatus = Literal[
    "draft", "pending", "countered", "accepted", "declined", "withdrawn", "expired"
]


class RequestRead(ResponseBody):
    id: uuid.UUID
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID
    program_id: uuid.UUID | None
    status: RequestStatus
    on_hold: bool
    created_at: datetime
