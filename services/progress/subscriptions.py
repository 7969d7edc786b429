"""How progress reacts to other services' events."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.logging import get_logger
from services.core.outbox import OutboxEvent, subscriber
from services.profiles.queries import active_user_ids
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
