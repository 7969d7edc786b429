"""Read-only queries other services may use; they never import the progress models directly."""

import dataclasses
import uuid
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from services.progress import health
from services.progress.commands import RUNNING_STATUSES
from services.progress.mentorships.models import Mentorship


async def active_mentor_ids(
    session: AsyncSession, tenant_id: uuid.UUID, mentee_id: uuid.UUID
) -> set[uuid.UUID]:
    """The mentors this mentee is in a running mentorship with (active or paused), on hold
    or not."""
    rows = await session.scalars(
        select(Mentorship.mentor_id).where(
            Mentorship.tenant_id == tenant_id,
            Mentorship.mentee_id == mentee_id,
            Mentorship.status.in_(RUNNING_STATUSES),
        )
    )
    return set(rows)


async def running_pairs(
    session: AsyncSession, tenant_id: uuid.UUID, mentee_ids: Collection[uuid.UUID]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """(mentee, mentor) of every running mentorship these mentees have, on hold or not, as
    `active_mentor_ids` for many mentees at once (a cohort run): one statement whatever their
    number."""
    if not mentee_ids:
        return set()
    ids = bindparam("mentee_ids", list(mentee_ids), type_=ARRAY(PgUUID(as_uuid=True)))
    rows = await session.execute(
        select(Mentorship.mentee_id, Mentorship.mentor_id).where(
            Mentorship.tenant_id == tenant_id,
            Mentorship.mentee_id == any_(ids),
            Mentorship.status.in_(RUNNING_STATUSES),
        )
    )
    return {(mentee, mentor) for mentee, mentor in rows.all()}


async def running_program_ids(
    session: AsyncSession, tenant_id: uuid.UUID, mentee_id: uuid.UUID
) -> set[uuid.UUID | None]:
    """The programs this mentee has a running mentorship in (None: one outside any program)."""
    rows = await session.scalars(
        select(Mentorship.program_id).where(
            Mentorship.tenant_id == tenant_id,
            Mentorship.mentee_id == mentee_id,
            Mentorship.status.in_(RUNNING_STATUSES),
        )
    )
    return set(rows)


async def mentored_in_program(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    program_id: uuid.UUID | None,
    mentee_ids: Collection[uuid.UUID],
) -> set[uuid.UUID]:
    """Which of these mentees have a running mentorship in the program, as
    `running_program_ids` tells of one mentee, for many at once (a cohort run applied)."""
    if not mentee_ids:
        return set()
    ids = bindparam("mentee_ids", list(mentee_ids), type_=ARRAY(PgUUID(as_uuid=True)))
    rows = await session.scalars(
        select(Mentorship.mentee_id)
        .where(
            Mentorship.tenant_id == tenant_id,
            Mentorship.mentee_id == any_(ids),
            Mentorship.program_id == program_id,
            Mentorship.status.in_(RUNNING_STATUSES),
        )
        .distinct()
    )
    return set(rows)


def checked_health_thresholds(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A program's health thresholds as an admin writes them: every key a threshold of
    `services.progress.health.Thresholds`, every value of its type and range; ValueError
    naming the first that is not."""
    known = {spec.name for spec in dataclasses.fields(health.Thresholds)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(
            f"{unknown[0]!r} is not a health threshold (known: {', '.join(sorted(known))})"
        )
    health.Thresholds.from_mapping(overrides)  # raises InvalidThresholds, a ValueError
    return dict(overrides)
