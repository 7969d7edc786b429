"""How progress reacts to other services' events."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.logging import get_logger
from services.core.models import utcnow
from services.core.outbox import OutboxEvent, subscriber
from services.profiles.queries import active_user_ids
from services.progress.assessments import service as assessments
from services.progress.commands import set_mentorships_on_hold

log = get_logger(__name__)


@subscriber("user.deactivated", "user.reactivated", name="progress.sync_mentorship_holds")
async def sync_mentorship_holds(session: AsyncSession, event: OutboxEvent) -> None:
    """A deactivated user's running mentorships wait on hold until the account is back. The
    user's current state decides, not the event, so a late or repeated delivery cannot undo a
    newer change."""
    user_id = uuid.UUID(event.payload["user_id"])
    held = user_id not in await active_user_ids(session, event.tenant_id, [user_id])
    count = await set_mentorships_on_hold(session, event.tenant_id, user_id, held)
    log.info("mentorships.hold_synced", user_id=str(user_id), on_hold=held, mentorships=count)


# What changes a mentorship's health; the assessment is stored and a change of risk flags
# announced (services.progress.assessments.service.recompute).
HEALTH_EVENTS = (
    "mentorship.started",
    "mentorship.status_changed",
    "meeting.scheduled",
    "meeting.held",
    "meeting.missed",
    "meeting.cancelled",
    "meeting.rescheduled",
    "check_in.posted",
    "milestone.shared",
    "goal.created",
    "goal.revised",
    "goal.updated",
    "evaluation.submitted",
    "evaluation.requested",
)


@subscriber(*HEALTH_EVENTS, name="progress.recompute_health")
async def recompute_health(session: AsyncSession, event: OutboxEvent) -> None:
    """Assess the event's mentorship again, as of now."""
    mentorship_id = uuid.UUID(event.payload["mentorship_id"])
    changed = await assessments.recompute(session, event.tenant_id, [mentorship_id], utcnow())
    if changed:
        log.info("health.flags_changed", mentorship_id=str(mentorship_id))
