"""Every SQL statement over the tenant's own skills."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.profiles.skills.models import TenantSkill


async def tenant_skill_names(session: AsyncSession, prefix: str, limit: int) -> Sequence[str]:
    """Names of the tenant's own skills whose key starts with `prefix`, in key order."""
    names = await session.scalars(
        select(TenantSkill.name)
        .where(TenantSkill.key.startswith(prefix, autoescape=True))
        .order_by(TenantSkill.key)
        .limit(limit)
    )
    return names.all()


async def remember_tenant_skills(
    session: AsyncSession, tenant_id: uuid.UUID, unknown: dict[str, str]
) -> None:
    if not unknown:
        return
    await session.execute(
        insert(TenantSkill)
        .values(
            [
                {"id": uuid.uuid4(), "tenant_id": tenant_id, "key": key, "name": name}
                for key, name in sorted(unknown.items())
            ]
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "key"])
    )
