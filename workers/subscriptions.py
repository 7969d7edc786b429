"""Which service reacts to which event: handlers run in the dispatching worker's transaction."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.logging import get_logger
from services.core.outbox import OutboxEvent
from services.core.user_state import USER_STATE_EVENTS, forget_on_event
from services.progress.commands import set_mentorships_on_hold
from services.proposals.commands import set_requests_on_hold
from workers.outbox import HANDLERS

log = get_logger(__name__)


async def hold_for_deactivated_user(session: AsyncSession, event: OutboxEvent) -> None:
    user_id = uuid.UUID(event.payload["user_id"])
    requests = await set_requests_on_hold(session, event.tenant_id, user_id, True)
    mentorships = await set_mentorships_on_hold(session, event.tenant_id, user_id, True)
    log.info("user.held", user_id=str(user_id), requests=requests, mentorships=mentorships)


async def release_for_reactivated_user(session: AsyncSession, event: OutboxEvent) -> None:
    user_id = uuid.UUID(event.payload["user_id"])
    await set_requests_on_hold(session, event.tenant_id, user_id, False)
    await set_mentorships_on_hold(session, event.tenant_id, user_id, False)


def register() -> None:
    HANDLERS["user.deactivated"] = [hold_for_deactivated_user]
    HANDLERS["user.reactivated"] = [release_for_reactivated_user]
    for event_type in USER_STATE_EVENTS:
        # The durable drop of a user's cached authority (see services.core.user_state).
        HANDLERS.setdefault(event_type, []).append(forget_on_event)


register()
