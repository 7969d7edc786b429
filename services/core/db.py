"""Async engine and sessions: one session per request or job, committed in exactly one place.

Writes run in a transaction. Reads (GET) use an autocommit connection, so a primary-key
read is one round trip instead of three (BEGIN, SELECT, ROLLBACK). Such a read session has no
transaction to commit, so it refuses every write: one would persist statement by statement, and
what waits for a commit (after-commit callbacks, the outbox relay's wake-up) would never run.
"""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import TextClause, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session

from services.core.logging import get_logger
from services.core.settings import get_settings
from services.core.tenancy import bind_all_tenants, bind_tenant

log = get_logger(__name__)

# `Session.info` key of a session opened for reading.
READONLY = "readonly"


class WriteOnReadSession(RuntimeError):
    """Code wrote through a session opened for reading (a GET). No client input can cause this:
    it is a programming error, and the request fails rather than half-persist its writes."""


def refuse_if_readonly(session: AsyncSession | Session, attempt: str) -> None:
    if session.info.get(READONLY):
        raise WriteOnReadSession(
            f"{attempt} on a read-only session: a GET must not write; "
            "do it in a POST, PUT, PATCH or DELETE, or in a job (database.transaction())."
        )


def async_url(url: str) -> URL:
    """Accept the usual postgres:// and postgresql:// forms and select the asyncpg driver."""
    if not url:
        raise RuntimeError(
            "DATABASE_URL is not set: start the system with `make run` or the `mentorship` CLI, "
            "which start an embedded PostgreSQL, or point DATABASE_URL at a server."
        )
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+asyncpg")


class Database:
    """Holds the engine and the two session factories; tests rebind them to one connection."""

    def __init__(self, url: str | None = None) -> None:
        self._url = url
        self._engine: AsyncEngine | None = None
        self._write: async_sessionmaker[AsyncSession] | None = None
        self._read: async_sessionmaker[AsyncSession] | None = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            settings = get_settings()
            self._engine = create_async_engine(
                async_url(self._url or settings.database_url),
                pool_size=settings.db_pool_size,
                max_overflow=settings.db_pool_size // 2,
                pool_pre_ping=False,
                connect_args={"server_settings": {"application_name": "mentorship"}},
            )
            self._bind(self._engine, self._engine.execution_options(isolation_level="AUTOCOMMIT"))
        return self._engine

    def _bind(self, write_bind: Any, read_bind: Any, **options: Any) -> None:
        self._write = async_sessionmaker(write_bind, expire_on_commit=False, **options)
        self._read = async_sessionmaker(
            read_bind, expire_on_commit=False, info={READONLY: True}, **options
        )

    def bind_to_connection(self, connection: AsyncConnection) -> None:
        """Route every session through one connection whose outer transaction a test rolls back."""
        self._bind(connection, connection, join_transaction_mode="create_savepoint")

    def reset_binding(self) -> None:
        if self._engine is not None:
            self._bind(self._engine, self._engine.execution_options(isolation_level="AUTOCOMMIT"))

    def session(
        self,
        *,
        readonly: bool = False,
        tenant_id: uuid.UUID | None = None,
        all_tenants: bool = False,
    ) -> AsyncSession:
        """A session bound to `tenant_id`, or working across tenants with `all_tenants`, or
        unbound (it can then be bound once, e.g. when a SCIM token has named the tenant)."""
        self.engine  # noqa: B018 - creates the engine and factories on first use
        factory = self._read if readonly else self._write
        assert factory is not None
        session = factory()
        if tenant_id is not None:
            bind_tenant(session, tenant_id)
        if all_tenants:
            bind_all_tenants(session)
        return session

    @asynccontextmanager
    async def transaction(
        self, *, tenant_id: uuid.UUID | None = None, all_tenants: bool = False
    ) -> AsyncIterator[AsyncSession]:
        """A unit of work for jobs and the CLI: commits on success, rolls back on error."""
        async with self.session(tenant_id=tenant_id, all_tenants=all_tenants) as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            callbacks = await commit(session)
        await run_after_commit(callbacks)

    async def dispose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
        self._engine = None
        self._write = None
        self._read = None


database = Database()


AfterCommit = Callable[[], Awaitable[None]]


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback()` once the session's transaction has committed (e.g. wake a worker).
    The same callback registered twice runs once."""
    refuse_if_readonly(session, "after_commit()")
    session.info.setdefault("after_commit", {})[callback] = None


def on_commit(session: AsyncSession | Session, callback: AfterCommit) -> None:
    """Run `callback()` as soon as the transaction has committed, before the response is sent:
    for what the caller's very next request must see (a user's cached authority dropped). Keep
    it to one quick round trip; a failure is logged, and whoever registers it has a durable
    repair (an outbox event). The same callback registered twice runs once."""
    session.info.setdefault("on_commit", {})[callback] = None


async def commit(session: AsyncSession) -> list[AfterCommit]:
    """The one place that commits. Runs the `on_commit` callbacks, and returns the after-commit
    callbacks for the caller to run once it has answered (a slow queue must not delay a
    response)."""
    await session.commit()
    await run_after_commit(list(session.info.pop("on_commit", {})))
    return list(session.info.pop("after_commit", {}))


async def run_after_commit(callbacks: list[AfterCommit]) -> None:
    for callback in callbacks:
        try:
            await callback()
        except Exception:  # the committed work stands; the outbox sweeper catches up
            log.warning("db.after_commit_failed", callback=getattr(callback, "__name__", "?"))


@event.listens_for(AsyncSession.sync_session_class, "after_rollback")
def _drop_after_commit_callbacks(session: Any) -> None:
    # A rolled-back unit of work must not trigger anything that assumed it happened.
    if not session.in_nested_transaction():
        session.info.pop("after_commit", None)
        session.info.pop("on_commit", None)


# A read session refuses writes at each door the ORM has: adding an object (emit() adds its
# outbox row), flushing changes to loaded objects, and executing INSERT/UPDATE/DELETE.
@event.listens_for(AsyncSession.sync_session_class, "before_attach")
def _refuse_add(session: Session, _instance: object) -> None:
    refuse_if_readonly(session, "add()")


@event.listens_for(AsyncSession.sync_session_class, "before_flush")
def _refuse_flush(session: Session, _context: object, _instances: object) -> None:
    refuse_if_readonly(session, "flush()")


_WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE"})


@event.listens_for(AsyncSession.sync_session_class, "do_orm_execute")
def _refuse_write_statement(state: ORMExecuteState) -> None:
    if not state.session.info.get(READONLY):
        return
    if state.is_insert or state.is_update or state.is_delete:
        refuse_if_readonly(state.session, "An INSERT, UPDATE or DELETE")
    statement = state.statement
    if isinstance(statement, TextClause):
        verb = statement.text.lstrip().split(None, 1)[:1]
        if verb and verb[0].upper() in _WRITE_VERBS:
            refuse_if_readonly(state.session, f"A raw {verb[0].upper()}")
