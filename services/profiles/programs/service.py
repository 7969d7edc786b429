"""Use cases of programs and their participants. Flushes, never commits."""

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import Conflict, FieldError, Forbidden, NotFound, Unprocessable
from services.core.etags import expect_version
from services.core.outbox import emit, emit_many
from services.core.pagination import PageParams
from services.profiles.programs import repository
from services.profiles.programs.models import Program, ProgramParticipant
from services.profiles.programs.schemas import ParticipantCreate, ProgramCreate, ProgramUpdate
from services.profiles.users.service import get_user


async def list_programs(
    session: AsyncSession, params: PageParams
) -> tuple[list[Program], str | None]:
    return await repository.list_programs(session, params)


async def get_program(
    session: AsyncSession, program_id: uuid.UUID, *, for_update: bool = False
) -> Program:
    program = await repository.get_program(session, program_id, for_update=for_update)
    if program is None:
        raise NotFound("No such program.")
    return program


async def program_named(session: AsyncSession, name: str) -> Program | None:
    return await repository.program_named(session, name)


async def create_program(
    session: AsyncSession, principal: Principal, body: ProgramCreate
) -> Program:
    program = Program(
        tenant_id=principal.tenant_id,
        created_by=principal.user_id,
        **body.model_dump(exclude={"matching_weights"}),
        matching_weights=body.matching_weights.model_dump(),
    )
    session.add(program)
    await session.flush()
    emit(
        session,
        "program.created",
        {"program_id": str(program.id), "name": program.name},
        tenant_id=principal.tenant_id,
    )
    return program


_REQUIRED_PROGRAM_FIELDS = (
    "name",
    "description",
    "self_enrol",
    "matching_weights",
    "min_request_score",
    "evaluation_interval_days",
    "max_pending_requests",
    "request_expiry_days",
    "one_mentor_at_a_time",
    "apply_runs_as",
    "health_thresholds",
)


async def update_program(
    session: AsyncSession,
    principal: Principal,
    program_id: uuid.UUID,
    body: ProgramUpdate,
    expected_version: int | None,
) -> Program:
    # Locked only when no version is expected: then the versioned UPDATE sees the version it
    # read. With one, the UPDATE's own check decides (see services.core.models.Versioned).
    program = await get_program(session, program_id, for_update=expected_version is None)
    expect_version(program.version, expected_version)
    changes = body.model_dump(exclude_unset=True)
    cleared = [
        name for name in _REQUIRED_PROGRAM_FIELDS if name in changes and changes[name] is None
    ]
    if cleared:
        raise Unprocessable(
            "These fields cannot be emptied.",
            errors=[FieldError(loc=["body", name], msg="may not be null") for name in cleared],
        )
    for name, value in changes.items():
        setattr(program, name, value)
    if program.starts_on and program.ends_on and program.ends_on < program.starts_on:
        raise Unprocessable(
            "ends_on must not be before starts_on.",
            errors=[FieldError(loc=["body", "ends_on"], msg="before starts_on")],
        )
    await session.flush()
    emit(
        session,
        "program.updated",
        {"program_id": str(program.id), "fields": sorted(changes)},
        tenant_id=principal.tenant_id,
    )
    return program


async def add_participant(
    session: AsyncSession, principal: Principal, program_id: uuid.UUID, body: ParticipantCreate
) -> ProgramParticipant:
    """Admins enrol anyone; others enrol themselves where the program allows it, as a mentor
    only if they hold the mentor role."""
    program = await get_program(session, program_id)
    is_admin = principal.has_role("admin")
    if not is_admin:
        if body.user_id != principal.user_id:
            raise Forbidden("Only an admin can enrol someone else.")
        if not program.self_enrol:
            raise Forbidden("This program is enrolled by its admins.")
    user = await get_user(session, body.user_id)
    if not user.active:
        raise Conflict("This account is deactivated.")
    if body.role not in user.roles:
        raise Conflict(f"Only a user with the {body.role} role can join as {body.role}.")
    participant = await enrol(session, program.id, user.id, body.role)
    if participant is None:
        raise Conflict(f"Already in this program as {body.role}.")
    return participant


async def enrol(
    session: AsyncSession, program_id: uuid.UUID, user_id: uuid.UUID, role: str
) -> ProgramParticipant | None:
    """Give the user a place in the program; None if they already have it. The caller has
    decided that they may (an admin, the user themselves, or the identity provider)."""
    if await repository.has_place(session, program_id, user_id, role):
        return None
    participant = ProgramParticipant(program_id=program_id, user_id=user_id, role=role)
    session.add(participant)
    await session.flush()
    emit(
        session,
        "program.participant_added",
        {"program_id": str(program_id), "user_id": str(user_id), "role": role},
        tenant_id=participant.tenant_id,
    )
    return participant


async def enrol_many(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    program_id: uuid.UUID,
    places: Sequence[tuple[uuid.UUID, str]],
) -> int:
    """`enrol` for many people at once (bulk seeding): one statement, one event per new place;
    returns how many were new. The program must be the tenant's (NotFound otherwise)."""
    program = await get_program(session, program_id)
    added = await repository.enrol_many(session, tenant_id, program.id, places)
    await emit_many(
        session,
        [
            (
                "program.participant_added",
                {"program_id": str(program.id), "user_id": str(user_id), "role": role},
            )
            for user_id, role in added
        ],
        tenant_id=tenant_id,
    )
    return len(added)


async def list_participants(
    session: AsyncSession, program_id: uuid.UUID, params: PageParams, role: str | None
) -> tuple[list[ProgramParticipant], str | None]:
    await get_program(session, program_id)
    return await repository.list_participants(session, program_id, params, role)


async def remove_participant(
    session: AsyncSession,
    principal: Principal,
    program_id: uuid.UUID,
    user_id: uuid.UUID,
    role: str | None,
) -> None:
    if not principal.has_role("admin") and user_id != principal.user_id:
        raise Forbidden("Only an admin can remove someone else.")
    program = await get_program(session, program_id)
    if not await withdraw(session, program.id, user_id, role):
        raise NotFound("Not a participant of this program.")


async def withdraw(
    session: AsyncSession, program_id: uuid.UUID, user_id: uuid.UUID, role: str | None
) -> list[str]:
    """Take the user's place (in `role`, or in both roles) out of the program; returns the roles
    removed."""
    rows = await repository.delete_places(session, program_id, user_id, role)
    if rows:
        emit(
            session,
            "program.participant_removed",
            {"program_id": str(program_id), "user_id": str(user_id), "roles": [r[0] for r in rows]},
            tenant_id=rows[0][1],
        )
    return [r[0] for r in rows]
