"""Read-only queries other services may use; they never import the proposals models directly."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import any_, bindparam, func, select
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


@dataclass(frozen=True, slots=True)
class RequestFigures:
    """A program's requests once sent: how they were answered, and how fast acceptance came."""

    sent: int
    accepted: int
    declined: int
    expired: int
    median_hours_to_accept: float | None


async def request_figures(
    session: AsyncSession, tenant_id: uuid.UUID, program_id: uuid.UUID
) -> RequestFigures:
    """One statement over the program's sent requests (`ix_requests_program` reads them)."""
    r = MentorshipRequest
    hours = func.extract("epoch", r.responded_at - r.sent_at) / 3600
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(r.status == "accepted"),
                func.count().filter(r.status == "declined"),
                func.count().filter(r.status == "expired"),
                func.percentile_cont(0.5)
                .within_group(hours)
                .filter(r.status == "accepted", r.responded_at.is_not(None)),
            ).where(r.tenant_id == tenant_id, r.program_id == program_id, r.sent_at.is_not(None))
        )
    ).one()
    sent, accepted, declined, expired, median = row
    return RequestFigures(
        sent, accepted, declined, expired, float(median) if median is not None else None
    )
