"""Use cases of the matching service. Flushes, never commits."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.errors import NotFound
from services.matching.runs import repository
from services.matching.runs.models import MatchingRun


async def get_run(session: AsyncSession, run_id: uuid.UUID) -> MatchingRun:
    run = await repository.get_run(session, run_id)
    if run is None:
        raise NotFound("No such matching run.")
    return run
