"""scim2-server's storage contract over our tables: SCIM resources in, rows out, and back.

scim2-server does the protocol (routing, validation, PATCH and PUT semantics, ETags,
attribute selection, list responses, errors); this class only maps. Users map onto
`profiles.users`: userName (as sent) and the sign-in email (from `emails` or userName, see
`rules.sign_in_email`), active and externalId are columns,
displayName (or the name's parts) sets the display name; the representation the identity
provider wrote is kept in `scim_attributes` and read back with the columns laid over it, so
it reads what it wrote (its `emails`, `name`, phone numbers...). Groups map onto
`profiles.scim_groups` and their members.
"""

import uuid
from datetime import datetime
from typing import Any, Final

from scim2_models import (
    Context,
    InvalidValueException,
    Meta,
    NotFoundException,
    NotImplementedException,
    PreconditionFailedException,
    Resource,
    ResourceType,
    ResponseParameters,
    SearchRequest,
)
from scim2_server.storage import AsyncScimStorage, SearchPage
from sqlalchemy.ext.asyncio import AsyncSession

from services.profiles.scim import resources as scim
from services.profiles.scim import service
from services.profiles.scim.filters import GROUPS, USERS
from services.profiles.scim.rules import sign_in_email
from services.profiles.scim.service import Caller, GroupFields, GroupView, UserFields
from services.profiles.users.models import User

MAX_USER_NAME_LENGTH = 320  # users.scim_user_name

# Far past any tenant's users, well within PostgreSQL's 64-bit OFFSET.
MAX_OFFSET: Final = 2**62


def version(updated_at: datetime) -> str:
    """Every write moves updated_at (a group's too when its members change)."""
    return f'W/"{updated_at.strftime("%Y%m%d%H%M%S%f")}"'


def _id(resource_id: str | None, kind: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(resource_id))
    except ValueError:
        raise NotFoundException(detail=f"{kind} {resource_id!r} not found") from None


def _split_name(display_name: str) -> scim.Name:
    # A display name has no parts; the last word as family name is the usual reading, and
    # joining the parts back gives the same display name.
    given, _, family = display_name.strip().rpartition(" ")
    if not given:
        return scim.Name(given_name=family or None)
    return scim.Name(given_name=given, family_name=family)


def _joined(name: scim.Name | None) -> str | None:
    if name is None:
        return None
    return " ".join(part.strip() for part in (name.given_name, name.family_name) if part) or None


def _display_name(wanted: scim.User[Any], current: scim.User[Any] | None) -> str | None:
    """The display name a written user asks for: displayName if it changed, else the name's
    parts if they changed. None keeps the current one (on creation: derived from the email)."""
    joined = _joined(wanted.name)
    if current is None:
        return wanted.display_name or joined
    if wanted.display_name and wanted.display_name != current.display_name:
        return wanted.display_name
    if joined and joined != _joined(current.name):
        return joined
    # Nothing asks for a new one. That includes removing displayName or name: the account
    # keeps the display name it has, the last one the identity provider set (the platform
    # needs one, and the name the person was last known by beats one derived from the email,
    # which would rename them everywhere because of a SCIM housekeeping operation).
    return None


# In a stored representation these come from the columns, so they are not stored at all.
_FROM_COLUMNS = ("id", "meta", "userName", "externalId")


def _attributes(wanted: scim.User[Any]) -> dict[str, Any]:
    """What `users.scim_attributes` keeps of a written user: the representation as sent
    (after PATCH, as patched), less what the columns hold."""
    body = wanted.model_dump(scim_ctx=Context.DEFAULT)
    for key in _FROM_COLUMNS:
        body.pop(key, None)
    return body


def user_resource(user: User) -> scim.User[Any]:
    stored = user.scim_attributes
    if stored:
        # `active` and `displayName` are stored to say they are there (see
        # service.MIRRORED); their value is the column's. Absent, the identity provider
        # removed them: the read omits them, and the account keeps its state and its name.
        resource = scim.ScimUser.model_validate(stored, scim_ctx=None)
        resource.active = user.active if "active" in stored else None
        resource.display_name = user.display_name if "displayName" in stored else None
    else:
        # Never written over SCIM (an admin or a sign-in created it): what the columns say.
        resource = scim.ScimUser(
            name=_split_name(user.display_name),
            display_name=user.display_name,
            active=user.active,
            emails=[scim.Email(value=user.email, type="work", primary=True)],
        )
    resource.id = str(user.id)
    resource.external_id = user.external_id
    resource.user_name = user.scim_user_name or user.email
    resource.meta = Meta(
        resource_type="User",
        created=user.created_at,
        last_modified=user.updated_at,
        version=version(user.updated_at),
    )
    return resource


def group_resource(view: GroupView) -> scim.Group:
    group = view.group
    resource = scim.Group(
        id=str(group.id),
        external_id=group.external_id,
        display_name=group.display_name,
    )
    if view.member_ids is not None:
        resource.members = [
            scim.GroupMember(value=str(member), ref=f"Users/{member}", type="User")
            for member in view.member_ids
        ] or None
    resource.meta = Meta(
        resource_type="Group",
        created=group.created_at,
        last_modified=group.updated_at,
        version=version(group.updated_at),
    )
    return resource


def _user_fields(wanted: Resource[Any], current: scim.User[Any] | None) -> UserFields:
    assert isinstance(wanted, scim.User)
    if not wanted.user_name or not wanted.user_name.strip():
        raise InvalidValueException(detail="userName is required")
    if len(wanted.user_name) > MAX_USER_NAME_LENGTH:
        raise InvalidValueException(
            detail=f"userName may have at most {MAX_USER_NAME_LENGTH} characters"
        )
    attributes = _attributes(wanted)
    if current is None:
        # A new account is active or not, and has a display name, whether or not they were
        # sent: reads show both until the identity provider removes them.
        attributes.setdefault("active", True)
        attributes.setdefault("displayName", "")
    emails = [(email.value, bool(email.primary)) for email in wanted.emails or []]
    return UserFields(
        user_name=wanted.user_name,
        email=sign_in_email(wanted.user_name, emails),
        display_name=_display_name(wanted, current),
        external_id=wanted.external_id,
        active=wanted.active,
        scim_attributes=attributes,
    )


def _member_id(member: scim.GroupMember) -> uuid.UUID:
    if member.type is not None and member.type.casefold() != "user":
        raise InvalidValueException(detail="Only users can be members of a group")
    reference = member.value or (member.ref.rstrip("/").rpartition("/")[2] if member.ref else "")
    try:
        return uuid.UUID(reference)
    except ValueError:
        raise InvalidValueException(detail=f"No such user: {reference!r}") from None


def _group_fields(wanted: Resource[Any]) -> GroupFields:
    assert isinstance(wanted, scim.Group)
    if not wanted.display_name:
        raise InvalidValueException(detail="displayName is required")
    return GroupFields(
        display_name=wanted.display_name,
        external_id=wanted.external_id,
        member_ids=[_member_id(member) for member in wanted.members or []],
    )


def _names(parameters: ResponseParameters[Any] | None, which: str) -> set[str]:
    paths = getattr(parameters, which, None) or []
    return {str(path).casefold().rpartition(":")[2] for path in paths}


def _wants_members(parameters: ResponseParameters[Any] | None) -> bool:
    """Whether a read must load the members: Entra ID reads big groups without them."""
    if "members" in _names(parameters, "excluded_attributes"):
        return False
    attributes = _names(parameters, "attributes")
    return not attributes or any(name.split(".")[0] == "members" for name in attributes)


def _check_version(current: Resource[Any], expected: str | None) -> None:
    assert current.meta is not None
    if expected is not None and current.meta.version != expected:
        raise PreconditionFailedException


class PostgresStorage(AsyncScimStorage):
    """One per request, on the request's session, bound to the SCIM token's tenant."""

    def __init__(self, session: AsyncSession, caller: Caller) -> None:
        self.session = session
        self.caller = caller

    async def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> Resource[Any]:
        if resource_type.name == "User":
            return user_resource(await self._user(resource_id))
        view = await self._group(resource_id, with_members=_wants_members(response_parameters))
        return group_resource(view)

    async def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        if len(resource_types) != 1:
            raise NotImplementedException(detail="Search /Users or /Groups, one at a time")
        ast = search_request.filter.ast if search_request.filter is not None else None
        # Any startIndex past the last user is an empty page; past 64 bits, PostgreSQL could
        # not take it as an OFFSET.
        offset = min(search_request.start_index_0 or 0, MAX_OFFSET)
        resources: list[Resource[Any]]
        if resource_types[0].name == "User":
            where = USERS(ast) if ast is not None else None
            total, users = await service.search_users(
                self.session, where, offset, search_request.count
            )
            resources = [user_resource(user) for user in users]
        else:
            where = GROUPS(ast) if ast is not None else None
            total, groups = await service.search_groups(
                self.session,
                where,
                offset,
                search_request.count,
                with_members=_wants_members(search_request),
            )
            resources = [group_resource(view) for view in groups]
        return SearchPage(total, resources)

    async def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        if resource_type.name == "User":
            user = await service.create_user(
                self.session, self.caller, _user_fields(resource, None)
            )
            return user_resource(user)
        view = await service.create_group(self.session, self.caller, _group_fields(resource))
        return group_resource(view)

    async def update(
        self,
        resource_type: ResourceType,
        resource: Resource[Any],
        *,
        expected_version: str | None = None,
    ) -> Resource[Any]:
        if resource_type.name == "User":
            current = user_resource(await self._user(resource.id, for_update=True))
            _check_version(current, expected_version)
            user = await service.update_user(
                self.session,
                self.caller,
                _id(resource.id, "User"),
                _user_fields(resource, current),
            )
            return user_resource(user)
        group = group_resource(await self._group(resource.id, with_members=False, for_update=True))
        _check_version(group, expected_version)
        view = await service.update_group(
            self.session, self.caller, _id(resource.id, "Group"), _group_fields(resource)
        )
        return group_resource(view)

    async def delete(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        expected_version: str | None = None,
    ) -> None:
        if resource_type.name == "User":
            _check_version(user_resource(await self._user(resource_id)), expected_version)
            await service.delete_user(self.session, self.caller, _id(resource_id, "User"))
            return
        current = group_resource(await self._group(resource_id, with_members=False))
        _check_version(current, expected_version)
        await service.delete_group(self.session, self.caller, _id(resource_id, "Group"))

    async def _user(self, resource_id: str | None, *, for_update: bool = False) -> User:
        user_id = _id(resource_id, "User")
        return await service.get_user(self.session, user_id, for_update=for_update)

    async def _group(
        self, resource_id: str | None, *, with_members: bool, for_update: bool = False
    ) -> GroupView:
        group_id = _id(resource_id, "Group")
        return await service.get_group(
            self.session, group_id, with_members=with_members, for_update=for_update
        )
