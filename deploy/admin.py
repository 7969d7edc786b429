"""What the CLI does to the data, as plain async functions (also used by tests and benchmarks)."""

from typing import Any

from services.core.auth import issue_token
from services.core.db import database
from services.core.errors import ProblemError
from services.core.queue import queue
from services.core.tenancy import bind_tenant
from services.core.user_state import user_states
from services.profiles.tenants import service as tenants
from services.profiles.tenants.models import Tenant
from services.profiles.users import service as users


class AdminError(Exception):
    pass


def _tenant_json(tenant: Tenant) -> dict[str, Any]:
    return {
        "id": str(tenant.id),
        "slug": tenant.slug,
        "name": tenant.name,
        "created_at": tenant.created_at.isoformat(),
    }


async def create_tenant(slug: str, name: str, admin_email: str) -> dict[str, Any]:
    try:
        async with database.transaction() as session:
            tenant = await tenants.create_tenant(
                session, slug=slug, name=name, admin_email=admin_email
            )
        return _tenant_json(tenant)
    except ProblemError as error:
        raise AdminError(error.detail or error.title) from error
    finally:
        await queue.close()
        await user_states.close()
        await database.dispose()


async def list_tenants() -> list[dict[str, Any]]:
    try:
        async with database.transaction() as session:
            return [_tenant_json(tenant) for tenant in await tenants.list_tenants(session)]
    finally:
        await queue.close()
        await database.dispose()


async def issue_user_token(
    tenant_slug: str, email: str, roles: list[str], ttl: int | None = None
) -> str:
    try:
        async with database.transaction() as session:
            tenant = await tenants.tenant_by_slug(session, tenant_slug)
            bind_tenant(session, tenant.id)  # the command's boundary: the tenant it was given
            user = await users.ensure_user(session, tenant, email, roles)
            if not user.active:
                raise AdminError(f"{user.email} is deactivated; an admin can reactivate them.")
        return issue_token(
            tenant_id=tenant.id,
            user_id=user.id,
            email=user.email,
            roles=user.roles,
            ttl_seconds=ttl,
        )
    except ProblemError as error:
        raise AdminError(error.detail or error.title) from error
    finally:
        await queue.close()
        await user_states.close()
        await database.dispose()
