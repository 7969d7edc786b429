"""Mentor search: filters that AND across kinds and OR within a kind, full-text `q`, and a
cursor that stays stable while profiles change."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from services.core.errors import FieldError, Unprocessable
from services.core.pagination import (
    PageParams,
    decode_position,
    encode_position,
    number_part,
    tag_part,
    timestamp_part,
    uuid_part,
)
from services.profiles.profiles.models import Profile
from services.profiles.profiles.rules import response_stats, skill_key, tag_key
from services.profiles.profiles.schemas import MentorCard, SkillEntry
from services.profiles.programs.models import ProgramParticipant
from services.profiles.users.models import User

TS_CONFIG = "english"


@dataclass(frozen=True)
class MentorFilters:
    skills: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    available: bool | None = None
    program_id: uuid.UUID | None = None
    q: str | None = None


def _any_of(column: Any, keys: list[str]) -> ColumnElement[bool]:
    return column.overlap(literal(sorted(set(keys)), ARRAY(Text)))  # type: ignore[no-any-return]


def _encode(kind: str, sort_value: float | str, row_id: uuid.UUID) -> str:
    # The ordering's name travels in the cursor: a cursor of one ordering is refused by the other.
    return encode_position([kind, sort_value, str(row_id)])


def _skill_keys(names: list[str]) -> list[str]:
    try:
        return [skill_key(name)[0] for name in names]
    except ValueError as exc:  # nothing left of the name once cleaned (" ", a zero-width space)
        raise Unprocessable(
            "A skill to search for needs at least one visible character.",
            errors=[FieldError(loc=["query", "skill"], msg=str(exc))],
        ) from exc


def filtered(filters: MentorFilters) -> Select[Profile, str]:
    stmt = (
        select(Profile, User.display_name)
        .join(User, User.id == Profile.user_id)
        .where(Profile.is_mentor, User.active)
    )
    if filters.skills:
        stmt = stmt.where(_any_of(Profile.expertise_keys, _skill_keys(filters.skills)))
    if filters.industries:
        stmt = stmt.where(_any_of(Profile.industry_keys, [tag_key(i) for i in filters.industries]))
    if filters.languages:
        stmt = stmt.where(
            _any_of(Profile.language_keys, [lang.lower() for lang in filters.languages])
        )
    if filters.values:
        stmt = stmt.where(_any_of(Profile.value_keys, [tag_key(v) for v in filters.values]))
    if filters.available is not None:
        open_place = and_(
            Profile.accepting_requests, Profile.active_mentees < Profile.mentor_capacity
        )
        stmt = stmt.where(open_place if filters.available else ~open_place)
    if filters.program_id is not None:
        stmt = stmt.where(
            exists().where(
                ProgramParticipant.program_id == filters.program_id,
                ProgramParticipant.user_id == Profile.user_id,
                ProgramParticipant.role == "mentor",
            )
        )
    return stmt


async def search_mentors(
    session: AsyncSession, filters: MentorFilters, params: PageParams
) -> tuple[list[MentorCard], str | None]:
    stmt: Any = filtered(filters)
    if filters.q:
        query = func.websearch_to_tsquery(TS_CONFIG, filters.q)
        rank = func.ts_rank_cd(Profile.search_vector, query)
        stmt = stmt.add_columns(rank).where(Profile.search_vector.op("@@")(query))
        if params.cursor:
            _, last_rank, last_id = decode_position(
                params.cursor, tag_part("q"), number_part, uuid_part
            )
            stmt = stmt.where(or_(rank < last_rank, and_(rank == last_rank, Profile.id > last_id)))
        stmt = stmt.order_by(rank.desc(), Profile.id)
    else:
        if params.cursor:
            _, created, last_id = decode_position(
                params.cursor, tag_part("new"), timestamp_part, uuid_part
            )
            stmt = stmt.where(
                or_(
                    Profile.created_at < created,
                    and_(Profile.created_at == created, Profile.id < last_id),
                )
            )
        stmt = stmt.order_by(Profile.created_at.desc(), Profile.id.desc())
    rows = (await session.execute(stmt.limit(params.limit + 1))).all()
    page = rows[: params.limit]
    next_cursor = None
    if len(rows) > params.limit:
        last = page[-1]
        if filters.q:
            next_cursor = _encode("q", float(last[2]), last[0].id)
        else:
            next_cursor = _encode("new", last[0].created_at.isoformat(), last[0].id)
    return [card(row[0], row[1]) for row in page], next_cursor


def card(profile: Profile, display_name: str) -> MentorCard:
    details = profile.details
    return MentorCard(
        user_id=profile.user_id,
        display_name=display_name,
        headline=profile.headline,
        timezone=profile.timezone,
        languages=details.get("languages", []),
        industries=details.get("industries", []),
        seniority=profile.seniority,
        years_experience=profile.years_experience,
        expertise=[
            SkillEntry.model_validate(s)
            for s in details.get("skills", [])
            if s.get("kind") == "expertise"
        ],
        values=details.get("values", []),
        capacity=profile.mentor_capacity,
        active_mentees=profile.active_mentees,
        accepting_requests=profile.accepting_requests,
        available=profile.accepting_requests and profile.active_mentees < profile.mentor_capacity,
        response_stats=response_stats(
            profile.response_median_hours, profile.acceptance_rate, profile.responses_count
        ),
    )
