"""Use cases of milestones. Flushes, never commits.

A milestone is an achievement the mentee or the mentor shares with the other, optionally tied
to one of the mentorship's goals. Anyone who may see the mentorship sees its milestones; only
its two participants share them, while it runs.
"""

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import FieldError, Forbidden, NotFound, Unprocessable
from services.core.models import utcnow
from services.core.outbox import emit
from services.core.pagination import PageParams
from services.progress.goals import repository as goals
from services.progress.mentorships.service import get_mentorship, note_activity, side_of, writable
from services.progress.milestones import repository
from services.progress.milestones.models import Milestone
from services.progress.milestones.schemas import MilestoneCreate


async def list_milestones(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID, params: PageParams
) -> tuple[list[Milestone], str | None]:
    await get_mentorship(session, principal, mentorship_id)
    return await repository.list_milestones(session, mentorship_id, params)


async def get_milestone(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID, milestone_id: uuid.UUID
) -> Milestone:
    await get_mentorship(session, principal, mentorship_id)
    milestone = await repository.get_milestone(session, mentorship_id, milestone_id)
    if milestone is None:
        raise NotFound("No such milestone in this mentorship.")
    return milestone


async def share_milestone(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID, body: MilestoneCreate
) -> Milestone:
    """Share an achievement (`milestone.shared`): 403 for an admin who takes no part, 422 for a
    `goal_id` that is not one of this mentorship's goals or an `achieved_on` in the future."""
    # Locked, as every write that notes activity, so concurrent ones do not trip the
    # mentorship's version.
    mentorship = await writable(session, principal, mentorship_id, for_update=True)
    if side_of(principal, mentorship) is None:
        raise Forbidden("Only the mentee or the mentor shares a milestone.")
    _not_in_future(body.achieved_on, utcnow())
    if body.goal_id is not None and (
        await goals.get_goal(session, mentorship_id, body.goal_id) is None
    ):
        raise Unprocessable(
            "The goal is not one of this mentorship's.",
            errors=[FieldError(loc=["body", "goal_id"], msg="no such goal in this mentorship")],
        )
    milestone = Milestone(
        tenant_id=mentorship.tenant_id,
        mentorship_id=mentorship.id,
        goal_id=body.goal_id,
        title=body.title,
        description=body.description,
        achieved_on=body.achieved_on,
        created_by=principal.user_id,
    )
    session.add(milestone)
    note_activity(mentorship)
    await session.flush()
    emit(
        session,
        "milestone.shared",
        {
            "milestone_id": str(milestone.id),
            "mentorship_id": str(mentorship.id),
            "goal_id": str(body.goal_id) if body.goal_id else None,
            "title": milestone.title,
            "achieved_on": milestone.achieved_on.isoformat(),
            "actor_id": str(principal.user_id),
        },
        tenant_id=mentorship.tenant_id,
    )
    return milestone


def _not_in_future(achieved_on: date, now: datetime) -> None:
    # Today as it is anywhere on Earth (UTC+14 is the first to reach a day): the caller's own
    # today is never refused, whatever their time zone.
    latest = (now + timedelta(hours=14)).date()
    if achieved_on > latest:
        raise Unprocessable(
            "A milestone is shared once it is achieved, not before.",
            errors=[FieldError(loc=["body", "achieved_on"], msg="must not be in the future")],
        )
