"""Use cases behind /scim/v2: users and groups as the identity provider sees them, with the
side effects the admin API has (events, blocking a deactivated account) and the grants of
groups. Flushes, never commits.

A user's userName is whatever the identity provider sends (an email, an Okta login format,
Entra's mailNickname or employeeId); the sign-in email comes from its `emails`, primary
first, or from userName when that is an email (`rules.sign_in_email`).

Every change of an account's state goes through `services.profiles.users.service`: creation through
`ensure_user`, renaming, roles and (de)activation through `update_user`.
"""

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import Conflict, FieldError, NotFound, Unprocessable
from services.core.models import utcnow
from services.profiles.programs.service import enrol, withdraw
from services.profiles.scim import repository
from services.profiles.scim.models import ScimGroup, ScimGroupMember
from services.profiles.scim.rules import NO_GRANTS, Grants, GroupEffect, group_effect, roles_after
from services.profiles.tenants.models import Tenant
from services.profiles.users import service as users
from services.profiles.users.models import User
from services.profiles.users.schemas import UserUpdate

ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

# Attributes of a user's SCIM representation that mirror a column (see `storage`).
MIRRORED = (("active", "active"), ("displayName", "display_name"))

# The SCIM client acts as an admin of its tenant, but is nobody: the nil id never matches an
# account, so update_user's "you cannot deactivate yourself" guard never applies to it.
SCIM_CLIENT_ID = uuid.UUID(int=0)


def scim_principal(tenant_id: uuid.UUID) -> Principal:
    return Principal(
        tenant_id=tenant_id, user_id=SCIM_CLIENT_ID, email="", roles=frozenset({"admin"})
    )


@dataclass(frozen=True)
class Caller:
    tenant: Tenant
    principal: Principal


@dataclass(frozen=True)
class UserFields:
    """What the identity provider wants a user to be. `user_name` is its userName, as sent;
    `email` the sign-in email its attributes give (see `rules.sign_in_email`), None when they
    give none: the account keeps the one it has. `display_name` and `active` set to None
    leave the account as it is (an account always has both): an identity provider removing
    `active` neither deactivates nor reactivates anyone. `external_id` is taken as is;
    `scim_attributes` (None: unchanged) replaces what the user's SCIM representation keeps
    beyond the columns, its `active` and `displayName` set to what the account then has."""

    user_name: str
    email: str | None
    display_name: str | None = None
    external_id: str | None = None
    active: bool | None = None
    scim_attributes: dict[str, Any] | None = None


@dataclass(frozen=True)
class GroupFields:
    display_name: str
    external_id: str | None
    member_ids: Collection[uuid.UUID]


@dataclass(frozen=True)
class GroupView:
    group: ScimGroup
    member_ids: list[uuid.UUID] | None  # None: not loaded


def _invalid(message: str, field: str) -> Unprocessable:
    return Unprocessable(message, errors=[FieldError(loc=[field], msg=message)])


def _user_update(**changes: object) -> UserUpdate:
    try:
        return UserUpdate.model_validate(changes)
    except ValidationError as exc:
        raise _invalid("The display name must be 1 to 200 characters.", "displayName") from exc


# -- Users -------------------------------------------------------------------------------


async def get_user(session: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False) -> User:
    user = await repository.get_live_user(session, user_id, for_update=for_update)
    if user is None:
        raise NotFound("No such user.")
    return user


async def search_users(
    session: AsyncSession, where: ColumnElement[bool] | None, offset: int, limit: int | None
) -> tuple[int, list[User]]:
    return await repository.search_users(session, where, offset, limit)


def _no_email() -> str:
    """The sign-in address of an account created with no email at all (a userName such as an
    employeeId, no `emails`): `.invalid` is reserved (RFC 6761), so it never reaches anyone,
    and nobody signs in with it until the identity provider sends an email."""
    return f"{uuid.uuid4().hex}@no-email.invalid"


async def create_user(session: AsyncSession, caller: Caller, fields: UserFields) -> User:
    """A new account, or one the identity provider deleted before, brought back. An account
    it still sees (even deactivated) is a conflict: it should have found it by userName."""
    existing = await repository.user_by_user_name(session, fields.user_name)
    if existing is not None:
        # Of racing creates only one brings a deleted user back: the undelete is conditional.
        if not await repository.undelete(session, existing.id):
            raise Conflict("A user with this userName already exists.")
        revived = await get_user(session, existing.id, for_update=True)
        fields = replace(fields, active=True if fields.active is None else fields.active)
        return await _apply(session, caller, revived, fields)
    # A single statement only one of racing creates can win: the email and the userName
    # (whatever its case) are each unique.
    created = await users.create_user(
        session, caller.tenant, fields.email or _no_email(), scim_user_name=fields.user_name
    )
    if created is None:
        raise Conflict("A user with this userName or email already exists.")
    return await _apply(session, caller, created, fields)


async def update_user(
    session: AsyncSession, caller: Caller, user_id: uuid.UUID, fields: UserFields
) -> User:
    user = await get_user(session, user_id, for_update=True)
    return await _apply(session, caller, user, fields)


async def _apply(session: AsyncSession, caller: Caller, user: User, fields: UserFields) -> User:
    if fields.user_name != user.scim_user_name:
        if await repository.user_name_taken(session, fields.user_name, user.id):
            raise Conflict("A user with this userName already exists.")
        user.scim_user_name = fields.user_name
    email_changed = fields.email is not None and fields.email != user.email
    if fields.email is not None and email_changed:
        if await repository.email_taken(session, fields.email, user.id):
            raise Conflict("A user with this email already exists.")
        user.email = fields.email
    if fields.external_id != user.external_id:
        user.external_id = fields.external_id
    changes: dict[str, object] = {}
    if fields.display_name is not None and fields.display_name.strip() != user.display_name:
        changes["display_name"] = fields.display_name
    if fields.active is not None and fields.active != user.active:
        changes["active"] = fields.active
    if changes:
        user = await users.update_user(session, caller.principal, user.id, _user_update(**changes))
    if fields.scim_attributes is not None:
        sent_manager = manager_reference(fields.scim_attributes)
        if sent_manager != manager_reference(user.scim_attributes):
            # Only when the identity provider changes the manager: a write about something
            # else keeps the one an admin may have set.
            user.manager_id = await users.known_manager(session, user, sent_manager)
        attributes = dict(fields.scim_attributes)
        for key, column in MIRRORED:
            if key in attributes:
                attributes[key] = getattr(user, column)
        if attributes != user.scim_attributes:
            user.scim_attributes = attributes  # a new dict: JSONB changes in place go unseen
    await session.flush()
    if email_changed and "display_name" not in changes:
        # update_user announces renames and role changes; a new sign-in email matters as much.
        users.announce_update(session, user)
    return user


def manager_reference(attributes: dict[str, Any] | None) -> str | None:
    """The enterprise extension's `manager.value` in a SCIM representation: a user's id."""
    extension = (attributes or {}).get(ENTERPRISE_USER)
    manager = extension.get("manager") if isinstance(extension, dict) else None
    value = manager.get("value") if isinstance(manager, dict) else None
    return str(value) if value else None


async def delete_user(session: AsyncSession, caller: Caller, user_id: uuid.UUID) -> None:
    """Deactivate the account, leave every group (and so lose what groups granted), and hide
    it from SCIM. Its rows stay: mentorships and history refer to it."""
    user = await get_user(session, user_id, for_update=True)
    group_ids = await repository.groups_of(session, user.id)
    before = await _grants(session, [user.id])
    await repository.leave_all_groups(session, user.id)
    await _touch_groups(session, group_ids)
    await _reconcile(session, caller, before, [user.id])
    if user.active:
        await users.update_user(session, caller.principal, user.id, UserUpdate(active=False))
    await repository.mark_deleted(session, user.id)


# -- Groups ------------------------------------------------------------------------------


async def get_group(
    session: AsyncSession,
    group_id: uuid.UUID,
    *,
    with_members: bool = True,
    for_update: bool = False,
) -> GroupView:
    group = await repository.get_group(session, group_id, for_update=for_update)
    if group is None:
        raise NotFound("No such group.")
    members = (await repository.members_of(session, [group.id]))[group.id] if with_members else None
    return GroupView(group, members)


async def search_groups(
    session: AsyncSession,
    where: ColumnElement[bool] | None,
    offset: int,
    limit: int | None,
    *,
    with_members: bool,
) -> tuple[int, list[GroupView]]:
    total, groups = await repository.search_groups(session, where, offset, limit)
    members = await repository.members_of(session, [g.id for g in groups]) if with_members else {}
    return total, [GroupView(g, members.get(g.id) if with_members else None) for g in groups]


async def _effect_of(session: AsyncSession, display_name: str) -> GroupEffect:
    return group_effect(display_name, await repository.program_names(session))


async def _check_name(session: AsyncSession, name: str, group_id: uuid.UUID | None) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise _invalid("displayName must be 1 to 200 characters.", "displayName")
    if await repository.group_name_taken(session, name, group_id):
        raise Conflict("A group with this displayName already exists.")
    return name


async def _check_members(session: AsyncSession, member_ids: Collection[uuid.UUID]) -> None:
    if not member_ids:
        return
    found = await repository.live_user_ids(session, member_ids)
    unknown = sorted(str(member) for member in set(member_ids) - found)
    if unknown:
        raise _invalid(f"No such user: {', '.join(unknown)}.", "members")


async def create_group(session: AsyncSession, caller: Caller, fields: GroupFields) -> GroupView:
    name = await _check_name(session, fields.display_name, None)
    members = list(dict.fromkeys(fields.member_ids))
    await _check_members(session, members)
    effect = await _effect_of(session, name)
    group = ScimGroup(
        display_name=name,
        external_id=fields.external_id,
        role=effect.role,
        program_id=effect.program_id,
    )
    session.add(group)
    await session.flush()
    before = await _grants(session, members)
    session.add_all(ScimGroupMember(group_id=group.id, user_id=member) for member in members)
    await session.flush()
    await _reconcile(session, caller, before, members)
    return GroupView(group, members)


async def update_group(
    session: AsyncSession, caller: Caller, group_id: uuid.UUID, fields: GroupFields
) -> GroupView:
    view = await get_group(session, group_id, for_update=True)
    group, old_members = view.group, view.member_ids or []
    name = await _check_name(session, fields.display_name, group.id)
    members = list(dict.fromkeys(fields.member_ids))
    await _check_members(session, members)
    effect = await _effect_of(session, name)
    changed_effect = effect != GroupEffect(group.role, group.program_id)
    added = [m for m in members if m not in set(old_members)]
    removed = [m for m in old_members if m not in set(members)]
    affected = list(dict.fromkeys([*old_members, *members])) if changed_effect else added + removed
    before = await _grants(session, affected)

    group.display_name = name
    group.external_id = fields.external_id
    group.role, group.program_id = effect.role, effect.program_id
    if removed:
        await repository.remove_members(session, group.id, removed)
    session.add_all(ScimGroupMember(group_id=group.id, user_id=member) for member in added)
    if added or removed:
        group.updated_at = utcnow()  # membership is part of the group a client reads
    await session.flush()
    await _reconcile(session, caller, before, affected)
    return GroupView(group, members)


async def delete_group(session: AsyncSession, caller: Caller, group_id: uuid.UUID) -> None:
    view = await get_group(session, group_id, for_update=True)
    members = view.member_ids or []
    before = await _grants(session, members)
    await session.delete(view.group)
    await session.flush()
    await _reconcile(session, caller, before, members)


async def _touch_groups(session: AsyncSession, group_ids: Collection[uuid.UUID]) -> None:
    if not group_ids:
        return
    for group in await repository.groups_by_id(session, group_ids):
        group.updated_at = utcnow()
    await session.flush()


# -- What groups grant -------------------------------------------------------------------


async def _grants(
    session: AsyncSession, user_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Grants]:
    if not user_ids:
        return {}
    rows = await repository.granting_memberships(session, user_ids)
    roles: dict[uuid.UUID, set[str]] = defaultdict(set)
    places: dict[uuid.UUID, set[tuple[uuid.UUID, str]]] = defaultdict(set)
    for user_id, role, program_id in rows:
        if role is None:
            continue
        roles[user_id].add(role)
        if program_id is not None:
            places[user_id].add((program_id, role))
    return {
        user_id: Grants(frozenset(roles[user_id]), frozenset(places[user_id])) for user_id in roles
    }


async def _reconcile(
    session: AsyncSession,
    caller: Caller,
    before: dict[uuid.UUID, Grants],
    user_ids: Collection[uuid.UUID],
) -> None:
    """Bring roles and program places in line with what the groups grant now."""
    after = await _grants(session, user_ids)
    for user_id in user_ids:
        was, now = before.get(user_id, NO_GRANTS), after.get(user_id, NO_GRANTS)
        if was == now:
            continue
        user = await users.get_user(session, user_id)
        roles = roles_after(user.roles, was, now)
        if roles != sorted(set(user.roles)):
            await users.update_user(
                session, caller.principal, user_id, UserUpdate.model_validate({"roles": roles})
            )
        # All of them, not only the new ones: a place an admin removed by hand comes back.
        for program_id, role in sorted(now.places):
            await enrol(session, program_id, user_id, role)
        for program_id, role in sorted(was.places - now.places):
            await withdraw(session, program_id, user_id, role)
