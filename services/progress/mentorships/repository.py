"""Every SQL statement of the progress service (commands.py holds the ones other services call)."""

import uuid
from collections.abc import Sequence
from typing import Final

from sqlalchemy import bindparam, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
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
