"""Every SQL statement of the proposals service (commands.py holds the ones other services call)."""

import statistics
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    extract,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
from services.proposals import reminders
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


# --- many requests at once (a cohort run applied) ----------------------------------------------

# A batch's statements carry uuid arrays of this length; asyncpg sends each as one parameter, so
# the batch bounds a statement's size, not a parameter limit.
BATCH: Final = 5_000
_UUIDS: Final = ARRAY(PgUUID(as_uuid=True))

# One statement a batch: the requests, their first history row (created as a draft, by the admin
# who applied the run) and the platform's send (draft to pending). A pair that has an open request
# already is left out by the open-pair index, not by a look-up that a concurrent send could race.
_SEND_ASSIGNED = text(
    """
    WITH pairs AS (
        SELECT p.mentee_id, p.mentor_id, p.n
        FROM unnest(CAST(:mentee_ids AS uuid[]), CAST(:mentor_ids AS uuid[]))
             WITH ORDINALITY AS p(mentee_id, mentor_id, n)
    ), inserted AS (
        INSERT INTO proposals.requests
            (id, tenant_id, mentee_id, mentor_id, program_id, status, on_hold, message, goals,
             objectives, questions, meeting_options, contribution, sent_at, expires_at,
             reminders_sent, run_id, version, created_at, updated_at)
        SELECT gen_random_uuid(), CAST(:tenant_id AS uuid), pairs.mentee_id, pairs.mentor_id,
               CAST(:program_id AS uuid), CAST(:status AS varchar), false,
               CAST(:message AS text), '[]'::jsonb, '[]'::jsonb, '[]'::jsonb, '[]'::jsonb, '',
               CAST(:now AS timestamptz), CAST(:expires_at AS timestamptz), 0,
               CAST(:run_id AS uuid), 1, CAST(:now AS timestamptz), CAST(:now AS timestamptz)
        FROM pairs
        ORDER BY pairs.n
        ON CONFLICT (tenant_id, mentee_id, mentor_id)
            WHERE status IN ('draft', 'pending', 'countered') DO NOTHING
        RETURNING id, mentee_id, mentor_id
    ), created AS (
        INSERT INTO proposals.request_transitions
            (id, tenant_id, request_id, actor_id, from_status, to_status, reason, created_at,
             updated_at)
        SELECT gen_random_uuid(), CAST(:tenant_id AS uuid), inserted.id,
               CAST(:actor_id AS uuid), NULL, CAST(:created_status AS varchar), NULL,
               CAST(:now AS timestamptz), CAST(:now AS timestamptz)
        FROM inserted
    ), sent AS (
        INSERT INTO proposals.request_transitions
            (id, tenant_id, request_id, actor_id, from_status, to_status, reason, created_at,
             updated_at)
        SELECT gen_random_uuid(), CAST(:tenant_id AS uuid), inserted.id, NULL,
               CAST(:created_status AS varchar), CAST(:status AS varchar),
               CAST(:reason AS text), CAST(:sent_step_at AS timestamptz),
               CAST(:sent_step_at AS timestamptz)
        FROM inserted
    )
    SELECT id, mentee_id, mentor_id FROM inserted
    """
).bindparams(bindparam("mentee_ids", type_=_UUIDS), bindparam("mentor_ids", type_=_UUIDS))


async def insert_sent_requests(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    program_id: uuid.UUID,
    run_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    pairs: Sequence[tuple[uuid.UUID, uuid.UUID]],
    created_status: str,
    status: str,
    message: str,
    reason: str,
    now: datetime,
    expires_at: datetime,
) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
    """(request, mentee, mentor) of the requests made for these pairs, sent at `now`; a pair
    with an open request already makes none."""
    made: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]] = []
    for start in range(0, len(pairs), BATCH):
        batch = pairs[start : start + BATCH]
        rows = await session.execute(
            _SEND_ASSIGNED,
            {
                "tenant_id": tenant_id,
                "program_id": program_id,
                "run_id": run_id,
                "actor_id": actor_id,
                "mentee_ids": [mentee for mentee, _ in batch],
                "mentor_ids": [mentor for _, mentor in batch],
                "status": status,
                "created_status": created_status,
                "message": message,
                "reason": reason,
                "now": now,
                "expires_at": expires_at,
                # The history lists newest first by time: the send comes after the creation.
                "sent_step_at": now + timedelta(microseconds=1),
            },
        )
        made += [(request_id, mentee, mentor) for request_id, mentee, mentor in rows.all()]
    return made


# The mentee's waiting requests in the program, withdrawn by the platform, their history written
# in the same statement. Locked in id order, as `repository.other_waiting_requests` does.
_WITHDRAW_WAITING = text(
    """
    WITH waiting AS (
        SELECT r.id, r.status
        FROM proposals.requests AS r
        WHERE r.tenant_id = CAST(:tenant_id AS uuid)
          AND r.program_id = CAST(:program_id AS uuid)
          AND r.mentee_id = ANY(CAST(:mentee_ids AS uuid[]))
          AND r.status = ANY(CAST(:statuses AS varchar[]))
        ORDER BY r.id
        FOR UPDATE
    ), moved AS (
        UPDATE proposals.requests AS r
        SET status = CAST(:status AS varchar), version = r.version + 1,
            updated_at = CAST(:now AS timestamptz)
        FROM waiting
        WHERE r.id = waiting.id
        RETURNING r.id, r.mentee_id, r.mentor_id, waiting.status AS from_status
    ), history AS (
        INSERT INTO proposals.request_transitions
            (id, tenant_id, request_id, actor_id, from_status, to_status, reason, created_at,
             updated_at)
        SELECT gen_random_uuid(), CAST(:tenant_id AS uuid), moved.id, NULL, moved.from_status,
               CAST(:status AS varchar), CAST(:reason AS text), CAST(:now AS timestamptz),
               CAST(:now AS timestamptz)
        FROM moved
    )
    SELECT id, mentee_id, mentor_id, from_status FROM moved
    """
).bindparams(bindparam("mentee_ids", type_=_UUIDS))


async def withdraw_waiting(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    program_id: uuid.UUID,
    mentee_ids: Sequence[uuid.UUID],
    statuses: Sequence[str],
    status: str,
    reason: str,
    now: datetime,
) -> list[Any]:
    """Move these mentees' requests in the program that are in `statuses` to `status`, by the
    platform, with a history row each: (request, mentee, mentor, from_status) of each."""
    moved: list[Any] = []
    for start in range(0, len(mentee_ids), BATCH):
        rows = await session.execute(
            _WITHDRAW_WAITING,
            {
                "tenant_id": tenant_id,
                "program_id": program_id,
                "mentee_ids": list(mentee_ids[start : start + BATCH]),
                "statuses": list(statuses),
                "status": status,
                "reason": reason,
                "now": now,
            },
        )
        moved += rows.all()
    return moved


# --- the expiry and reminder sweep ------------------------------------------------------------
# Held requests are left alone (see services.proposals.expiry).


def _waiting_unheld() -> ColumnElement[bool]:
    return and_(
        MentorshipRequest.status.in_(WAITING_STATUSES), MentorshipRequest.on_hold.is_(False)
    )


def _expired(now: datetime) -> ColumnElement[bool]:
    return and_(_waiting_unheld(), MentorshipRequest.expires_at <= now)


def _epoch(value: Any) -> ColumnElement[Any]:
    return extract("epoch", value)


def _reminder_due(now: datetime) -> ColumnElement[bool]:
    """`reminders.due_reminder(...) is not None`, in SQL, so a batch holds only requests that
    get a reminder. In seconds since the epoch: exact whatever the session's time zone (an
    interval of days would move with daylight saving)."""
    started = _epoch(
        case(
            (MentorshipRequest.status == "countered", MentorshipRequest.responded_at),
            else_=MentorshipRequest.sent_at,
        )
    )
    expires = _epoch(MentorshipRequest.expires_at)
    at = _epoch(literal(now))
    first = started + (expires - started) * reminders.FIRST_AT_SHARE
    second = expires - reminders.SECOND_BEFORE_EXPIRY.total_seconds()
    has_second = second - first >= reminders.MIN_GAP.total_seconds()
    return and_(
        _waiting_unheld(),
        MentorshipRequest.expires_at > now,
        or_(
            and_(MentorshipRequest.reminders_sent < 1, first <= at),
            and_(MentorshipRequest.reminders_sent < reminders.LAST, has_second, second <= at),
        ),
    )


async def tenants_with_expired(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Tenants with requests to expire. Across tenants: the sweep serves all, each then in a
    transaction bound to it."""
    rows = await session.scalars(
        select(MentorshipRequest.tenant_id)
        .where(_expired(now))
        .distinct()
        .execution_options(all_tenants=True)
    )
    return list(rows)


async def tenants_with_reminders_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Tenants with requests whose reminder is due, across tenants as `tenants_with_expired`."""
    rows = await session.scalars(
        select(MentorshipRequest.tenant_id)
        .where(_reminder_due(now))
        .distinct()
        .execution_options(all_tenants=True)
    )
    return list(rows)


async def lock_expired(session: AsyncSession, now: datetime, limit: int) -> list[MentorshipRequest]:
    """Up to `limit` requests of the session's tenant to expire, oldest deadline first, locked;
    rows another transaction holds (a sweep elsewhere, a mentor answering) are skipped, so two
    sweeps never take the same request and a sweep never waits for a person."""
    rows = await session.scalars(
        select(MentorshipRequest)
        .where(_expired(now))
        .order_by(MentorshipRequest.expires_at, MentorshipRequest.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def lock_reminders_due(
    session: AsyncSession, now: datetime, limit: int
) -> list[MentorshipRequest]:
    """Up to `limit` requests of the session's tenant whose reminder is due, locked as
    `lock_expired` locks them."""
    rows = await session.scalars(
        select(MentorshipRequest)
        .where(_reminder_due(now))
        .order_by(MentorshipRequest.expires_at, MentorshipRequest.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list(rows)
