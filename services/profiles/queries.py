"""Read-only queries other services may use; they never import the profiles models directly."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.profiles.programs.models import Program
from services.profiles.users.models import User


async def active_user_ids(session: AsyncSession, user_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these users exist in the session's tenant and are active."""
    rows = await session.scalars(select(User.id).where(User.id.in_(user_ids), User.active))
    return set(rows)


async def default_program_id(session: AsyncSession) -> uuid.UUID | None:
    program_id: uuid.UUID | None = await session.scalar(
        select(Program.id).where(Program.is_default)
    )
    return program_id
