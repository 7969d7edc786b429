"""The platform's own maintenance jobs (the outbox's are in `services.core.outbox.tasks`)."""

from typing import Any

from services.core.db import database
from services.core.idempotency import purge_expired


async def purge_idempotency_keys(_ctx: dict[str, Any] | None = None) -> int:
    """Forget idempotency keys past their time to live; returns how many."""
    async with database.transaction() as session:
        return await purge_expired(session)
