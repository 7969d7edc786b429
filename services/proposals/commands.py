"""Commands other services and workers may call inside their own transaction."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.outbox import emit_many
from services.profiles import queries as profiles
from services.proposals import lifecycle, repository, steps
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

ASSIGNED_MESSAGE: Final = (
    "This request was proposed by the program's matching: it paired this mentee and this mentor "
    "for the program's cohort. The mentor may accept it, counter it or decline it, as any other."
)
ASSIGNED_REASON: Final = "Sent by the program's matching run."


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
    rows = await repository.insert_sent_requests(
        session,
        tenant_id=tenant_id,
        program_id=program_id,
        run_id=run_id,
        actor_id=actor_id,
        pairs=pairs,
        created_status=created_status,
        status=status,
        message=ASSIGNED_MESSAGE,
        reason=ASSIGNED_REASON,
        now=now,
        expires_at=expires_at,
    )
    sent = [SentRequest(*row) for row in rows]
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
    moved = await repository.withdraw_waiting(
        session,
        tenant_id=tenant_id,
        program_id=program_id,
        mentee_ids=mentee_ids,
        statuses=statuses,
        status=status,
        reason=reason,
        now=now,
    )
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
