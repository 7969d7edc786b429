"""Every SQL statement about meetings."""

import uuid
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
from services.progress.meetings.models import Meeting
from services.progress.mentorships.models import Mentorship


async def list_meetings(
    session: AsyncSession, mentorship_id: uuid.UUID, params: PageParams, status: str | None
) -> tuple[list[Meeting], str | None]:
    """A mentorship's meetings, newest first."""
    stmt = select(Meeting).where(Meeting.mentorship_id == mentorship_id)
    if status is not None:
        stmt = stmt.where(Meeting.status == status)
    return await paginate(session, stmt, Meeting, params)


async def get_meeting(
    session: AsyncSession,
    mentorship_id: uuid.UUID,
    meeting_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Meeting | None:
    stmt = select(Meeting).where(Meeting.id == meeting_id, Meeting.mentorship_id == mentorship_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    meeting: Meeting | None = await session.scalar(stmt)
    return meeting


async def meetings_by_time(
    session: AsyncSession, mentorship_id: uuid.UUID, statuses: tuple[str, ...]
) -> list[Meeting]:
    """A mentorship's meetings in these statuses, earliest first (the calendar's)."""
    stmt = (
        select(Meeting)
        .where(Meeting.mentorship_id == mentorship_id, Meeting.status.in_(statuses))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return list((await session.scalars(stmt)).all())


async def meetings_to_remind(
    session: AsyncSession, until: datetime, now: datetime, limit: int
) -> list[tuple[Meeting, Mentorship]]:
    """Up to `limit` scheduled meetings of running mentorships starting between now and
    `until` that nobody was reminded of, locked (SKIP LOCKED), with their mentorship."""
    rows = await session.execute(
        select(Meeting, Mentorship)
        .join(Mentorship, Mentorship.id == Meeting.mentorship_id)
        .where(
            Meeting.status == "scheduled",
            Meeting.reminded_at.is_(None),
            Meeting.starts_at > now,
            Meeting.starts_at <= until,
            Mentorship.status == "active",
            Mentorship.on_hold.is_(False),
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(limit)
        .with_for_update(of=Meeting, skip_locked=True)
    )
    return [(meeting, mentorship) for meeting, mentorship in rows.all()]


async def tenants_with_reminders(
    session: AsyncSession, until: datetime, now: datetime
) -> list[uuid.UUID]:
    """Tenants with a meeting to remind of. Across tenants, for the sweep."""
    rows = await session.scalars(
        select(Meeting.tenant_id)
        .where(
            Meeting.status == "scheduled",
            Meeting.reminded_at.is_(None),
            Meeting.starts_at > now,
            Meeting.starts_at <= until,
        )
        .distinct()
        .execution_options(all_tenants=True)
    )
    return list(rows)


async def mark_reminded(session: AsyncSession, meeting_ids: list[uuid.UUID], now: datetime) -> None:
    """Record the reminders without a new version of each meeting (a bulk UPDATE)."""
    if meeting_ids:
        await session.execute(
            update(Meeting)
            .where(Meeting.id.in_(meeting_ids))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )


async def note_held(session: AsyncSession, mentorship_id: uuid.UUID, at: datetime) -> None:
    """Keep the mentorship's first held meeting (the earliest, whatever order they are
    logged in), without a new version of the mentorship: nothing a client wrote changed."""
    await session.execute(
        update(Mentorship)
        .where(
            Mentorship.id == mentorship_id,
            or_(Mentorship.first_held_at.is_(None), Mentorship.first_held_at > at),
        )
        .values(first_held_at=at)
        .execution_options(synchronize_session=False)
    )
