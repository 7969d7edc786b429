"""The tenant filter, in one place, failing closed.

A session is bound once, at its boundary (the request, the job, the event handler, the CLI
command), either to one tenant or, explicitly, to all of them; it cannot be re-bound to another.

- Bound to a tenant: every ORM statement sees only that tenant's rows, and every row written is
  that tenant's. A Core statement on a tenant-scoped table (`select(table)`, `table.update()`) is
  refused, since the ORM's filter does not reach it; a `text()` statement is accepted only if it
  names the tenant, as a `:tenant_id` parameter equal to the bound tenant.
- Unbound: a statement on a tenant-scoped table raises, as does a `text()` statement.
- Working across tenants is said explicitly, so it can be found with grep: the statement
  carries `.execution_options(all_tenants=True)` (a lookup at the boundary: a SCIM token, an
  event, an import by id), or the whole session is bound with `bind_all_tenants` (the outbox
  relay, sweepers, admin listings, migrations).

Statements sent past the session, through `session.connection()` or a raw connection, are
checked on the connection: the session stamps the tenant on the connections it uses.
"""

import re
import uuid
import weakref
from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, with_loader_criteria
from sqlalchemy.sql import ClauseElement, TextClause
from sqlalchemy.sql.ddl import ExecutableDDLElement
from sqlalchemy.sql.elements import BindParameter, ColumnClause
from sqlalchemy.sql.schema import Table
from sqlalchemy.sql.selectable import Select, TableClause
from sqlalchemy.sql.util import find_tables
from sqlalchemy.sql.visitors import HasTraverseInternals

from services.core.models import Base, TenantScoped

TENANT_KEY: Final = "tenant_id"
# The execution option (on a statement or a connection) that says "across tenants, on purpose".
ALL_TENANTS_OPTION: Final = "all_tenants"


class _AllTenants:
    def __repr__(self) -> str:
        return "ALL_TENANTS"


ALL_TENANTS: Final = _AllTenants()


class TenancyError(RuntimeError):
    """A statement that could read or write another tenant's rows: a bug, never client input."""


def bind_tenant(session: AsyncSession | Session, tenant_id: uuid.UUID) -> None:
    """Bind the session to one tenant; binding it to another afterwards raises."""
    _bind(session, tenant_id)


def bind_all_tenants(session: AsyncSession | Session) -> None:
    """Say that this session works across tenants (the outbox relay, a sweeper, an operator's
    listing): no filter, no refusal. Its statements are on every tenant's rows, so use it only
    where that is the point."""
    _bind(session, ALL_TENANTS)


def _bind(session: AsyncSession | Session, binding: uuid.UUID | _AllTenants) -> None:
    current = session.info.get(TENANT_KEY)
    if current is not None and current != binding:
        raise TenancyError(
            f"this session is bound to {current}; it cannot be re-bound to {binding}: "
            "bind once, at the boundary (request, job, event handler, command)"
        )
    session.info[TENANT_KEY] = binding


def session_tenant(session: AsyncSession | Session) -> uuid.UUID | None:
    """The one tenant the session is bound to; None if unbound or bound to all tenants."""
    binding = session.info.get(TENANT_KEY)
    return binding if isinstance(binding, uuid.UUID) else None


# --- which statements touch tenant rows -------------------------------------------------------


def is_tenant_table(table: TableClause) -> bool:
    # Every tenant-scoped table has a tenant_id column, mapped or not (a Core Table works too).
    return "tenant_id" in table.c


def tenant_tables(statement: object) -> list[str]:
    """The tenant-scoped tables a statement reads or writes, anywhere in it."""
    if not isinstance(statement, ClauseElement):
        return []
    found = find_tables(statement, check_columns=True, include_crud=True)
    return sorted(
        {t.fullname if isinstance(t, Table) else t.name for t in found if is_tenant_table(t)}
    )


def _scoped_names() -> re.Pattern[str]:
    names = {
        name
        for table in Base.metadata.tables.values()
        if is_tenant_table(table)
        for name in (table.name, table.fullname)
    }
    if not names:
        return re.compile(r"(?!)")
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, names))) + r")\b", re.IGNORECASE)


# Rebuilt when tables are added to the metadata (models are imported service by service).
_SCOPED_NAMES: tuple[int, re.Pattern[str]] = (-1, re.compile(r"(?!)"))


def _mentions_tenant_table(sql: str) -> bool:
    """Whether raw SQL names a tenant-scoped table; used only where no session vouches for a
    statement (raw connections), so that the driver's and Alembic's own SQL still runs."""
    global _SCOPED_NAMES
    if _SCOPED_NAMES[0] != len(Base.metadata.tables):
        _SCOPED_NAMES = (len(Base.metadata.tables), _scoped_names())
    return _SCOPED_NAMES[1].search(sql) is not None


_TENANT_PARAMETER = re.compile(r"(?<!:):tenant_id\b")


def _names_tenant(statement: TextClause, parameters: Any, tenant_id: uuid.UUID) -> bool:
    """Whether a text statement has a `:tenant_id` parameter, always equal to `tenant_id`."""
    if not _TENANT_PARAMETER.search(statement.text):
        return False
    rows: list[Any] = (
        list(parameters) if isinstance(parameters, list | tuple) else [parameters or {}]
    )
    preset = statement._bindparams.get(TENANT_KEY)  # .bindparams(tenant_id=...)
    for row in rows or [{}]:
        value = row.get(TENANT_KEY, preset.value if preset is not None else None)
        if value is None or str(value) != str(tenant_id):
            return False
    return True


def _refusal(what: str, binding: object, tables: list[str] | None = None) -> TenancyError:
    where = f" on {', '.join(tables)}" if tables else ""
    if binding is None:
        return TenancyError(
            f"{what}{where} with no tenant bound: bind the tenant at the boundary, or say that "
            "it works across tenants (execution_options(all_tenants=True) or bind_all_tenants)"
        )
    return TenancyError(
        f"{what}{where} is not filtered by the tenant bound to this session: use the ORM "
        "entity, or a text() statement with a :tenant_id parameter, in a repository"
    )


def _written_tenants(statement: Any, parameters: Any) -> list[Any] | None:
    """The tenant_id values an ORM INSERT or UPDATE writes (none for most UPDATEs); None when
    they cannot be told (INSERT ... SELECT)."""
    if getattr(statement, "_select_names", None):
        return None
    rows: list[Any] = []
    if statement._values:
        rows.append(statement._values)
    for values in getattr(statement, "_multi_values", ()):
        rows.extend(values)
    if isinstance(parameters, dict):
        rows.append(parameters)
    elif isinstance(parameters, list | tuple):
        rows.extend(parameters)
    written = []
    for row in rows:
        for key, value in row.items():
            if (key if isinstance(key, str) else getattr(key, "key", None)) == TENANT_KEY:
                written.append(value.value if isinstance(value, BindParameter) else value)
    return written


def _table_name(element: Any) -> str | None:
    table = element.table if isinstance(element, ColumnClause) else element
    if isinstance(table, TableClause) and is_tenant_table(table):
        return table.fullname if isinstance(table, Table) else table.name
    return None


def _unfiltered_tables(statement: ClauseElement) -> list[str]:
    """Tenant-scoped tables an ORM statement reaches only as plain Core tables, never through a
    mapped entity (whose FROM the ORM filter covers, plain columns of it included, such as the
    primary key criteria of `session.get`): `select(User).where(User.id.in_(select(
    other_table.c.user_id)))`."""
    plain: set[str] = set()
    mapped: set[str] = set()
    seen: set[int] = set()
    pending: list[Any] = [statement]
    while pending:
        element = pending.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        name = _table_name(element)
        if "parententity" in getattr(element, "_annotations", {}):
            if name is not None:
                mapped.add(name)
            continue
        if name is not None:
            plain.add(name)
        if isinstance(element, Select):
            # Not Select.get_children: it adds the FROMs implied by the columns, plain tables
            # even for mapped columns. The columns and the explicit FROMs are visited anyway.
            pending.extend(HasTraverseInternals.get_children(element))
        else:
            pending.extend(element.get_children())
    return sorted(plain - mapped)


# --- the session: filter, refuse, stamp -------------------------------------------------------

# Put on the statements the session has checked, so the connection does not check them again.
_CHECKED_KEY: Final = "_tenancy_checked"
_CHECKED: Final = object()
# The tenant an ORM select was filtered for, for the check of what it compiled to.
_BOUND_KEY: Final = "_tenancy_bound"


@event.listens_for(Session, "do_orm_execute")
def _filter_by_tenant(state: ORMExecuteState) -> None:
    binding = state.session.info.get(TENANT_KEY)
    state.update_execution_options(**{_CHECKED_KEY: _CHECKED})
    if binding is ALL_TENANTS or state.execution_options.get(ALL_TENANTS_OPTION, False):
        return
    statement = state.statement
    if isinstance(statement, TextClause):
        if isinstance(binding, uuid.UUID) and _names_tenant(statement, state.parameters, binding):
            return
        raise _refusal("a text() statement", binding)
    if binding is None:
        if state.is_column_load:
            return  # a deferred column of a row this session already holds, by primary key
        tables = tenant_tables(statement)
        if tables:
            raise _refusal("a statement", None, tables)
        return
    if not state.is_orm_statement:
        tables = tenant_tables(statement)
        if tables:
            raise _refusal("a Core statement", binding, tables)
        return
    if state.is_insert or state.is_update:
        written = _written_tenants(statement, state.parameters)
        if written is None or any(str(value) != str(binding) for value in written):
            raise TenancyError(
                f"this statement writes rows of another tenant than {binding}, the session's"
            )
    if state.is_select:
        # A Core table inside an ORM select is out of the ORM filter's reach: checked once
        # per compiled statement, when it is sent (_check_compiled).
        state.update_execution_options(**{_BOUND_KEY: binding})
    if state.is_select or state.is_update or state.is_delete:
        state.statement = statement.options(
            with_loader_criteria(
                TenantScoped,
                lambda cls: cls.tenant_id == binding,
                include_aliases=True,
            )
        )


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session: Session, _context: Any, _instances: Any) -> None:
    binding = session.info.get(TENANT_KEY)
    if binding is ALL_TENANTS:
        return
    for obj in session.new:
        if isinstance(obj, TenantScoped):
            if binding is None:
                raise _refusal(f"writing a {type(obj).__name__}", None)
            if obj.tenant_id is None:
                obj.tenant_id = binding
            elif obj.tenant_id != binding:
                raise TenancyError("a row of another tenant cannot be written in this session")
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, TenantScoped) and obj.tenant_id != binding:
            if binding is None:
                raise _refusal(f"changing a {type(obj).__name__}", None)
            raise TenancyError("a row of another tenant cannot be changed in this session")


# The session that is using a connection, so the connection's own check knows its tenant.
_SESSION_OF: "weakref.WeakKeyDictionary[Connection, Session]" = weakref.WeakKeyDictionary()


@event.listens_for(Session, "after_begin")
def _stamp_connection(session: Session, _transaction: Any, connection: Connection) -> None:
    _SESSION_OF[connection] = session


@event.listens_for(Session, "after_transaction_end")
def _unstamp_connections(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        for connection in [c for c, s in _SESSION_OF.items() if s is session]:
            del _SESSION_OF[connection]


# --- the connection: what reaches the database without the session's check -------------------


def _flush_caches() -> set[int]:
    return {id(mapper._compiled_cache) for mapper in Base.registry.mappers}


_FLUSH_CACHES: set[int] = set()


def _from_flush(options: Any) -> bool:
    """Whether the ORM's flush is sending this statement (it passes its mapper's statement
    cache); flushes are checked object by object in `before_flush`."""
    global _FLUSH_CACHES
    cache = options.get("compiled_cache")
    if cache is None:
        return False
    if id(cache) not in _FLUSH_CACHES:
        _FLUSH_CACHES = _flush_caches()
    return id(cache) in _FLUSH_CACHES


@event.listens_for(Engine, "before_execute")
def _check_connection_statement(
    connection: Connection,
    statement: Any,
    multiparams: Any,
    params: Any,
    options: Any,
) -> None:
    if options.get(_CHECKED_KEY) is _CHECKED or options.get(ALL_TENANTS_OPTION, False):
        return
    if isinstance(statement, ExecutableDDLElement) or _from_flush(options):
        return
    session = _SESSION_OF.get(connection)
    binding = None if session is None else session.info.get(TENANT_KEY)
    if binding is ALL_TENANTS:
        return
    if isinstance(statement, str | TextClause):
        sql = statement if isinstance(statement, str) else statement.text
        if not _mentions_tenant_table(sql):
            return
        if (
            isinstance(statement, TextClause)
            and isinstance(binding, uuid.UUID)
            and _names_tenant(statement, multiparams or params, binding)
        ):
            return
        raise _refusal("raw SQL on a connection", binding)
    if isinstance(statement, ClauseElement):
        tables = tenant_tables(statement)
        if tables:
            raise _refusal("a statement on a connection", binding, tables)


# What each compiled ORM select reaches outside the filter; compiled statements are cached, so
# each shape of statement is looked at once, not on every execution.
_UNFILTERED: "weakref.WeakKeyDictionary[Any, list[str]]" = weakref.WeakKeyDictionary()


@event.listens_for(Engine, "before_cursor_execute")
def _check_sent_sql(
    connection: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    context: Any,
    _executemany: bool,
) -> None:
    if context is None:
        return
    compiled = context.compiled
    if compiled is not None:
        binding = context.execution_options.get(_BOUND_KEY)
        if binding is None or compiled.statement is None:
            return
        unfiltered = _UNFILTERED.get(compiled)
        if unfiltered is None:
            unfiltered = _UNFILTERED[compiled] = _unfiltered_tables(compiled.statement)
        if unfiltered:
            raise _refusal("a Core table in an ORM statement", binding, unfiltered)
        return
    # `exec_driver_sql` skips `before_execute`; it is the one path that sends SQL uncompiled.
    if context.execution_options.get(ALL_TENANTS_OPTION, False):
        return
    session = _SESSION_OF.get(connection)
    if session is not None and session.info.get(TENANT_KEY) is ALL_TENANTS:
        return
    if _mentions_tenant_table(statement):
        raise _refusal(
            "driver SQL on a connection", None if session is None else session.info.get(TENANT_KEY)
        )
