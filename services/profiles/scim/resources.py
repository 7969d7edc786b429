"""What /scim/v2 publishes: the attributes our users and groups can hold, and the service's
capabilities. Only attributes we keep are declared, so a client never writes a value that a
later read silently drops: a user's columns (userName, externalId, active, displayName) and,
in `users.scim_attributes`, everything else the identity provider sent about them."""

from typing import Annotated, Any

from pydantic import Field, field_validator
from scim2_models import (
    URN,
    Address,
    AnyExtension,
    AuthenticationScheme,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    EnterpriseUser,
    ETag,
    Filter,
    Mutability,
    Patch,
    PhoneNumber,
    Reference,
    Required,
    Resource,
    ResourceType,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)
from scim2_models import Manager as EnterpriseManager

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
MAX_RESULTS = 200


class Name(ComplexAttribute):
    formatted: str | None = None
    family_name: str | None = None
    given_name: str | None = None
    middle_name: str | None = None
    honorific_prefix: str | None = None
    honorific_suffix: str | None = None


class Email(ComplexAttribute):
    value: str | None = None
    display: str | None = None
    type: str | None = Field(None, examples=["work"])
    primary: bool | None = None


class User(Resource[AnyExtension]):
    """A person. `userName` is any unique string the identity provider uses (an email, a login
    format, a mail nickname, an employee id); the sign-in email is the first email in `emails`,
    primary first, or `userName` when it is one. `active` says whether the account can sign
    in; `displayName` (or, when it does not change, the given and family names) sets the
    account's display name. The rest is kept as sent and read back as is."""

    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    name: Name | None = None
    display_name: str | None = None
    nick_name: str | None = None
    title: str | None = None
    user_type: str | None = None
    preferred_language: str | None = None
    locale: str | None = None
    timezone: str | None = None
    active: bool | None = None
    emails: list[Email] | None = None
    phone_numbers: list[PhoneNumber] | None = None
    addresses: list[Address] | None = None


class GroupMember(ComplexAttribute):
    value: Annotated[str | None, Mutability.immutable, CaseExact.true] = None
    ref: Annotated[Reference["User"] | None, Mutability.immutable] = Field(  # type: ignore[type-arg]
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    type: Annotated[str | None, Mutability.immutable] = Field(None, examples=["User"])


class Group(Resource[Any]):
    """A group of users; its name decides what membership grants (see `rules`)."""

    __schema__ = URN(GROUP_SCHEMA)

    display_name: Annotated[str | None, Required.true] = None
    members: list[GroupMember] | None = None


CONFIG = ServiceProviderConfig(
    patch=Patch(supported=True),
    bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
    filter=Filter(supported=True, max_results=MAX_RESULTS),
    change_password=ChangePassword(supported=False),
    sort=Sort(supported=False),
    etag=ETag(supported=True),
    authentication_schemes=[
        AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken,
            name="SCIM token",
            description="A per-organisation token an admin creates with "
            "POST /v1/tenant/scim-tokens, sent as Authorization: Bearer <token>.",
            primary=True,
        )
    ],
)

# Okta and Entra ID depart from the RFC in known ways: attributes we do not keep (ims, photos,
# entitlements, roles, x509Certificates, password...) must not fail a request, Entra removes members
# by value, and Entra adds `emails[type eq "work"].value` to a user that has no such entry.
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


class Manager(EnterpriseManager):
    """The enterprise `manager`. RFC 7643 (section 4.3) only recommends its `$ref`, and Okta and
    Entra ID send the manager's id alone, so `$ref` is optional here (scim2-models requires it)."""

    ref: Annotated[Reference["User"] | None, Required.false] = Field(  # type: ignore[type-arg,assignment]
        None, serialization_alias="$ref", validation_alias="$ref"
    )


class Enterprise(EnterpriseUser):
    manager: Manager | None = None

    @field_validator("manager", mode="before")
    @classmethod
    def id_alone(cls, value: Any) -> Any:
        """Entra ID's PATCH sets the manager to the id itself, not to `{"value": id}`."""
        return {"value": value} if isinstance(value, str) else value


# Users carry the enterprise extension (department, manager...), which Entra ID and Okta send.
ScimUser = User[Enterprise]

PROVIDER = ScimProvider(
    models=[User, Enterprise, Group],
    resource_types=[ResourceType.from_resource(ScimUser), ResourceType.from_resource(Group)],
    config=CONFIG,
    policy=POLICY,
)
