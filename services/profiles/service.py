"""Use cases of the profiles service: tenants, users and programs. Flushes, never commits."""

import re
import uuid
from collections.abc import Iterable
from functools import partial
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.access import access_list
from services.core.auth import ROLES, Principal
from services.core.concurrency import bump_version, check_if_match, etag
from services.core.db import after_commit
from services.core.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    Unauthorized,
    Unprocessable,
)
from services.core.outbox import emit
from services.core.pagination import PageParams, paginate
from services.core.tenancy import bind_tenant
from services.profiles.models import Program, ProgramParticipant, Tenant, User
from services.profiles.schemas import (
    DEFAULT_MATCHING_WEIGHTS,
    ParticipantCreate,
    ProgramCreate,
    ProgramUpdate,
    UserUpdate,
)

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DEFAULT_PROGRAM_NAME = "General mentoring"


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > 320:
        raise Unprocessable(
            "Not an email address.", errors=[FieldError(loc=["email"], msg="not an email address")]
        )
    return email


def display_name_from(email: str) -> str:
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in re.split(r"[._-]+", local) if part) or email


async def create_tenant(session: AsyncSession, *, slug: str, name: str, admin_email: str) -> Tenant:
    """A new organisation with its default program and first admin."""
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise Unprocessable(
            "A slug is 1 to 63 lowercase letters, digits and hyphens.",
            errors=[FieldError(loc=["slug"], msg="invalid slug")],
        )
    if await session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise Conflict(f"A tenant with slug {slug!r} already exists.")
    tenant = Tenant(id=uuid.uuid4(), slug=slug, name=name.strip() or slug, settings={})
    session.add(tenant)
    await session.flush()
    bind_tenant(session, tenant.id)
    session.add(
        Program(
            tenant_id=tenant.id,
            name=DEFAULT_PROGRAM_NAME,
            is_default=True,
            matching_weights=dict(DEFAULT_MATCHING_WEIGHTS),
        )
    )
    emit(
        session, "tenant.created", {"tenant_id": str(tenant.id), "slug": slug}, tenant_id=tenant.id
    )
    await ensure_user(session, tenant, admin_email, ["admin"])
    return tenant


async def tenant_by_slug(session: AsyncSession, slug: str) -> Tenant:
    tenant = await session.scalar(select(Tenant).where(Tenant.slug == slug.strip().lower()))
    if tenant is None:
        raise NotFound(f"No tenant {slug!r}.")
    return tenant


async def ensure_user(
    session: AsyncSession, tenant: Tenant, email: str, roles: Iterable[str]
) -> User:
    """The user with this email, created on first use; the roles asked for are added."""
    email = normalise_email(email)
    wanted = sorted(set(roles))
    unknown = [r for r in wanted if r not in ROLES]
    if unknown:
        raise Unprocessable(f"Unknown roles: {', '.join(unknown)}; known: {', '.join(ROLES)}.")
    bind_tenant(session, tenant.id)
    user = await session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            tenant_id=tenant.id,
            email=email,
            display_name=display_name_from(email),
            roles=wanted or ["mentee"],
        )
        session.add(user)
        await session.flush()
        emit(
            session,
            "user.created",
            {"user_id": str(user.id), "email": email, "roles": user.roles},
            tenant_id=tenant.id,
        )
    elif not set(wanted) <= set(user.roles):
        user.roles = sorted(set(user.roles) | set(wanted))
        await session.flush()
    return user


async def get_tenant(session: AsyncSession, principal: Principal) -> Tenant:
    tenant = await session.get(Tenant, principal.tenant_id)
    if tenant is None:
        raise Unauthorized("The tenant of this token no longer exists.")
    return tenant


async def get_current_user(session: AsyncSession, principal: Principal) -> User:
    user = await session.scalar(select(User).where(User.id == principal.user_id))
    if user is None or not user.active:
        raise Unauthorized("This account does not exist or is deactivated.")
    return user


async def list_programs(
    session: AsyncSession, params: PageParams
) -> tuple[list[Program], str | None]:
    return await paginate(session, select(Program), Program, params)


async def get_program(
    session: AsyncSession, program_id: uuid.UUID, *, for_update: bool = False
) -> Program:
    stmt = select(Program).where(Program.id == program_id)
    program = await session.scalar(stmt.with_for_update() if for_update else stmt)
    if program is None:
        raise NotFound("No such program.")
    return program


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
)


async def update_program(
    session: AsyncSession,
    principal: Principal,
    program_id: uuid.UUID,
    body: ProgramUpdate,
    if_match: str | None,
) -> Program:
    program = await get_program(session, program_id, for_update=True)
    check_if_match(if_match, etag(program.version))
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
    bump_version(program)
    await session.flush()
    emit(
        session,
        "program.updated",
        {"program_id": str(program.id), "fields": sorted(changes)},
        tenant_id=principal.tenant_id,
    )
    return program


async def list_users(
    session: AsyncSession,
    params: PageParams,
    *,
    role: str | None = None,
    active: bool | None = None,
    q: str | None = None,
) -> tuple[list[User], str | None]:
    stmt = select(User)
    if role is not None:
        stmt = stmt.where(User.roles.contains([role]))
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    if q:
        pattern = f"%{q.strip().lower()}%"
        stmt = stmt.where(
            User.email.ilike(pattern, escape="\\") | User.display_name.ilike(pattern, escape="\\")
        )
    return await paginate(session, stmt, User, params)


async def get_user(session: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False) -> User:
    stmt = select(User).where(User.id == user_id)
    user = await session.scalar(stmt.with_for_update() if for_update else stmt)
    if user is None:
        raise NotFound("No such user.")
    return user


async def update_user(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, body: UserUpdate
) -> User:
    """An admin renames, changes roles, deactivates or reactivates someone."""
    user = await get_user(session, user_id, for_update=True)
    changes = body.model_dump(exclude_unset=True)
    if any(changes.get(name, False) is None for name in ("display_name", "roles", "active")):
        raise Unprocessable("display_name, roles and active cannot be emptied.")
    if user.id == principal.user_id and (
        changes.get("active") is False or ("roles" in changes and "admin" not in changes["roles"])
    ):
        raise Conflict("You cannot deactivate yourself or drop your own admin role.")
    if "display_name" in changes:
        user.display_name = changes["display_name"]
    if "roles" in changes:
        user.roles = sorted(set(changes["roles"]))
    was_active = user.active
    if "active" in changes:
        user.active = changes["active"]
    await session.flush()
    if was_active and not user.active:
        emit(session, "user.deactivated", {"user_id": str(user.id)}, tenant_id=user.tenant_id)
        after_commit(session, partial(access_list.block, user.id))
    elif not was_active and user.active:
        emit(session, "user.reactivated", {"user_id": str(user.id)}, tenant_id=user.tenant_id)
        after_commit(session, partial(access_list.unblock, user.id))
    if "roles" in changes or "display_name" in changes:
        emit(
            session,
            "user.updated",
            {"user_id": str(user.id), "roles": user.roles, "display_name": user.display_name},
            tenant_id=user.tenant_id,
        )
    return user


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
    existing = await session.scalar(
        select(ProgramParticipant.id).where(
            ProgramParticipant.program_id == program_id,
            ProgramParticipant.user_id == user_id,
            ProgramParticipant.role == role,
        )
    )
    if existing is not None:
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


async def list_participants(
    session: AsyncSession, program_id: uuid.UUID, params: PageParams, role: str | None
) -> tuple[list[ProgramParticipant], str | None]:
    await get_program(session, program_id)
    stmt = select(ProgramParticipant).where(ProgramParticipant.program_id == program_id)
    if role is not None:
        stmt = stmt.where(ProgramParticipant.role == role)
    return await paginate(session, stmt, ProgramParticipant, params)


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
    stmt = delete(ProgramParticipant).where(
        ProgramParticipant.program_id == program_id, ProgramParticipant.user_id == user_id
    )
    if role is not None:
        stmt = stmt.where(ProgramParticipant.role == role)
    result: Any = await session.execute(
        stmt.returning(ProgramParticipant.role, ProgramParticipant.tenant_id)
    )
    rows = list(result.all())
    if rows:
        emit(
            session,
            "program.participant_removed",
            {"program_id": str(program_id), "user_id": str(user_id), "roles": [r[0] for r in rows]},
            tenant_id=rows[0][1],
        )
    return [r[0] for r in rows]
