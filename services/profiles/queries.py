"""Read-only queries other services may use; they never import the profiles models directly.

Each names the tenant it asks about and runs in a session bound to that tenant (the caller's
boundary bound it): the session's filter and the explicit condition agree, or nothing is found.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.user_state import UserState
from services.profiles.programs.models import Program
from services.profiles.tenants.models import Tenant
from services.profiles.users.models import User


async def user_state(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> UserState | None:
    """The user's authority if they belong to this tenant and the tenant exists; else None."""
    row = (
        await session.execute(
            select(User.roles, User.active, User.email)
            .join(Tenant, Tenant.id == User.tenant_id)
            .where(User.id == user_id, User.tenant_id == tenant_id)
        )
    ).first()
    if row is None:
        return None
    roles, active, email = row
    return UserState(tenant_id, tuple(sorted(roles)), active, email)


async def active_user_ids(
    session: AsyncSession, tenant_id: uuid.UUID, user_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these users exist in the tenant and are active."""
    rows = await session.scalars(
        select(User.id).where(User.tenant_id == tenant_id, User.id.in_(user_ids), User.active)
    )
    return set(rows)


async def default_program_id(session: AsyncSession, tenant_id: uuid.UUID) -> uuid.UUID | None:
    program_id: uuid.UUID | None = await session.scalar(
        select(Program.id).where(Program.tenant_id == tenant_id, Program.is_default)
    )
    return program_id
