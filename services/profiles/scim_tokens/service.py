"""SCIM tokens: created by a tenant admin, shown once, kept only as a SHA-256 hash.

A token is 256 random bits, so a hash without salt or stretching is enough: there is no
dictionary to try, and a stolen hash does not give the token back.
"""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.db import database
from services.core.errors import NotFound
from services.core.models import utcnow
from services.core.pagination import PageParams
from services.core.tenancy import bind_tenant
from services.profiles.scim_tokens import repository
from services.profiles.scim_tokens.models import ScimToken

TOKEN_PREFIX = "scim_"
SHOWN_PREFIX_LENGTH = 12
# last_used_at is a hint for admins deciding which token to revoke, not an audit log: writing
# it on every request of a bulk sync would cost a write per read.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    row: ScimToken
    token: str


async def create_token(session: AsyncSession, principal: Principal) -> IssuedToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ScimToken(
        tenant_id=principal.tenant_id,
        token_hash=token_hash(token),
        prefix=token[:SHOWN_PREFIX_LENGTH],
        created_by=principal.user_id,
    )
    session.add(row)
    await session.flush()
    return IssuedToken(row, token)


async def list_tokens(
    session: AsyncSession, params: PageParams
) -> tuple[list[ScimToken], str | None]:
    """The tokens that still work, newest first."""
    return await repository.list_live_tokens(session, params)


async def revoke_token(session: AsyncSession, token_id: uuid.UUID) -> None:
    row = await repository.live_token(session, token_id)
    if row is None:
        raise NotFound("No such SCIM token.")
    row.revoked_at = utcnow()
    await session.flush()


async def authenticate(session: AsyncSession, token: str | None) -> uuid.UUID | None:
    """The tenant a SCIM token belongs to, with `session` bound to it; None if the token is
    unknown or revoked."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    # Its own short transaction, so that recording the use sticks even for a read (which
    # never commits) or a request that then fails.
    # Across tenants: the token is what says which tenant the request is for.
    async with database.transaction(all_tenants=True) as own:
        row = await repository.live_token_by_hash(own, token_hash(token))
        if row is None:
            return None
        now = utcnow()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            row.last_used_at = now
    bind_tenant(session, row.tenant_id)  # the SCIM request's boundary: bound once, here
    return row.tenant_id
