"""The progress service's jobs.

`nightly_health` (`progress.nightly_health`, nightly on the bulk lane's cron): every running
mentorship's health is assessed again as of now, because time alone raises flags (a silence
grows, an evaluation falls due), stored, and each change of risk flags announced once. Across
tenants: one read finds the tenants with running mentorships, then each tenant's mentorships
are taken `BATCH` at a time in id order, a transaction each, so a crash loses at most the batch
in flight and the job is safe to run again.
"""

from datetime import UTC, datetime
from typing import Any, Final

from services.core.db import database
from services.core.logging import get_logger
from services.core.models import utcnow
from services.progress.assessments import repository as assessments_repository
from services.progress.assessments import service as assessments

log = get_logger(__name__)

HEALTH_JOB: Final = "progress.nightly_health"
BATCH: Final = 500


def _as_of(now: datetime | str | None) -> datetime:
    if now is None:
        return utcnow()
    moment = datetime.fromisoformat(now) if isinstance(now, str) else now
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def nightly_health(
    _ctx: dict[str, Any] | None = None, now: datetime | str | None = None
) -> dict[str, int]:
    """Assess every running mentorship again; returns how many, and how many changed flags."""
    moment = _as_of(now)
    async with database.session(readonly=True) as session:
        tenant_ids = await assessments_repository.tenants_with_running(session)
    assessed = changed = 0
    for tenant_id in tenant_ids:
        after = None
        while True:
            async with database.transaction(tenant_id=tenant_id) as session:
                batch = await assessments_repository.running_after(session, after, BATCH)
                if batch:
                    changed += await assessments.recompute(
                        session, tenant_id, [m.id for m in batch], moment
                    )
            assessed += len(batch)
            if len(batch) < BATCH:
                break
            after = batch[-1].id
    log.info("health.recomputed", mentorships=assessed, changed=changed)
    return {"assessed": assessed, "changed": changed}
