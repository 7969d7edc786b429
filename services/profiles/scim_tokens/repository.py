"""Every SQL statement over SCIM tokens."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
from services.profiles.scim_tokens.models import ScimToken


async def list_live_tokens(
    session: AsyncSession, params: PageParams
) -> tuple[list[ScimToken], str | None]:
    return await paginate(
        session, select(ScimToken).where(ScimToken.revoked_at.is_(None)), ScimToken, params
    )


async def live_token(session: AsyncSession, token_id: uuid.UUID) -> ScimToken | None:
    row: ScimToken | None = await session.scalar(
        select(ScimToken).where(ScimToken.id == token_id, ScimToken.revoked_at.is_(None))
    )
    return row


async def live_token_by_hash(session: AsyncSession, token_hash: str) -> ScimToken | None:
    """Across tenants: the token is what tells us the tenant."""
    row: ScimToken | None = await session.scalar(
        select(ScimToken)
        .where(ScimToken.token_hash == token_hash, ScimToken.revoked_at.is_(None))
        .execution_options(all_tenants=True)
    )
    return row
