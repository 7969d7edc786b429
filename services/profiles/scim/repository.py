"""Every SQL statement behind /scim/v2.

Users deleted through SCIM: a SCIM DELETE deactivates the account and keeps its rows
(mentorships and history refer to it), yet the identity provider must then see the user as
gone (404), unlike a user it merely deactivated (active=false, still readable):
`users.scim_deleted_at` tells the two apart."""

import uuid
from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import ColumnElement, Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.models import utcnow
from services.profiles.programs.models import Program
from services.profiles.scim.models import ScimGroup, ScimGroupMember
from services.profiles.users.models import User


def live_user() -> ColumnElement[bool]:
    """Rows of `User` the identity provider has not deleted."""
    return User.scim_deleted_at.is_(None)


async def mark_deleted(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(scim_deleted_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )


async def undelete(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """Make a deleted user live again; False if it is not deleted (any more). Of requests racing
    to bring one user back, the first one's UPDATE locks the row and the others then find it
    live: exactly one gets True. The session's copy of the user is stale afterwards."""
    undeleted = await session.scalar(
        update(User)
        .where(User.id == user_id, User.scim_deleted_at.is_not(None))
        .values(scim_deleted_at=None, version=User.version + 1)
        .returning(User.id)
        .execution_options(synchronize_session=False)
    )
    return undeleted is not None


# -- Users -------------------------------------------------------------------------------


def live_users() -> Select[User]:
    return select(User).where(live_user())


async def get_live_user(
    session: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False
) -> User | None:
    stmt = live_users().where(User.id == user_id)
    if for_update:
        # The row as it is once locked, even if this session read it before.
        stmt = stmt.with_for_update(of=User).execution_options(populate_existing=True)
    user: User | None = await session.scalar(stmt)
    return user


async def search_users(
    session: AsyncSession, where: ColumnElement[bool] | None, offset: int, limit: int | None
) -> tuple[int, list[User]]:
    """How many live users match, and the page of them from `offset` in creation order."""
    stmt = live_users()
    if where is not None:
        stmt = stmt.where(where)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    if limit == 0:
        return total, []
    page = stmt.order_by(User.created_at, User.id).offset(offset).limit(limit)
    return total, list((await session.scalars(page)).all())


def _user_name_is(user_name: str) -> ColumnElement[bool]:
    # userName is not case-sensitive (RFC 7643 section 4.1.1); accounts SCIM never wrote read
    # their email as userName.
    return func.lower(func.coalesce(User.scim_user_name, User.email)) == func.lower(user_name)


async def user_by_user_name(session: AsyncSession, user_name: str) -> User | None:
    """The account, deleted over SCIM or not, whose userName this is."""
    user: User | None = await session.scalar(select(User).where(_user_name_is(user_name)))
    return user


async def user_name_taken(session: AsyncSession, user_name: str, other_than: uuid.UUID) -> bool:
    stmt = select(User.id).where(_user_name_is(user_name), User.id != other_than)
    return await session.scalar(stmt) is not None


async def email_taken(session: AsyncSession, email: str, other_than: uuid.UUID | None) -> bool:
    stmt = select(User.id).where(User.email == email)
    if other_than is not None:
        stmt = stmt.where(User.id != other_than)
    return await session.scalar(stmt) is not None


async def live_user_ids(session: AsyncSession, user_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    return set(
        await session.scalars(live_users().with_only_columns(User.id).where(User.id.in_(user_ids)))
    )


# -- Groups ------------------------------------------------------------------------------


def visible_groups() -> Select[ScimGroup]:
    return select(ScimGroup)


async def get_group(
    session: AsyncSession, group_id: uuid.UUID, *, for_update: bool = False
) -> ScimGroup | None:
    stmt = visible_groups().where(ScimGroup.id == group_id)
    group: ScimGroup | None = await session.scalar(stmt.with_for_update() if for_update else stmt)
    return group


async def search_groups(
    session: AsyncSession, where: ColumnElement[bool] | None, offset: int, limit: int | None
) -> tuple[int, list[ScimGroup]]:
    """How many groups match, and the page of them from `offset` in creation order."""
    stmt = visible_groups()
    if where is not None:
        stmt = stmt.where(where)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    if limit == 0:
        return total, []
    page = stmt.order_by(ScimGroup.created_at, ScimGroup.id).offset(offset).limit(limit)
    return total, list((await session.scalars(page)).all())


async def groups_by_id(session: AsyncSession, group_ids: Collection[uuid.UUID]) -> list[ScimGroup]:
    return list(await session.scalars(select(ScimGroup).where(ScimGroup.id.in_(group_ids))))


async def group_name_taken(session: AsyncSession, name: str, other_than: uuid.UUID | None) -> bool:
    taken = select(ScimGroup.id).where(ScimGroup.display_name == name)
    if other_than is not None:
        taken = taken.where(ScimGroup.id != other_than)
    return await session.scalar(taken) is not None


async def program_names(session: AsyncSession) -> list[tuple[uuid.UUID, str]]:
    rows = await session.execute(select(Program.id, Program.name))
    return [(row[0], row[1]) for row in rows]


# -- Members -----------------------------------------------------------------------------


async def members_of(
    session: AsyncSession, group_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Each group's member ids, in the order they joined."""
    ids = list(group_ids)
    members: dict[uuid.UUID, list[uuid.UUID]] = {group_id: [] for group_id in ids}
    if not ids:
        return members
    rows = await session.execute(
        select(ScimGroupMember.group_id, ScimGroupMember.user_id)
        .where(ScimGroupMember.group_id.in_(ids))
        .order_by(ScimGroupMember.created_at, ScimGroupMember.user_id)
    )
    for group_id, user_id in rows:
        members[group_id].append(user_id)
    return members


async def groups_of(session: AsyncSession, user_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        await session.scalars(
            select(ScimGroupMember.group_id).where(ScimGroupMember.user_id == user_id)
        )
    )


async def leave_all_groups(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(delete(ScimGroupMember).where(ScimGroupMember.user_id == user_id))


async def remove_members(
    session: AsyncSession, group_id: uuid.UUID, user_ids: Collection[uuid.UUID]
) -> None:
    await session.execute(
        delete(ScimGroupMember).where(
            ScimGroupMember.group_id == group_id, ScimGroupMember.user_id.in_(user_ids)
        )
    )


async def granting_memberships(
    session: AsyncSession, user_ids: Collection[uuid.UUID]
) -> Sequence[tuple[uuid.UUID, str | None, uuid.UUID | None]]:
    """(user_id, role, program_id) of each membership of these users in a group that grants
    something."""
    rows = await session.execute(
        select(ScimGroupMember.user_id, ScimGroup.role, ScimGroup.program_id)
        .join(ScimGroup, ScimGroup.id == ScimGroupMember.group_id)
        .where(ScimGroupMember.user_id.in_(user_ids), ScimGroup.role.is_not(None))
    )
    return [(row[0], row[1], row[2]) for row in rows]
