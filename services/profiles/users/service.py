"""Use cases of users: create on first use, read, list, change. Flushes, never commits."""

import re
import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import ROLES, Principal
from services.core.errors import Conflict, FieldError, NotFound, Unauthorized, Unprocessable
from services.core.etags import expect_version
from services.core.outbox import emit
from services.core.pagination import PageParams
from services.profiles.tenants.models import Tenant
from services.profiles.users import repository
from services.profiles.users.models import User
from services.profiles.users.schemas import UserUpdate

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL_LENGTH = 320


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > MAX_EMAIL_LENGTH:
        raise Unprocessable(
            "Not an email address.", errors=[FieldError(loc=["email"], msg="not an email address")]
        )
    return email


def display_name_from(email: str) -> str:
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in re.split(r"[._-]+", local) if part) or email


async def ensure_user(
    session: AsyncSession, tenant: Tenant, email: str, roles: Iterable[str]
) -> User:
    """The user with this email, created on first use; the roles asked for are added. The
    session is bound to `tenant` (its boundary did that)."""
    email = normalise_email(email)
    wanted = sorted(set(roles))
    unknown = [r for r in wanted if r not in ROLES]
    if unknown:
        raise Unprocessable(f"Unknown roles: {', '.join(unknown)}; known: {', '.join(ROLES)}.")
    user = await repository.user_by_email(session, email)
    if user is None:
        user = await create_user(session, tenant, email, wanted)
        if user is not None:
            return user
        user = await repository.user_by_email(session, email)  # created meanwhile
        assert user is not None  # users are never deleted
    if not set(wanted) <= set(user.roles):
        user.roles = sorted(set(user.roles) | set(wanted))
        await session.flush()
        announce_update(session, user)
    return user


async def create_user(
    session: AsyncSession,
    tenant: Tenant,
    email: str,
    roles: Iterable[str] = (),
    *,
    scim_user_name: str | None = None,
) -> User | None:
    """A new user with this (normalised) email and SCIM userName; None if the tenant has one
    with either already, even one created by a request racing this one."""
    user = await repository.insert_user(
        session,
        tenant.id,
        email,
        display_name_from(email),
        sorted(set(roles)) or ["mentee"],
        scim_user_name,
    )
    if user is not None:
        emit(
            session,
            "user.created",
            {"user_id": str(user.id), "email": email, "roles": user.roles},
            tenant_id=tenant.id,
        )
    return user


async def get_current_user(session: AsyncSession, principal: Principal) -> User:
    user = await repository.get_user(session, principal.user_id)
    if user is None or not user.active:
        raise Unauthorized("This account does not exist or is deactivated.")
    return user


async def list_users(
    session: AsyncSession,
    params: PageParams,
    *,
    role: str | None = None,
    active: bool | None = None,
    q: str | None = None,
) -> tuple[list[User], str | None]:
    return await repository.list_users(session, params, role=role, active=active, q=q)


async def get_user(session: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False) -> User:
    user = await repository.get_user(session, user_id, for_update=for_update)
    if user is None:
        raise NotFound("No such user.")
    return user


async def user_ids_by_email(session: AsyncSession, emails: list[str]) -> dict[str, uuid.UUID]:
    """Ids of the session tenant's users with these emails (normalised first), by email."""
    return await repository.ids_by_email(session, [normalise_email(e) for e in emails])


async def update_user(
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID,
    body: UserUpdate,
    *,
    expected_version: int | None = None,
) -> User:
    """An admin renames, changes roles, deactivates or reactivates someone; with
    `expected_version`, only if the account is still at that version (else 412)."""
    # With no version expected the row is locked, so the versioned UPDATE sees the version it
    # read; with one, the UPDATE's own version check decides, and a lock would only queue.
    user = await get_user(session, user_id, for_update=expected_version is None)
    expect_version(user.version, expected_version)
    changes = body.model_dump(exclude_unset=True)
    if any(changes.get(name, False) is None for name in ("display_name", "roles", "active")):
        raise Unprocessable("display_name, roles and active cannot be emptied.")
    if user.id == principal.user_id and (
        changes.get("active") is False or ("roles" in changes and "admin" not in changes["roles"])
    ):
        raise Conflict("You cannot deactivate yourself or drop your own admin role.")
    if "manager_id" in changes:
        user.manager_id = await _manager_for(session, user, changes["manager_id"])
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
    elif not was_active and user.active:
        emit(session, "user.reactivated", {"user_id": str(user.id)}, tenant_id=user.tenant_id)
    if "roles" in changes or "display_name" in changes:
        announce_update(session, user)
    return user


async def _manager_for(
    session: AsyncSession, user: User, manager_id: uuid.UUID | None
) -> uuid.UUID | None:
    """The manager an admin names, if it is another user of the organisation (another
    tenant's id reads as unknown, like any id that names nobody here)."""
    if manager_id is None:
        return None
    if manager_id == user.id:
        raise Unprocessable(
            "Nobody is their own manager.",
            errors=[FieldError(loc=["body", "manager_id"], msg="cannot be the user themselves")],
        )
    if await repository.get_user(session, manager_id) is None:
        raise Unprocessable(
            "The manager is not a user of this organisation.",
            errors=[FieldError(loc=["body", "manager_id"], msg="no such user")],
        )
    return manager_id


async def known_manager(
    session: AsyncSession, user: User, reference: str | None
) -> uuid.UUID | None:
    """The manager an identity provider names (a user id), if it is another user of the
    organisation; None for anything else, which the caller keeps only as it was sent."""
    try:
        manager_id = uuid.UUID(str(reference)) if reference else None
    except ValueError:
        return None
    if manager_id is None or manager_id == user.id:
        return None
    return manager_id if await repository.get_user(session, manager_id) is not None else None


def announce_update(session: AsyncSession, user: User) -> None:
    """`user.updated`, one payload wherever the change came from (the API, SCIM, a token's
    first use): subscribers and webhook consumers read the same fields every time."""
    emit(
        session,
        "user.updated",
        {
            "user_id": str(user.id),
            "roles": user.roles,
            "display_name": user.display_name,
            "email": user.email,
        },
        tenant_id=user.tenant_id,
    )
