"""Use cases of tenants: create an organisation, find one, change it. Flushes, never commits."""

import re
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import Conflict, FieldError, NotFound, Unauthorized, Unprocessable
from services.core.etags import expect_version
from services.core.outbox import emit
from services.core.tenancy import bind_tenant
from services.profiles.programs.models import Program
from services.profiles.programs.schemas import DEFAULT_MATCHING_WEIGHTS
from services.profiles.tenants import repository
from services.profiles.tenants.models import Tenant
from services.profiles.tenants.schemas import TenantSettingsUpdate, TenantUpdate
from services.profiles.users.service import ensure_user

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


DEFAULT_PROGRAM_NAME = "General mentoring"


async def create_tenant(session: AsyncSession, *, slug: str, name: str, admin_email: str) -> Tenant:
    """A new organisation with its default program and first admin."""
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise Unprocessable(
            "A slug is 1 to 63 lowercase letters, digits and hyphens.",
            errors=[FieldError(loc=["slug"], msg="invalid slug")],
        )
    if await repository.slug_taken(session, slug):
        raise Conflict(f"A tenant with slug {slug!r} already exists.")
    tenant = Tenant(id=uuid.uuid4(), slug=slug, name=name.strip() or slug, settings={})
    session.add(tenant)
    await session.flush()
    # A new tenant's session is bound to it once it exists: the rows that follow are its own.
    # (A session bound to another tenant refuses this.)
    bind_tenant(session, tenant.id)
    session.add(
        Program(
            tenant_id=tenant.id,
            name=DEFAULT_PROGRAM_NAME,
            is_default=True,
            matching_weights=dict(DEFAULT_MATCHING_WEIGHTS),
        )
    )
    emit(
        session, "tenant.created", {"tenant_id": str(tenant.id), "slug": slug}, tenant_id=tenant.id
    )
    await ensure_user(session, tenant, admin_email, ["admin"])
    return tenant


async def tenant_by_slug(session: AsyncSession, slug: str) -> Tenant:
    tenant = await repository.tenant_by_slug(session, slug.strip().lower())
    if tenant is None:
        raise NotFound(f"No tenant {slug!r}.")
    return tenant


async def list_tenants(session: AsyncSession) -> list[Tenant]:
    """Every organisation, oldest first (for operators)."""
    return await repository.all_tenants(session)


async def get_tenant(
    session: AsyncSession, principal: Principal, *, for_update: bool = False
) -> Tenant:
    # Only ever the caller's own organisation: the id comes from the token, never the request.
    tenant = await repository.get_tenant(session, principal.tenant_id, for_update=for_update)
    if tenant is None:
        raise Unauthorized("The tenant of this token no longer exists.")
    return tenant


def merged_settings(
    stored: dict[str, Any], update: TenantSettingsUpdate
) -> tuple[dict[str, Any], list[str]]:
    """The stored settings with the update applied, and the parts it changes (`settings.sso`,
    ...). Keys of the stored settings this version does not know are kept as they are."""
    settings = dict(stored)
    sent = update.model_dump(exclude_unset=True)
    for part, value in sent.items():
        if part == "sso":
            if value is None:
                settings.pop("sso", None)
            else:
                settings["sso"] = value
        else:
            previous = settings.get(part)
            settings[part] = {**(previous if isinstance(previous, dict) else {}), **value}
    return settings, [f"settings.{part}" for part in sorted(sent)]


async def update_tenant(
    session: AsyncSession,
    principal: Principal,
    body: TenantUpdate,
    expected_version: int | None,
) -> Tenant:
    # Locked only when no version is expected: then the versioned UPDATE sees the version it
    # read. With one, the UPDATE's own check decides (see services.core.models.Versioned).
    tenant = await get_tenant(session, principal, for_update=expected_version is None)
    expect_version(tenant.version, expected_version)
    fields: list[str] = []
    if "name" in body.model_fields_set:
        if body.name is None:
            raise Unprocessable(
                "The name cannot be emptied.",
                errors=[FieldError(loc=["body", "name"], msg="may not be null")],
            )
        tenant.name = body.name
        fields.append("name")
    if body.settings is not None:
        tenant.settings, parts = merged_settings(tenant.settings, body.settings)
        fields.extend(parts)
    elif "settings" in body.model_fields_set:
        raise Unprocessable(
            "The settings cannot be emptied; send the parts to change.",
            errors=[FieldError(loc=["body", "settings"], msg="may not be null")],
        )
    await session.flush()
    emit(
        session,
        "tenant.updated",
        {"tenant_id": str(tenant.id), "fields": fields},
        tenant_id=tenant.id,
    )
    return tenant
