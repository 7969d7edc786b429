"""Response bodies of the tenant."""

import uuid
from datetime import datetime
from typing import Any

from services.core.schemas import ResponseBody


class TenantRead(ResponseBody):
    id: uuid.UUID
    slug: str
    name: str
    settings: dict[str, Any]
    created_at: datetime
