"""Use cases of the profiles service: tenants, users and programs. Flushes, never commits."""

import re
import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import ROLES, Principal
from services.core.concurrency import bump_version, check_if_match
from services.core.errors import Conflict, FieldError, NotFound, Unauthorized, Unprocessable
from services.core.outbox import emit
from services.core.pagination import PageParams, paginate
from services.core.tenancy import bind_tenant
from services.profiles.models import Program, Tenant, User
from services.profiles.schemas import DEFAULT_MATCHING_WEIGHTS, ProgramCreate, ProgramUpdate

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


def _display_name_from(email: str) -> str:
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
            display_name=_display_name_from(email),
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


async def get_program(session: AsyncSession, program_id: uuid.UUID) -> Program:
    program = await session.scalar(select(Program).where(Program.id == program_id))
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
    program = await get_program(session, program_id)
    check_if_match(if_match, program)
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
