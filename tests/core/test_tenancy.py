"""The tenant filter fails closed: every way of reaching a tenant's rows either goes through the
filter, names the tenant, or says that it works across tenants. Each test here is a way past
the filter that used to be open."""

import ast
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update

from services.core.db import database
from services.core.outbox import SUBSCRIBERS, OutboxEvent, Subscriber, emit
from services.core.outbox import tasks as outbox
from services.core.queue import Lane
from services.core.tenancy import TenancyError, bind_all_tenants, bind_tenant
from services.profiles.programs.models import Program
from services.profiles.users.models import User
from tests.conftest import TenantFactory, TenantHandle

USERS = User.__table__


@pytest.fixture
async def two(rolled_back: None, make_tenant: TenantFactory) -> list[TenantHandle]:
    tenants = [await make_tenant(), await make_tenant()]
    for tenant in tenants:
        await tenant.token(f"member@{tenant.slug}.example")
    return tenants


async def _emails(tenant: TenantHandle) -> set[str]:
    return {tenant.admin_email, f"member@{tenant.slug}.example"}


# --- no tenant bound ---------------------------------------------------------------------------


async def test_an_unbound_orm_select_raises(two: list[TenantHandle]) -> None:
    async with database.session(readonly=True) as session:
        with pytest.raises(TenancyError, match="no tenant bound"):
            await session.scalars(select(User.email))
        with pytest.raises(TenancyError, match="no tenant bound"):
            await session.get(Program, uuid.uuid4())


async def test_unbound_orm_writes_raise(two: list[TenantHandle]) -> None:
    ours = two[0]
    async with database.session() as session:
        with pytest.raises(TenancyError):
            await session.execute(update(User).values(display_name="Everyone"))
        with pytest.raises(TenancyError):
            await session.execute(delete(Program))
        session.add(Program(tenant_id=ours.id, name="Orphan"))
        with pytest.raises(TenancyError, match="writing a Program"):
            await session.flush()
        await session.rollback()


async def test_an_unbound_core_select_raises(two: list[TenantHandle]) -> None:
    async with database.session(readonly=True) as session:
        with pytest.raises(TenancyError, match=r"profiles\.users"):
            await session.execute(select(USERS.c.email))
        with pytest.raises(TenancyError, match=r"profiles\.users"):
            await session.execute(USERS.update().values(display_name="Everyone"))


async def test_text_without_a_tenant_raises(two: list[TenantHandle]) -> None:
    async with database.session(readonly=True) as session:
        with pytest.raises(TenancyError, match="text"):
            await session.execute(text("SELECT email FROM profiles.users"))


async def test_across_tenants_is_said_explicitly(two: list[TenantHandle]) -> None:
    emails = await _emails(two[0]) | await _emails(two[1])
    async with database.session(readonly=True) as session:
        found = set(await session.scalars(select(User.email).execution_options(all_tenants=True)))
    assert emails <= found
    async with database.session(readonly=True, all_tenants=True) as session:
        assert emails <= set(await session.scalars(select(User.email)))
        assert emails <= set(await session.scalars(text("SELECT email FROM profiles.users")))


# --- a tenant bound ----------------------------------------------------------------------------


async def test_a_bound_session_sees_only_its_tenant(two: list[TenantHandle]) -> None:
    ours, theirs = two
    async with database.session(tenant_id=ours.id) as session:
        assert set(await session.scalars(select(User.email))) == await _emails(ours)
        # Their rows cannot be changed through our session either.
        result = await session.execute(
            update(User)
            .where(User.email == theirs.admin_email)
            .values(display_name="Taken over")
            .execution_options(synchronize_session=False)
        )
        assert result.rowcount == 0  # type: ignore[attr-defined]
        await session.rollback()


async def test_a_bound_core_select_is_refused(two: list[TenantHandle]) -> None:
    async with database.session(readonly=True, tenant_id=two[0].id) as session:
        with pytest.raises(TenancyError, match="not filtered"):
            await session.execute(select(USERS.c.email))
        with pytest.raises(TenancyError, match="not filtered"):
            await session.execute(USERS.delete())


async def test_a_core_table_inside_an_orm_select_is_refused(two: list[TenantHandle]) -> None:
    from services.profiles.profiles.models import Profile

    ours = two[0]
    async with database.session(readonly=True, tenant_id=ours.id) as session:
        # Every tenant's profiles, unfiltered, would decide which of our users are listed.
        with_profile = select(Profile.__table__.c.user_id)
        with pytest.raises(TenancyError, match=r"profiles\.profiles"):
            await session.execute(select(User.email).where(User.id.in_(with_profile)))
        # The same through the entity is filtered, and answers.
        mapped = select(Profile.user_id)
        found = await session.scalars(select(User.email).where(User.id.in_(mapped)))
        assert list(found) == []


async def test_a_bound_session_cannot_write_rows_of_another_tenant(
    two: list[TenantHandle],
) -> None:
    from sqlalchemy.dialects.postgresql import insert

    from services.profiles.skills.models import TenantSkill

    ours, theirs = two
    async with database.session(tenant_id=ours.id) as session:
        for values in (
            {"tenant_id": theirs.id, "key": "x", "name": "X"},
            [
                {"tenant_id": ours.id, "key": "y", "name": "Y"},
                {"tenant_id": theirs.id, "key": "z", "name": "Z"},
            ],
        ):
            with pytest.raises(TenancyError, match="another tenant"):
                await session.execute(insert(TenantSkill).values(values))
        with pytest.raises(TenancyError, match="another tenant"):
            await session.execute(
                insert(TenantSkill), [{"tenant_id": theirs.id, "key": "w", "name": "W"}]
            )
        # Moving our rows into their tenant is writing their rows too.
        with pytest.raises(TenancyError, match="another tenant"):
            await session.execute(update(User).values(tenant_id=theirs.id))
        await session.execute(insert(TenantSkill).values(tenant_id=ours.id, key="ok", name="Ok"))
        await session.rollback()


async def test_bound_text_must_name_the_bound_tenant(two: list[TenantHandle]) -> None:
    ours, theirs = two
    sql = text("SELECT email FROM profiles.users WHERE tenant_id = :tenant_id")
    async with database.session(readonly=True, tenant_id=ours.id) as session:
        with pytest.raises(TenancyError):
            await session.execute(text("SELECT email FROM profiles.users"))
        with pytest.raises(TenancyError):
            await session.execute(sql, {"tenant_id": theirs.id})
        with pytest.raises(TenancyError):
            await session.execute(sql.bindparams(tenant_id=theirs.id))
        assert set(await session.scalars(sql, {"tenant_id": ours.id})) == await _emails(ours)
        assert set(await session.scalars(sql.bindparams(tenant_id=ours.id))) == await _emails(ours)


async def test_statements_sent_past_the_session_are_caught(two: list[TenantHandle]) -> None:
    ours, theirs = two
    sql = text("SELECT email FROM profiles.users WHERE tenant_id = :tenant_id")
    async with database.session(readonly=True, tenant_id=ours.id) as session:
        connection = await session.connection()
        with pytest.raises(TenancyError, match="on a connection"):
            await connection.execute(select(USERS.c.email))
        with pytest.raises(TenancyError, match="on a connection"):
            await connection.execute(text("SELECT email FROM profiles.users"))
        with pytest.raises(TenancyError, match="on a connection"):
            await connection.execute(sql, {"tenant_id": theirs.id})
        with pytest.raises(TenancyError, match="on a connection"):
            await connection.exec_driver_sql("SELECT email FROM profiles.users")
        # Naming the session's tenant is what a repository does.
        rows = await connection.execute(sql, {"tenant_id": ours.id})
        assert {email for (email,) in rows} == await _emails(ours)


async def test_a_raw_connection_is_caught(rolled_back: None) -> None:
    async with database.engine.connect() as connection:
        with pytest.raises(TenancyError, match="on a connection"):
            await connection.execute(select(USERS.c.email))
        with pytest.raises(TenancyError, match="on a connection"):
            await connection.execute(text("SELECT count(*) FROM profiles.users"))
        # SQL that reaches no tenant's rows runs as before (health checks, the driver's own).
        assert await connection.scalar(text("SELECT 1")) == 1
        # And an operator's statement says that it works across tenants.
        count = await connection.scalar(
            text("SELECT count(*) FROM profiles.users").execution_options(all_tenants=True)
        )
        assert count is not None


# --- bound once ---------------------------------------------------------------------------------


async def test_a_session_cannot_be_rebound(two: list[TenantHandle]) -> None:
    ours, theirs = two
    async with database.session(readonly=True, tenant_id=ours.id) as session:
        bind_tenant(session, ours.id)  # the same tenant again changes nothing
        with pytest.raises(TenancyError, match="re-bound"):
            bind_tenant(session, theirs.id)
        with pytest.raises(TenancyError, match="re-bound"):
            bind_all_tenants(session)
        assert set(await session.scalars(select(User.email))) == await _emails(ours)
    async with database.session(readonly=True, all_tenants=True) as session:
        with pytest.raises(TenancyError, match="re-bound"):
            bind_tenant(session, ours.id)


async def test_a_request_cannot_rebind_its_tenant(two: list[TenantHandle]) -> None:
    """The request's session is bound by the unit of work; a use case that tries to create
    another tenant's rows in it (create_tenant binds its new tenant) is stopped."""
    from services.profiles.tenants.service import create_tenant

    async with database.session(tenant_id=two[0].id) as session:
        with pytest.raises(TenancyError, match="re-bound"):
            await create_tenant(
                session, slug=f"t-{uuid.uuid4().hex[:12]}", name="Other", admin_email="a@b.example"
            )
        await session.rollback()


# --- jobs and event handlers -------------------------------------------------------------------


@pytest.fixture
async def seen_by_handler() -> AsyncIterator[list[set[str]]]:
    seen: list[set[str]] = []

    async def handler(session, event: OutboxEvent) -> None:
        seen.append(set(await session.scalars(select(User.email))))

    SUBSCRIBERS.add(Subscriber("test.tenancy_probe", frozenset({"test.tenancy_probe"}), handler))
    try:
        yield seen
    finally:
        SUBSCRIBERS.remove("test.tenancy_probe")


async def test_an_event_handler_sees_only_its_events_tenant(
    two: list[TenantHandle], seen_by_handler: list[set[str]]
) -> None:
    ours, _theirs = two
    async with database.transaction(tenant_id=ours.id) as session:
        event = emit(session, "test.tenancy_probe", {}, tenant_id=ours.id)
    # One step at a time, as the workers would: this test's rows live on one connection.
    while await outbox.relay_pending(Lane.INTERACTIVE) > 0:
        pass
    delivered = await outbox.deliver_events({}, "test.tenancy_probe", str(ours.id), [str(event.id)])
    assert delivered == {"delivered": 1, "failed": 0}
    assert seen_by_handler == [await _emails(ours)]


# --- where raw SQL lives -------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
# Raw SQL outside a repository, each for a reason: the outbox's bulk insert is the shared
# mechanism itself (it names :tenant_id), and the readiness probe reads no table.
RAW_SQL_ELSEWHERE = {"api/health.py"}
# DDL arguments of models (server defaults, partial-index conditions) are not statements.
DDL_KEYWORDS = {"server_default", "server_onupdate", "postgresql_where", "sqlite_where"}


def _raw_sql_calls(source: str) -> list[int]:
    tree = ast.parse(source)
    in_ddl = {
        id(keyword.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg in DDL_KEYWORDS
    }
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in in_ddl:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else None
        attribute = node.func.attr if isinstance(node.func, ast.Attribute) else None
        if name == "text" or attribute in {"exec_driver_sql", "connection"}:
            lines.append(node.lineno)
    return lines


def test_raw_sql_lives_only_in_repositories_and_queries() -> None:
    found = []
    for folder in ("services", "api", "workers", "deploy"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if path.name in {"repository.py", "queries.py"} or relative in RAW_SQL_ELSEWHERE:
                continue
            found += [f"{relative}:{line}" for line in _raw_sql_calls(path.read_text())]
    assert found == [], "raw SQL outside a repository.py or queries.py"


def test_every_table_with_a_tenant_is_filtered_by_the_orm() -> None:
    """The ORM filter applies to TenantScoped models; a model with a tenant_id column that is
    not one would be read unfiltered by a bound session."""
    import migrations.all_tables  # noqa: F401 - every service's models
    from services.core.models import Base, TenantScoped

    unfiltered = [
        mapper.class_.__name__
        for mapper in Base.registry.mappers
        if "tenant_id" in mapper.local_table.c and not issubclass(mapper.class_, TenantScoped)
    ]
    assert unfiltered == []
