"""The per-process, per-tenant index of mentor features that recommendations score against.

Each tenant's mentors live as `scoring.MentorArrays` with the position in the change feed
(`profiles.queries.matching_changes`) they are current to. Every use first asks the feed what
changed since that position (one round trip, usually no rows) and applies it in place, so a
profile change committed anywhere (another replica, a split service, a worker, SCIM, an
import) is in the very next recommendation of every process, and no request rebuilds the
matrices; the first use of a tenant in a process loads it whole. Tenants unused for
`MATCHING_INDEX_IDLE_MINUTES` are dropped, so a process holds only the tenants in use.

Safety under asyncio: the catch-up (feed read, then apply) runs under the tenant's lock, so two
catch-ups never interleave and an older delta never lands after a newer one. Scoring is plain
synchronous numpy: a caller scores right after `current()` returns, with no `await` in between,
so no update can run while it reads the arrays (copying 100,000 rows for copy-on-write would
cost more than the whole score).

Warm-up (`IndexWarmUp`): a full load takes seconds per 10,000 mentors, so a process serving
matching loads the busiest tenants in the background when it starts. The load runs under the
tenant's lock like any catch-up, so a request for a tenant being loaded waits for that load and
then only catches up: it never sees a partial index and never starts a second load.
"""

import asyncio
import contextlib
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.db import Database
from services.core.logging import get_logger
from services.matching import features, scoring
from services.profiles import queries as profiles

log = get_logger(__name__)


@dataclass
class TenantMentors:
    arrays: scoring.MentorArrays = field(default_factory=scoring.MentorArrays)
    position: profiles.FeedPosition = profiles.FEED_START
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    used_at: float = 0.0


@dataclass(frozen=True)
class CatchUp:
    """What one catch-up did: rows the feed returned, and whether it was a full load."""

    rows: int
    full: bool


class MentorIndex:
    def __init__(self, *, idle_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._idle_seconds = idle_seconds
        self._clock = clock
        self._tenants: OrderedDict[uuid.UUID, TenantMentors] = OrderedDict()
        self.last_catch_up: CatchUp | None = None
        self.full_loads = 0

    def __contains__(self, tenant_id: uuid.UUID) -> bool:
        return tenant_id in self._tenants

    def tenants(self) -> list[uuid.UUID]:
        return list(self._tenants)

    def nbytes(self) -> int:
        return sum(entry.arrays.nbytes() for entry in self._tenants.values())

    async def current(self, session: AsyncSession, tenant_id: uuid.UUID) -> scoring.MentorArrays:
        """The tenant's mentors, caught up with every change committed before this call.
        Score them before the next `await`."""
        now = self._clock()
        self._evict_idle(now)
        entry = self._tenants.get(tenant_id)
        if entry is None:
            entry = self._tenants[tenant_id] = TenantMentors()
        entry.used_at = now
        self._tenants.move_to_end(tenant_id)
        async with entry.lock:
            since = entry.position
            entry.position, rows = await profiles.matching_changes(session, tenant_id, since)
            if rows:
                # upsert removes whoever is no longer an active mentor.
                entry.arrays.upsert(features.from_row(row) for row in rows)
            self.last_catch_up = CatchUp(rows=len(rows), full=since.is_start)
            self.full_loads += since.is_start
        return entry.arrays

    def is_loaded(self, tenant_id: uuid.UUID) -> bool:
        """Whether the tenant's mentors are in memory (a use then only catches up)."""
        entry = self._tenants.get(tenant_id)
        return entry is not None and not entry.position.is_start

    def is_loading(self, tenant_id: uuid.UUID) -> bool:
        entry = self._tenants.get(tenant_id)
        return entry is not None and entry.lock.locked()

    def _evict_idle(self, now: float) -> None:
        # Least recently used first: stop at the first one still in use.
        while self._tenants:
            tenant_id, entry = next(iter(self._tenants.items()))
            if now - entry.used_at < self._idle_seconds or entry.lock.locked():
                return
            del self._tenants[tenant_id]


class IndexWarmUp:
    """Loads the indexes of the tenants with the most mentors, in the background, once.

    `start()` returns at once (startup and /readyz do not wait). A failure (the database briefly
    down) is logged and the warm-up tries again after `retry_seconds`, skipping tenants already
    loaded; `stop()` cancels it, wherever it is."""

    def __init__(
        self,
        index: MentorIndex,
        database: Database,
        *,
        tenants: int,
        retry_seconds: float = 30.0,
    ) -> None:
        self._index = index
        self._database = database
        self._tenants = tenants
        self._retry_seconds = retry_seconds
        self._task: asyncio.Task[None] | None = None
        self.loaded: list[uuid.UUID] = []
        self.failures = 0

    def start(self) -> None:
        if self._tenants > 0 and self._task is None:
            self._task = asyncio.create_task(self._run(), name="matching-index-warm-up")

    async def wait(self) -> None:
        """Until the warm-up has finished (at once when it is off)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self._warm()
                return
            except Exception as error:  # whatever it was, requests still load on their own
                self.failures += 1
                log.warning(
                    "matching.index_warm_up_failed",
                    error=repr(error),
                    retry_seconds=self._retry_seconds,
                )
                await asyncio.sleep(self._retry_seconds)

    async def _warm(self) -> None:
        started = time.perf_counter()
        async with self._database.session(readonly=True, all_tenants=True) as session:
            tenant_ids = await profiles.tenants_by_mentors(session, self._tenants)
        for tenant_id in tenant_ids:
            if self._index.is_loaded(tenant_id):
                continue
            async with self._database.session(readonly=True, tenant_id=tenant_id) as session:
                await self._index.current(session, tenant_id)
            self.loaded.append(tenant_id)
        log.info(
            "matching.index_warmed",
            tenants=len(self.loaded),
            seconds=round(time.perf_counter() - started, 2),
        )
