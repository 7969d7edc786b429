"""A session opened for reading (GET) refuses every write: with no transaction around it, a
write would persist piecemeal and what waits for a commit would never run."""

import uuid

import pytest
from sqlalchemy import TextClause, select, text, update

from services.core.db import WriteOnReadSession, after_commit, database
from services.core.outbox import OutboxEvent, emit
from services.core.tenancy import bind_tenant
from services.profiles.programs.models import Program
from services.profiles.tenants.models import Tenant
from tests.conftest import TenantFactory


async def _noop() -> None:
    return None


async def _program_names(tenant_id: uuid.UUID) -> list[str]:
    async with database.session() as session:
        bind_tenant(session, tenant_id)
        return list(await session.scalars(select(Program.name)))


async def _events(tenant_id: uuid.UUID) -> int:
    async with database.session() as session:
        bind_tenant(session, tenant_id)
        return len(list(await session.scalars(select(OutboxEvent.id))))


async def test_a_read_session_reads(rolled_back: None, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    async with database.session(readonly=True) as session:
        bind_tenant(session, tenant.id)
        assert [p.name for p in await session.scalars(select(Program))] == ["General mentoring"]
        assert (await session.get(Tenant, tenant.id)) is not None


async def test_emit_on_a_read_session_raises_and_persists_nothing(
    rolled_back: None, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    before = await _events(tenant.id)
    async with database.session(readonly=True) as session:
        bind_tenant(session, tenant.id)
        with pytest.raises(WriteOnReadSession, match="read-only session"):
            emit(session, "program.updated", {"program_id": "x"}, tenant_id=tenant.id)
        with pytest.raises(WriteOnReadSession):
            after_commit(session, _noop)
        assert "after_commit" not in session.info
    assert await _events(tenant.id) == before


async def test_changing_a_loaded_object_cannot_be_flushed(
    rolled_back: None, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    async with database.session(readonly=True) as session:
        bind_tenant(session, tenant.id)
        program = await session.scalar(select(Program))
        assert program is not None
        program.name = "Written by a GET"
        with pytest.raises(WriteOnReadSession):
            await session.flush()
    assert await _program_names(tenant.id) == ["General mentoring"]


async def test_adding_or_deleting_objects_is_refused(
    rolled_back: None, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    async with database.session(readonly=True) as session:
        bind_tenant(session, tenant.id)
        with pytest.raises(WriteOnReadSession):
            session.add(Program(tenant_id=tenant.id, name="Added by a GET"))
        program = await session.scalar(select(Program))
        await session.delete(program)
        with pytest.raises(WriteOnReadSession):
            await session.flush()
    assert await _program_names(tenant.id) == ["General mentoring"]


@pytest.mark.parametrize(
    "statement",
    [
        update(Program).values(name="Updated by a GET"),
        # Raw SQL names its tenant (services/core/tenancy.py refuses it otherwise).
        text("UPDATE profiles.programs SET name = 'Updated by a GET' WHERE tenant_id = :tenant_id"),
        text("  delete from profiles.programs where tenant_id = :tenant_id"),
    ],
    ids=["orm-update", "raw-update", "raw-delete"],
)
async def test_write_statements_are_refused(
    rolled_back: None, make_tenant: TenantFactory, statement: object
) -> None:
    tenant = await make_tenant()
    if isinstance(statement, TextClause):
        statement = statement.bindparams(tenant_id=tenant.id)
    async with database.session(readonly=True) as session:
        bind_tenant(session, tenant.id)
        with pytest.raises(WriteOnReadSession):
            await session.execute(statement)  # type: ignore[call-overload]
    assert await _program_names(tenant.id) == ["General mentoring"]


async def test_a_write_session_still_writes(rolled_back: None, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    async with database.session() as session:
        bind_tenant(session, tenant.id)
        emit(session, "program.updated", {"program_id": "x"}, tenant_id=tenant.id)
        await session.execute(update(Program).values(name="Renamed"))
        await session.commit()
    assert await _program_names(tenant.id) == ["Renamed"]
