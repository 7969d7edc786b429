"""The progress service's jobs.

`progress.request_evaluations`, on the bulk lane's cron: at each evaluation period's start,
both sides of every active mentorship are asked to evaluate the period that just ended
(`evaluations/requesting.py` says who and how). Across tenants: one read finds the tenants with
mentorships due, then each tenant's are taken in batches of `requesting.BATCH`, a transaction
each, bound to that tenant alone. Rows are locked with SKIP LOCKED, so two runs at once share
the work instead of doing it twice, and a crash loses at most the batch in flight, which the
next run does again.

`progress.nightly_health`, nightly on the bulk lane's cron: every running mentorship's health
is assessed again as of now, because time alone raises flags (a silence grows, an evaluation
falls due), stored, and each change of risk flags announced once, on the bulk lane (a night can
raise thousands); each tenant's mentorships `HEALTH_BATCH` at a time in id order, a transaction
each.

`progress.sweep_inactivity`, hourly on the bulk lane's cron: the inactivity policy
(`inactivity.py`): a warning after 45 days without a held meeting or a check-in, and where the
program closes inactive mentorships a week's notice and then the closing; each step once.
`progress.remind_meetings`, every 5 minutes: a reminder of each meeting a day ahead, once.
Both take each tenant's rows in batches under SKIP LOCKED, a transaction each.

`now` is the moment a job acts as of (default: the clock). It may come through the queue as
ISO 8601 text: an operator, or a test, can run it as of another moment.
"""

from datetime import datetime
from typing import Any, Final

from services.core.db import database
from services.core.logging import get_logger
from services.core.models import as_of
from services.core.queue import Lane
from services.profiles import queries as profiles
from services.progress import periods
from services.progress.assessments import repository as assessments_repository
from services.progress.assessments import service as assessments
from services.progress.evaluations import repository, requesting
from services.progress.meetings import reminders
from services.progress.meetings import repository as meetings_repository
from services.progress.mentorships import repository as mentorships_repository
from services.progress.mentorships import sweep

log = get_logger(__name__)

REQUEST_EVALUATIONS_JOB: Final = "progress.request_evaluations"
HEALTH_JOB: Final = "progress.nightly_health"
HEALTH_BATCH: Final = 500
INACTIVITY_JOB: Final = "progress.sweep_inactivity"
MEETING_REMINDERS_JOB: Final = "progress.remind_meetings"


async def nightly_health(
    _ctx: dict[str, Any] | None = None, now: datetime | str | None = None
) -> dict[str, int]:
    """Assess every running mentorship again; returns how many, and how many changed flags."""
    moment = as_of(now)
    async with database.session(readonly=True) as session:
        tenant_ids = await assessments_repository.tenants_with_running(session)
    assessed = changed = 0
    for tenant_id in tenant_ids:
        after = None
        while True:
            async with database.transaction(tenant_id=tenant_id) as session:
                batch = await assessments_repository.running_after(session, after, HEALTH_BATCH)
                if batch:
                    changed += await assessments.recompute(
                        session, tenant_id, batch, moment, lane=Lane.BULK
                    )
            assessed += len(batch)
            if len(batch) < HEALTH_BATCH:
                break
            after = batch[-1]
    log.info("health.recomputed", mentorships=assessed, changed=changed)
    return {"assessed": assessed, "changed": changed}


async def request_evaluations(
    _ctx: dict[str, Any] | None = None, now: datetime | str | None = None
) -> int:
    """Ask for every evaluation due as of `now`; returns how many people were asked."""
    today = periods.utc_day(as_of(now))
    async with database.session(readonly=True) as session:
        intervals = await profiles.evaluation_intervals(session, None)
        tenant_ids = await repository.tenants_with_evaluations_due(session, intervals, today)
    asked = 0
    for tenant_id in tenant_ids:
        own = [interval for interval in intervals if interval.tenant_id == tenant_id]
        while True:
            async with database.transaction(tenant_id=tenant_id) as session:
                batch = await requesting.request_batch(
                    session, tenant_id, own, today, requesting.BATCH
                )
            asked += batch.asked
            # A short batch was the last; a full one may have left more behind.
            if batch.selected < requesting.BATCH:
                break
    if asked:
        log.info("evaluations.requested", asked=asked, tenants=len(tenant_ids))
    return asked


async def sweep_inactivity(
    _ctx: dict[str, Any] | None = None, now: datetime | str | None = None
) -> int:
    """Take every inactivity step due as of `now`; returns how many were taken."""
    moment = as_of(now)
    async with database.session(readonly=True) as session:
        tenant_ids = await mentorships_repository.tenants_with_quiet(
            session, sweep.earliest_quiet(moment)
        )
    done = 0
    for tenant_id in tenant_ids:
        after = None
        while True:
            async with database.transaction(tenant_id=tenant_id) as session:
                batch = await sweep.sweep_batch(session, moment, after)
            done += batch.done
            if batch.selected < sweep.BATCH:
                break
            after = batch.last_id
    if done:
        log.info("mentorships.inactivity_swept", steps=done)
    return done


async def remind_meetings(
    _ctx: dict[str, Any] | None = None, now: datetime | str | None = None
) -> int:
    """Remind both participants of every meeting starting within a day; returns how many."""
    moment = as_of(now)
    until = moment + reminders.REMIND_BEFORE
    async with database.session(readonly=True) as session:
        tenant_ids = await meetings_repository.tenants_with_reminders(session, until, moment)
    reminded = 0
    for tenant_id in tenant_ids:
        while True:
            async with database.transaction(tenant_id=tenant_id) as session:
                batch = await reminders.remind_batch(session, moment)
            reminded += batch.selected
            if batch.selected < reminders.BATCH:
                break
    return reminded
