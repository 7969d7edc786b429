"""Every SQL statement of the proposals service (commands.py holds the ones other services call)."""

import statistics
import uuid
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
from services.proposals.models import (
    OPEN_STATUSES,
    WAITING_STATUSES,
    MentorshipRequest,
    RequestTransition,
)


async def list_requests(
    session: AsyncSession,
    params: PageParams,
    *,
    mentee_id: uuid.UUID | None = None,
    mentor_id: uuid.UUID | None = None,
    status: str | None = None,
) -> tuple[list[MentorshipRequest], str | None]:
    stmt = select(MentorshipRequest)
    if mentee_id is not None:
        stmt = stmt.where(MentorshipRequest.mentee_id == mentee_id)
    if mentor_id is not None:
        # A draft is the mentee's alone until it is sent.
        stmt = stmt.where(
            MentorshipRequest.mentor_id == mentor_id, MentorshipRequest.status != "draft"
        )
    if status is not None:
        stmt = stmt.where(MentorshipRequest.status == status)
    return await paginate(session, stmt, MentorshipRequest, params)


async def get_request(
    session: AsyncSession, request_id: uuid.UUID, *, for_update: bool = False
) -> MentorshipRequest | None:
    stmt = select(MentorshipRequest).where(MentorshipRequest.id == request_id)
    if for_update:
        # populate_existing: a row read earlier in this transaction is refreshed to what the
        # lock holder committed.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    request: MentorshipRequest | None = await session.scalar(stmt)
    return request


async def lock_mentee(session: AsyncSession, tenant_id: uuid.UUID, mentee_id: uuid.UUID) -> None:
    """Serialise the steps that count or change a mentee's open requests (send, accept,
    withdraw) until the transaction ends, so a policy checked is still true at commit: two
    sends cannot both pass the pending limit, two accepts cannot both be their one mentor.
    Taken before any request row, always, so the order of locks is the same everywhere."""
    key = f"proposals.mentee:{tenant_id}:{mentee_id}"
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


async def count_waiting(session: AsyncSession, mentee_id: uuid.UUID) -> int:
    """How many of the mentee's requests wait for an answer (pending or countered)."""
    count = await session.scalar(
        select(func.count()).where(
            MentorshipRequest.mentee_id == mentee_id,
            MentorshipRequest.status.in_(WAITING_STATUSES),
        )
    )
    return int(count or 0)


async def open_request_between(
    session: AsyncSession, mentee_id: uuid.UUID, mentor_id: uuid.UUID
) -> uuid.UUID | None:
    found: uuid.UUID | None = await session.scalar(
        select(MentorshipRequest.id).where(
            MentorshipRequest.mentee_id == mentee_id,
            MentorshipRequest.mentor_id == mentor_id,
            MentorshipRequest.status.in_(OPEN_STATUSES),
        )
    )
    return found


async def other_waiting_requests(
    session: AsyncSession, mentee_id: uuid.UUID, program_id: uuid.UUID | None, except_id: uuid.UUID
) -> list[MentorshipRequest]:
    """The mentee's other requests in this program that wait for an answer, locked, in id
    order (the same order everywhere, so two transactions cannot deadlock on them)."""
    rows = await session.scalars(
        select(MentorshipRequest)
        .where(
            MentorshipRequest.mentee_id == mentee_id,
            MentorshipRequest.program_id == program_id,
            MentorshipRequest.status.in_(WAITING_STATUSES),
            MentorshipRequest.id != except_id,
        )
        .order_by(MentorshipRequest.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def history(
    session: AsyncSession, request_id: uuid.UUID, params: PageParams
) -> tuple[list[RequestTransition], str | None]:
    stmt = select(RequestTransition).where(RequestTransition.request_id == request_id)
    return await paginate(session, stmt, RequestTransition, params)


# A mentor's figures rest on their most recent requests: today's habits, not last year's.
RESPONSE_WINDOW: Final = 50


@dataclass(frozen=True)
class ResponseFigures:
    median_hours: float | None  # sending to the first answer, over answered requests
    acceptance_rate: float | None  # accepted / (accepted + declined + expired unanswered)
    answered: int  # requests the mentor answered (accept, decline or counter)


async def response_figures(
    session: AsyncSession, tenant_id: uuid.UUID, mentor_id: uuid.UUID
) -> ResponseFigures:
    """The mentor's response figures over their last `RESPONSE_WINDOW` settled requests: sent,
    and answered or expired unanswered (a request still waiting, or withdrawn before any
    answer, says nothing about the mentor yet). One statement reading at most that many rows,
    walking `ix_requests_mentor` backwards from the newest. A countered request that then
    expired waiting for the mentee counts as answered, never against the mentor."""
    r = MentorshipRequest
    rows = (
        await session.execute(
            select(r.status, r.sent_at, r.responded_at)
            .where(
                r.tenant_id == tenant_id,
                r.mentor_id == mentor_id,
                r.sent_at.is_not(None),
                or_(r.responded_at.is_not(None), r.status == "expired"),
            )
            .order_by(r.created_at.desc())
            .limit(RESPONSE_WINDOW)
        )
    ).all()
    hours = [
        (responded_at - sent_at).total_seconds() / 3600
        for _, sent_at, responded_at in rows
        if responded_at is not None and sent_at is not None
    ]
    accepted = sum(1 for status, _, _ in rows if status == "accepted")
    decided = sum(
        1
        for status, _, responded_at in rows
        if status in ("accepted", "declined") or (status == "expired" and responded_at is None)
    )
    return ResponseFigures(
        median_hours=statistics.median(hours) if hours else None,
        acceptance_rate=accepted / decided if decided else None,
        answered=len(hours),
    )
