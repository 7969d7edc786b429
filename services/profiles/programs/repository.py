"""Every SQL statement over programs and their participants."""

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
from services.profiles.programs.models import Program, ProgramParticipant


async def list_programs(
    session: AsyncSession, params: PageParams
) -> tuple[list[Program], str | None]:
    return await paginate(session, select(Program), Program, params)


async def get_program(
    session: AsyncSession, program_id: uuid.UUID, *, for_update: bool = False
) -> Program | None:
    stmt = select(Program).where(Program.id == program_id)
    if for_update:
        # The row as it is once locked, even if this session read it before.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    program: Program | None = await session.scalar(stmt)
    return program


async def has_place(
    session: AsyncSession, program_id: uuid.UUID, user_id: uuid.UUID, role: str
) -> bool:
    existing = await session.scalar(
        select(ProgramParticipant.id).where(
            ProgramParticipant.program_id == program_id,
            ProgramParticipant.user_id == user_id,
            ProgramParticipant.role == role,
        )
    )
    return existing is not None


async def list_participants(
    session: AsyncSession, program_id: uuid.UUID, params: PageParams, role: str | None
) -> tuple[list[ProgramParticipant], str | None]:
    stmt = select(ProgramParticipant).where(ProgramParticipant.program_id == program_id)
    if role is not None:
        stmt = stmt.where(ProgramParticipant.role == role)
    return await paginate(session, stmt, ProgramParticipant, params)


async def delete_places(
    session: AsyncSession, program_id: uuid.UUID, user_id: uuid.UUID, role: str | None
) -> list[tuple[str, uuid.UUID]]:
    """Delete the user's places (in `role`, or both); (role, tenant_id) of each one deleted."""
    stmt = delete(ProgramParticipant).where(
        ProgramParticipant.program_id == program_id, ProgramParticipant.user_id == user_id
    )
    if role is not None:
        stmt = stmt.where(ProgramParticipant.role == role)
    result: Any = await session.execute(
        stmt.returning(ProgramParticipant.role, ProgramParticipant.tenant_id)
    )
    return [(row[0], row[1]) for row in result.all()]


async def program_named(session: AsyncSession, name: str) -> Program | None:
    """The oldest program with this name (names are not unique)."""
    program: Program | None = await session.scalar(
        select(Program).where(Program.name == name).order_by(Program.created_at).limit(1)
    )
    return program
