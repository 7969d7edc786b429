"""Every SQL statement of mentorships (commands.py holds the ones other services call)."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import bindparam, func, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
from services.progress.checkins.models import CheckIn
from services.progress.meetings.models import Meeting
from services.progress.mentorships.models import Mentorship


async def list_mentorships(
    session: AsyncSession,
    params: PageParams,
    *,
    participant_id: uuid.UUID | None = None,
    status: str | None = None,
) -> tuple[list[Mentorship], str | None]:
    """Mentorships, newest first; with `participant_id`, only those that user is mentee or
    mentor of."""
    stmt = select(Mentorship)
    if participant_id is not None:
        stmt = stmt.where(
            or_(Mentorship.mentee_id == participant_id, Mentorship.mentor_id == participant_id)
        )
    if status is not None:
        stmt = stmt.where(Mentorship.status == status)
    return await paginate(session, stmt, Mentorship, params)


async def get_mentorship(
    session: AsyncSession, mentorship_id: uuid.UUID, *, for_update: bool = False
) -> Mentorship | None:
    stmt = select(Mentorship).where(Mentorship.id == mentorship_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    mentorship: Mentorship | None = await session.scalar(stmt)
    return mentorship


_START_MANY = text(
    """
    INSERT INTO progress.mentorships
        (id, tenant_id, mentee_id, mentor_id, program_id, request_id, status, on_hold, cadence,
         duration_months, version, created_at, updated_at)
    SELECT gen_random_uuid(), CAST(:tenant_id AS uuid), p.mentee_id, p.mentor_id,
           CAST(:program_id AS uuid), NULL, 'active', false, NULL, NULL, 1, now(), now()
    FROM unnest(CAST(:mentee_ids AS uuid[]), CAST(:mentor_ids AS uuid[]))
         WITH ORDINALITY AS p(mentee_id, mentor_id, n)
    ORDER BY p.n
    RETURNING id, mentee_id, mentor_id
    """
).bindparams(
    bindparam("mentee_ids", type_=ARRAY(PgUUID(as_uuid=True))),
    bindparam("mentor_ids", type_=ARRAY(PgUUID(as_uuid=True))),
)
_BATCH: Final = 5_000


async def insert_mentorships(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    program_id: uuid.UUID | None,
    pairs: Sequence[tuple[uuid.UUID, uuid.UUID]],
) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
    """Active mentorships for these (mentee, mentor) pairs, without a request, cadence or
    goals: (mentorship, mentee, mentor) of each, a statement per 5,000."""
    made: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]] = []
    for start in range(0, len(pairs), _BATCH):
        batch = pairs[start : start + _BATCH]
        rows = await session.execute(
            _START_MANY,
            {
                "tenant_id": tenant_id,
                "program_id": program_id,
                "mentee_ids": [mentee for mentee, _ in batch],
                "mentor_ids": [mentor for _, mentor in batch],
            },
        )
        made += [(mentorship_id, mentee, mentor) for mentorship_id, mentee, mentor in rows.all()]
    return made


def _last_activity() -> Any:
    """When the mentorship last had a held meeting or a check-in (or began)."""
    held = (
        select(func.max(Meeting.starts_at))
        .where(Meeting.mentorship_id == Mentorship.id, Meeting.status == "held")
        .scalar_subquery()
    )
    written = (
        select(func.max(CheckIn.created_at))
        .where(CheckIn.mentorship_id == Mentorship.id)
        .scalar_subquery()
    )
    return func.greatest(Mentorship.created_at, held, written)


async def quiet_mentorships(
    session: AsyncSession, quiet_since: datetime, after: uuid.UUID | None, limit: int
) -> list[tuple[Mentorship, datetime]]:
    """Up to `limit` active mentorships of the session's tenant, after `after` in id order,
    with nothing since `quiet_since`, locked (SKIP LOCKED: two sweeps share the work), with
    their last activity."""
    last = _last_activity().label("last_activity_at")
    statement = select(Mentorship, last).where(
        Mentorship.status == "active",
        Mentorship.on_hold.is_(False),
        _last_activity() < quiet_since,
    )
    if after is not None:
        statement = statement.where(Mentorship.id > after)
    rows = await session.execute(
        statement.order_by(Mentorship.id)
        .limit(limit)
        .with_for_update(of=Mentorship, skip_locked=True)
    )
    return [(mentorship, at) for mentorship, at in rows.all()]


async def tenants_with_quiet(session: AsyncSession, quiet_since: datetime) -> list[uuid.UUID]:
    """Tenants with an active mentorship quiet since then. Across tenants, for the sweep."""
    rows = await session.scalars(
        select(Mentorship.tenant_id)
        .where(Mentorship.status == "active", _last_activity() < quiet_since)
        .distinct()
        .execution_options(all_tenants=True)
    )
    return list(rows)
