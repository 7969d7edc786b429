"""Every SQL statement over tenants."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.profiles.tenants.models import Tenant


async def slug_taken(session: AsyncSession, slug: str) -> bool:
    return await session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None


async def tenant_by_slug(session: AsyncSession, slug: str) -> Tenant | None:
    tenant: Tenant | None = await session.scalar(select(Tenant).where(Tenant.slug == slug))
    return tenant


async def get_tenant(
    session: AsyncSession, tenant_id: uuid.UUID, *, for_update: bool = False
) -> Tenant | None:
    if not for_update:
        return await session.get(Tenant, tenant_id)
    # The row as it is once locked, even if this session read it before.
    stmt = (
        select(Tenant)
        .where(Tenant.id == tenant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    tenant: Tenant | None = await session.scalar(stmt)
    return tenant


async def all_tenants(session: AsyncSession) -> list[Tenant]:
    # Tenants are not tenant-scoped rows: listing them all crosses no tenant's data.
    rows = await session.scalars(select(Tenant).order_by(Tenant.created_at, Tenant.slug))
    return list(rows)
