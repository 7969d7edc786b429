"""Commands other services and workers may call inside their own transaction."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import bindparam, or_, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.outbox import emit_many
from services.profiles import queries as profiles
from services.proposals import lifecycle, steps
from services.proposals.models import OPEN_STATUSES, WAITING_STATUSES, MentorshipRequest


async def set_requests_on_hold(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, on_hold: bool
) -> int:
    """Hold (or release) the open requests a user sent or received; returns how many."""
    result = await session.execute(
        update(MentorshipRequest)
        .where(
            MentorshipRequest.tenant_id == tenant_id,
            or_(MentorshipRequest.mentee_id == user_id, MentorshipRequest.mentor_id == user_id),
            MentorshipRequest.status.in_(OPEN_STATUSES),
        )
        .values(on_hold=on_hold)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- a cohort run's requests ---------------------------------------------------------------------

# A batch's statements carry two uuid arrays of this length; asyncpg sends each as one parameter,
# so the batch bounds the statement's size, not a parameter limit.
BATCH: Final = 5_000

ASSIGNED_MESSAGE: Final = (
    "This request was proposed by the program's matching: it paired this mentee and this mentor "
    "for the program's cohort. The mentor may accept it, counter it or decline it, as any other."
)
ASSIGNED_REASON: Final = "Sent by the program's matching run."
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


@dataclass(frozen=True, slots=True)
class SentRequest:
    request_id: uuid.UUID
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID


async def send_assigned_requests(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    program_id: uuid.UUID,
    run_id: uuid.UUID,
    pairs: Sequence[tuple[uuid.UUID, uuid.UUID]],
    actor_id: uuid.UUID | None,
    now: datetime,
) -> list[SentRequest]:
    """Pending requests for a cohort run's (mentee, mentor) pairs, sent by the platform: each
    with its history (created by `actor_id`, then sent by the platform) and its `request.sent`
    event, expiring after the program's `request_expiry_days`. The caller checked that each
    pair may still be asked; a pair with an open request already is skipped (it is not in the
    result). A few statements per 5,000 pairs, whatever their number."""
    policies = await profiles.request_policies(session, tenant_id, program_id)
    if policies is None:
        raise LookupError(f"no program {program_id} in tenant {tenant_id}")
    created_status: lifecycle.Status = "draft"
    status = lifecycle.step(created_status, "send", "system")
    expires_at = now + timedelta(days=policies.request_expiry_days)
    sent: list[SentRequest] = []
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
                "message": ASSIGNED_MESSAGE,
                "reason": ASSIGNED_REASON,
                "now": now,
                "expires_at": expires_at,
                # The history lists newest first by time: the send comes after the creation.
                "sent_step_at": now + timedelta(microseconds=1),
            },
        )
        sent += [SentRequest(*row) for row in rows.all()]
    await emit_many(
        session,
        [
            (
                steps.EVENTS[status],
                {
                    "request_id": str(request.request_id),
                    "mentee_id": str(request.mentee_id),
                    "mentor_id": str(request.mentor_id),
                    "program_id": str(program_id),
                    "status": status,
                    "from_status": created_status,
                    "actor_id": None,
                    "reason": ASSIGNED_REASON,
                    "review_score": None,
                    "expires_at": expires_at.isoformat(),
                    "run_id": str(run_id),
                },
            )
            for request in sent
        ],
        tenant_id=tenant_id,
    )
    return sent


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


async def withdraw_waiting_requests(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    program_id: uuid.UUID,
    mentee_ids: Sequence[uuid.UUID],
    *,
    reason: str,
    now: datetime,
) -> int:
    """Withdraw, as the platform, these mentees' requests in the program that wait for an
    answer (a program that allows one mentor at a time, once they have one), with the history
    and the `request.withdrawn` event of each, as `steps.take_step` writes them. Returns how
    many."""
    statuses = [s for s in WAITING_STATUSES if "system" in _withdraw_parties(s)]
    status = lifecycle.step("pending", "withdraw", "system")
    moved: list[Any] = []
    for start in range(0, len(mentee_ids), BATCH):
        rows = await session.execute(
            _WITHDRAW_WAITING,
            {
                "tenant_id": tenant_id,
                "program_id": program_id,
                "mentee_ids": list(mentee_ids[start : start + BATCH]),
                "statuses": statuses,
                "status": status,
                "reason": reason,
                "now": now,
            },
        )
        moved += rows.all()
    await emit_many(
        session,
        [
            (
                steps.EVENTS[status],
                {
                    "request_id": str(request_id),
                    "mentee_id": str(mentee_id),
                    "mentor_id": str(mentor_id),
                    "program_id": str(program_id),
                    "status": status,
                    "from_status": from_status,
                    "actor_id": None,
                    "reason": reason,
                },
            )
            for request_id, mentee_id, mentor_id, from_status in moved
        ],
        tenant_id=tenant_id,
    )
    return len(moved)


def _withdraw_parties(status: str) -> frozenset[lifecycle.Party]:
    found = lifecycle.TRANSITIONS.get((status, "withdraw"))  # type: ignore[arg-type]
    return found.by if found is not None else frozenset()
