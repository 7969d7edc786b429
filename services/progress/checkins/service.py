"""Use cases of written check-ins. Flushes, never commits.

A check-in is a participant's own update, so only the mentee and the mentor post them (an
admin's is 403); admins read them. Each one is activity: the inactivity policy starts again.
"""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import Forbidden, NotFound
from services.core.outbox import emit
from services.core.pagination import PageParams
from services.progress.checkins import repository
from services.progress.checkins.models import CheckIn
from services.progress.checkins.schemas import CheckInCreate
from services.progress.mentorships.models import Mentorship
from services.progress.mentorships.service import (
    get_mentorship,
    note_activity,
    side_of,
    writable,
)


async def list_check_ins(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID, params: PageParams
) -> tuple[Mentorship, list[CheckIn], str | None]:
    mentorship = await get_mentorship(session, principal, mentorship_id)
    rows, next_cursor = await repository.list_check_ins(session, mentorship_id, params)
    return mentorship, rows, next_cursor


async def get_check_in(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID, check_in_id: uuid.UUID
) -> tuple[Mentorship, CheckIn]:
    mentorship = await get_mentorship(session, principal, mentorship_id)
    check_in = await repository.get_check_in(session, mentorship_id, check_in_id)
    if check_in is None:
        raise NotFound("No such check-in in this mentorship.")
    return mentorship, check_in


async def post_check_in(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID, body: CheckInCreate
) -> tuple[Mentorship, CheckIn]:
    # The row lock: noting the activity must not race another write to the mentorship.
    mentorship = await writable(session, principal, mentorship_id, for_update=True)
    side = side_of(principal, mentorship)
    if side is None:
        raise Forbidden("Only the mentee and the mentor post check-ins.")
    check_in = CheckIn(
        tenant_id=mentorship.tenant_id,
        mentorship_id=mentorship.id,
        author_id=principal.user_id,
        summary=body.summary,
        next_steps=body.next_steps,
        blockers=body.blockers or None,
    )
    session.add(check_in)
    note_activity(mentorship)
    await session.flush()
    emit(
        session,
        "check_in.posted",
        {
            "check_in_id": str(check_in.id),
            "mentorship_id": str(mentorship.id),
            "mentee_id": str(mentorship.mentee_id),
            "mentor_id": str(mentorship.mentor_id),
            "program_id": str(mentorship.program_id) if mentorship.program_id else None,
            "author_id": str(principal.user_id),
            "side": side,
            "has_blockers": check_in.blockers is not None,
        },
        tenant_id=mentorship.tenant_id,
    )
    return mentorship, check_in
