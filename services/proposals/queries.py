"""Read-only queries other services may use; they never import the proposals models directly."""

import uuid
from collections.abc import Collection

from sqlalchemy import any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from services.proposals.models import OPEN_STATUSES, MentorshipRequest


async def open_mentor_ids(
    session: AsyncSession, tenant_id: uuid.UUID, mentee_id: uuid.UUID
) -> set[uuid.UUID]:
    """The mentors this mentee has an open request with (draft, pending or countered), on hold
    or not: a held request still stands between the two and comes back when released."""
    rows = await session.scalars(
        select(MentorshipRequest.mentor_id).where(
            MentorshipRequest.tenant_id == tenant_id,
            MentorshipRequest.mentee_id == mentee_id,
            MentorshipRequest.status.in_(OPEN_STATUSES),
        )
    )
    return set(rows)


async def open_pairs(
    session: AsyncSession, tenant_id: uuid.UUID, mentee_ids: Collection[uuid.UUID]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """(mentee, mentor) of every open request these mentees have, on hold or not, as
    `open_mentor_ids` for many mentees at once (a cohort run): one statement whatever their
    number (an array parameter, not one bind parameter per id)."""
    if not mentee_ids:
        return set()
    ids = bindparam("mentee_ids", list(mentee_ids), type_=ARRAY(PgUUID(as_uuid=True)))
    rows = await session.execute(
        select(MentorshipRequest.mentee_id, MentorshipRequest.mentor_id).where(
            MentorshipRequest.tenant_id == tenant_id,
            MentorshipRequest.mentee_id == any_(ids),
            MentorshipRequest.status.in_(OPEN_STATUSES),
        )
    )
    return {(mentee, mentor) for mentee, mentor in rows.all()}
