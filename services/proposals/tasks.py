"""The request sweep (`proposals.sweep_requests`, on the bulk lane's cron every minute): expire
the requests nobody answered in time, then remind whoever must answer the others
(`expiry.py` says what each does, `reminders.py` when).

Across tenants: one read finds the tenants with work, then each tenant's requests are taken in
batches of `expiry.BATCH`, a transaction each, bound to that tenant alone. Rows are locked with
SKIP LOCKED, so two workers sweeping at once share the work instead of doing it twice, and a
crash loses at most the batch in flight, which the next sweep does again.

`now` is the moment the sweep acts as of (default: the clock). It may come through the queue as
ISO 8601 text: an operator, or a test, can run the sweep as of another moment.
"""

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.db import database
from services.core.logging import get_logger
from services.core.models import as_of
from services.proposals import expiry, repository, stats

log = get_logger(__name__)

SWEEP_JOB: Final = "proposals.sweep_requests"

Step = Callable[[AsyncSession, datetime], Awaitable[expiry.Batch]]
TenantLookup = Callable[[AsyncSession, datetime], Awaitable[list[uuid.UUID]]]


async def _sweep(tenants_with_work: TenantLookup, step: Step, now: datetime) -> int:
    async with database.session(readonly=True) as session:
        tenant_ids = await tenants_with_work(session, now)
    done = 0
    for tenant_id in tenant_ids:
        while True:
            async with database.transaction(tenant_id=tenant_id) as session:
                batch = await step(session, now)
            done += batch.done
            if batch.mentors:
                # In a transaction of its own, after the batch's row locks are gone: a mentor's
                # profile row is never awaited while requests are held, as an accept takes them
                # the other way round.
                async with database.transaction(tenant_id=tenant_id) as session:
                    for mentor_id in batch.mentors:
                        await stats.refresh_mentor_stats(session, tenant_id, mentor_id)
            # A short batch was the last; one that did nothing would find the same rows again.
            if batch.selected < expiry.BATCH or batch.done == 0:
                break
    return done


async def expire_requests(
    _ctx: dict[str, Any] | None = None, now: datetime | str | None = None
) -> int:
    """Expire every waiting request whose time is up; returns how many."""
    return await _sweep(repository.tenants_with_expired, expiry.expire_batch, as_of(now))


async def send_request_reminders(
    _ctx: dict[str, Any] | None = None, now: datetime | str | None = None
) -> int:
    """Send every reminder due; returns how many."""
    return await _sweep(repository.tenants_with_reminders_due, expiry.remind_batch, as_of(now))


async def sweep_requests(
    _ctx: dict[str, Any] | None = None, now: datetime | str | None = None
) -> dict[str, int]:
    """Expiry first, so a request past its time expires rather than being reminded."""
    moment = as_of(now)
    expired = await expire_requests(_ctx, moment)
    reminded = await send_request_reminders(_ctx, moment)
    if expired or reminded:
        log.info("requests.swept", expired=expired, reminded=reminded)
    return {"expired": expired, "reminded": reminded}
