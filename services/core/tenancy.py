"""The tenant filter, applied in one place: every ORM statement of a session bound to a tenant
sees only that tenant's rows, and every new row is stamped with that tenant."""

import uuid
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from services.core.models import TenantScoped

TENANT_KEY = "tenant_id"


def bind_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    session.info[TENANT_KEY] = tenant_id


def session_tenant(session: AsyncSession | Session) -> uuid.UUID | None:
    tenant: uuid.UUID | None = session.info.get(TENANT_KEY)
    return tenant


@event.listens_for(Session, "do_orm_execute")
def _filter_by_tenant(state: ORMExecuteState) -> None:
    tenant_id = state.session.info.get(TENANT_KEY)
    if tenant_id is None or state.execution_options.get("all_tenants", False):
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(
            with_loader_criteria(
                TenantScoped,
                lambda cls: cls.tenant_id == tenant_id,
                include_aliases=True,
            )
        )


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session: Session, _context: Any, _instances: Any) -> None:
    tenant_id = session.info.get(TENANT_KEY)
    if tenant_id is None:
        return
    for obj in session.new:
        if isinstance(obj, TenantScoped):
            if obj.tenant_id is None:
                obj.tenant_id = tenant_id
            elif obj.tenant_id != tenant_id:
                raise PermissionError("a row of another tenant cannot be written in this session")
