"""Bodies of the admin API that manages SCIM tokens."""

import uuid
from datetime import datetime

from pydantic import Field

from services.core.schemas import ResponseBody


class ScimTokenRead(ResponseBody):
    id: uuid.UUID
    prefix: str
    created_at: datetime
    created_by: uuid.UUID | None
    last_used_at: datetime | None


class ScimTokenCreated(ResponseBody):
    """The only response that carries the token itself."""

    id: uuid.UUID
    token: str | None = Field(
        description="The token, shown once: null in a replay of an Idempotency-Key request."
    )
    prefix: str
    created_at: datetime
