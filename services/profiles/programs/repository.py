"""Every SQL statement over programs and their participants."""

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, text
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


_ENROL_MANY = text(
    """
    INSERT INTO profiles.program_participants
        (id, tenant_id, program_id, user_id, role, created_at, updated_at)
    SELECT gen_random_uuid(), CAST(:tenant_id AS uuid), CAST(:program_id AS uuid), r.user_id,
           r.role, now(), now()
    FROM json_to_recordset(CAST(:rows AS json)) AS r(user_id uuid, role text)
    JOIN profiles.users u ON u.id = r.user_id AND u.tenant_id = CAST(:tenant_id AS uuid)
    ON CONFLICT (program_id, user_id, role) DO NOTHING
    RETURNING user_id, role
    """
)


async def enrol_many(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    program_id: uuid.UUID,
    places: Sequence[tuple[uuid.UUID, str]],
) -> list[tuple[uuid.UUID, str]]:
    """Give these (user, role) places in the program in one statement; returns the places that
    were new (users of another tenant are skipped)."""
    if not places:
        return []
    rows = json.dumps([{"user_id": str(user), "role": role} for user, role in places])
    found = await session.execute(
        _ENROL_MANY, {"tenant_id": tenant_id, "program_id": program_id, "rows": rows}
    )
    return [(user_id, role) for user_id, role in found.all()]
