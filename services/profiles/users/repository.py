"""Every SQL statement over users."""

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
from services.profiles.users.models import User


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    user: User | None = await session.scalar(select(User).where(User.email == email))
    return user


async def insert_user(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    email: str,
    display_name: str,
    roles: list[str],
    scim_user_name: str | None = None,
) -> User | None:
    """A new user at version 1; None if the tenant has one with this email or (whatever its
    case) this SCIM userName. A concurrent insert of either makes this wait for it to commit,
    then answer None: of racing creates, exactly one creates."""
    user: User | None = await session.scalar(
        insert(User)
        .values(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            email=email,
            display_name=display_name,
            roles=roles,
            scim_user_name=scim_user_name,
        )
        # No conflict target: both the unique email and the unique lower(scim_user_name)
        # index arbitrate, so whichever a racing insert took, this one does nothing.
        .on_conflict_do_nothing()
        .returning(User)
    )
    return user


async def get_user(
    session: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False
) -> User | None:
    stmt = select(User).where(User.id == user_id)
    if for_update:
        # The row as it is once locked, even if this session read it before.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    user: User | None = await session.scalar(stmt)
    return user


async def first_active_admin(session: AsyncSession, email: str | None) -> User | None:
    """The active admin with this email, or with none given the longest-standing one."""
    stmt = select(User).where(User.active, User.roles.contains(["admin"]))
    if email is not None:
        stmt = stmt.where(User.email == email)
    admin: User | None = await session.scalar(stmt.order_by(User.created_at).limit(1))
    return admin


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


async def ids_by_email(session: AsyncSession, emails: list[str]) -> dict[str, uuid.UUID]:
    """The ids of the users with these (normalised) emails, by email."""
    found: dict[str, uuid.UUID] = {}
    # A statement takes at most 32,767 parameters (asyncpg): 100,000 emails go in slices.
    for start in range(0, len(emails), _EMAILS_PER_STATEMENT):
        part = emails[start : start + _EMAILS_PER_STATEMENT]
        rows = await session.execute(select(User.email, User.id).where(User.email.in_(part)))
        found.update({email: user_id for email, user_id in rows.all()})
    return found


_EMAILS_PER_STATEMENT = 10_000
