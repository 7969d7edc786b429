"""Every SQL statement of the matching service."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.runs.models import MatchingRun


async def get_run(session: AsyncSession, run_id: uuid.UUID) -> MatchingRun | None:
    run: MatchingRun | None = await session.scalar(
        select(MatchingRun).where(MatchingRun.id == run_id)
    )
    return run
