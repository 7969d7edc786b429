"""Read-only queries other services may use; they never import the profiles models directly.

Each names the tenant it asks about and runs in a session bound to that tenant (the caller's
boundary bound it): the session's filter and the explicit condition agree, or nothing is found.
"""

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import BigInteger, Select, Text, and_, cast, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.user_state import UserState
from services.profiles.profiles import rules
from services.profiles.profiles.models import Profile
from services.profiles.programs.models import Program, ProgramParticipant
from services.profiles.skills import vocabulary
from services.profiles.tenants.models import Tenant
from services.profiles.users.models import User


async def user_state(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> UserState | None:
    """The user's authority if they belong to this tenant and the tenant exists; else None."""
    row = (
        await session.execute(
            select(User.roles, User.active, User.email)
            .join(Tenant, Tenant.id == User.tenant_id)
            .where(User.id == user_id, User.tenant_id == tenant_id)
        )
    ).first()
    if row is None:
        return None
    roles, active, email = row
    return UserState(tenant_id, tuple(sorted(roles)), active, email)


async def active_user_ids(
    session: AsyncSession, tenant_id: uuid.UUID, user_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these users exist in the tenant and are active."""
    rows = await session.scalars(
        select(User.id).where(User.tenant_id == tenant_id, User.id.in_(user_ids), User.active)
    )
    return set(rows)


async def default_program_id(session: AsyncSession, tenant_id: uuid.UUID) -> uuid.UUID | None:
    program_id: uuid.UUID | None = await session.scalar(
        select(Program.id).where(Program.tenant_id == tenant_id, Program.is_default)
    )
    return program_id


async def program_weights(
    session: AsyncSession, tenant_id: uuid.UUID, program_id: uuid.UUID | None
) -> dict[str, float] | None:
    """A program's matching weights by factor (the tenant's default program when `program_id`
    is None); None when there is no such program in the tenant. Programs written before the
    weights existed have {} (the defaults)."""
    condition = Program.id == program_id if program_id is not None else Program.is_default
    weights: dict[str, float] | None = await session.scalar(
        select(Program.matching_weights).where(Program.tenant_id == tenant_id, condition)
    )
    return None if weights is None else dict(weights)


@dataclass(frozen=True, slots=True)
class RequestPolicies:
    """What a program allows of mentorship requests (see `Program`)."""

    program_id: uuid.UUID
    is_default: bool
    min_request_score: int
    max_pending_requests: int
    request_expiry_days: int
    one_mentor_at_a_time: bool
    apply_runs_as: str


async def request_policies(
    session: AsyncSession, tenant_id: uuid.UUID, program_id: uuid.UUID | None
) -> RequestPolicies | None:
    """A program's request policies (the tenant's default program when `program_id` is None);
    None when there is no such program in the tenant."""
    condition = Program.id == program_id if program_id is not None else Program.is_default
    row = (
        await session.execute(
            select(
                Program.id,
                Program.is_default,
                Program.min_request_score,
                Program.max_pending_requests,
                Program.request_expiry_days,
                Program.one_mentor_at_a_time,
                Program.apply_runs_as,
            ).where(Program.tenant_id == tenant_id, condition)
        )
    ).one_or_none()
    return None if row is None else RequestPolicies(*row)


@dataclass(frozen=True, slots=True)
class ProgressPolicies:
    """What a program sets for its mentorships' progress (see `Program`)."""

    evaluation_interval_days: int
    health_thresholds: Mapping[str, Any]
    close_inactive_after_days: int | None


async def progress_policies(
    session: AsyncSession, tenant_id: uuid.UUID, program_ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID | None, ProgressPolicies]:
    """Each program's progress policies, in one statement; None (a mentorship outside any
    program) reads the tenant's default program."""
    wanted = set(program_ids)
    rows = (
        await session.execute(
            select(
                Program.id,
                Program.is_default,
                Program.evaluation_interval_days,
                Program.health_thresholds,
                Program.close_inactive_after_days,
            ).where(
                Program.tenant_id == tenant_id,
                or_(Program.id.in_([p for p in wanted if p is not None]), Program.is_default),
            )
        )
    ).all()
    found: dict[uuid.UUID | None, ProgressPolicies] = {}
    for program_id, is_default, interval, thresholds, close_after in rows:
        policies = ProgressPolicies(interval, dict(thresholds or {}), close_after)
        if program_id in wanted:
            found[program_id] = policies
        if is_default:
            found[None] = policies
    return {key: policies for key, policies in found.items() if key in wanted}


@dataclass(frozen=True, slots=True)
class EvaluationInterval:
    """How often a program's mentorships are evaluated (`Program.evaluation_interval_days`)."""

    tenant_id: uuid.UUID
    program_id: uuid.UUID
    is_default: bool
    days: int


async def evaluation_intervals(
    session: AsyncSession, tenant_id: uuid.UUID | None
) -> list[EvaluationInterval]:
    """Every program's evaluation interval: the tenant's programs, or with None every tenant's
    (the evaluation requests' cron, which serves all of them)."""
    stmt = select(
        Program.tenant_id, Program.id, Program.is_default, Program.evaluation_interval_days
    )
    if tenant_id is None:
        stmt = stmt.execution_options(all_tenants=True)
    else:
        stmt = stmt.where(Program.tenant_id == tenant_id)
    return [EvaluationInterval(*row) for row in (await session.execute(stmt)).all()]


# --- what matching reads -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatchingRow:
    """One person as matching sees them: the user, the profile body as the API shows it (empty
    when they have not written one), the derived mentor columns and their programs."""

    user_id: uuid.UUID
    display_name: str
    active: bool
    roles: tuple[str, ...]
    headline: str
    bio: str
    timezone: str | None
    years_experience: int | None
    seniority: str | None
    details: Mapping[str, Any]
    is_mentor: bool
    accepting_requests: bool
    mentor_capacity: int
    active_mentees: int
    openness: float | None
    mentor_programs: tuple[uuid.UUID, ...]
    mentee_programs: tuple[uuid.UUID, ...]
    manager_id: uuid.UUID | None = None
    conflicts: tuple[uuid.UUID, ...] = field(default_factory=tuple)
    # The median hours to answer a request, measured, once it rests on enough answers (see
    # `rules.MIN_MEASURED_RESPONSES`); None before, when the declared response time stands.
    measured_response_hours: float | None = None


def _programs_of(role: str) -> Any:
    return (
        select(func.coalesce(func.array_agg(ProgramParticipant.program_id), []))
        .where(ProgramParticipant.user_id == User.id, ProgramParticipant.role == role)
        .scalar_subquery()
    )


def _matching_select(tenant_id: uuid.UUID) -> Select[Any]:
    return (
        select(
            User.id,
            User.display_name,
            User.active,
            User.roles,
            Profile.headline,
            Profile.bio,
            Profile.timezone,
            Profile.years_experience,
            Profile.seniority,
            Profile.details,
            Profile.is_mentor,
            Profile.accepting_requests,
            Profile.mentor_capacity,
            Profile.active_mentees,
            Profile.openness,
            _programs_of("mentor"),
            _programs_of("mentee"),
            User.manager_id,
            Profile.response_median_hours,
            Profile.responses_count,
        )
        .outerjoin(Profile, and_(Profile.user_id == User.id, Profile.tenant_id == User.tenant_id))
        .where(User.tenant_id == tenant_id)
    )


def _matching_row(row: Sequence[Any]) -> MatchingRow:
    (user_id, name, active, roles, headline, bio, timezone, years, seniority, details) = row[:10]
    is_mentor, accepting, capacity, active_mentees, openness, mentoring, learning = row[10:17]
    manager_id, response_median_hours, responses_count = row[17:20]
    details = details or {}
    return MatchingRow(
        user_id=user_id,
        display_name=name,
        active=active,
        roles=tuple(roles),
        headline=headline or "",
        bio=bio or "",
        timezone=timezone,
        years_experience=years,
        seniority=seniority,
        details=details,
        is_mentor=bool(is_mentor),
        accepting_requests=bool(accepting),
        mentor_capacity=capacity or 0,
        active_mentees=active_mentees or 0,
        openness=openness,
        mentor_programs=tuple(mentoring),
        mentee_programs=tuple(learning),
        manager_id=manager_id,
        # Declared in the profile body (as the API shows it: ids as text).
        conflicts=tuple(uuid.UUID(who) for who in details.get("conflicts_of_interest") or ()),
        measured_response_hours=rules.measured_response_hours(
            response_median_hours, responses_count or 0
        ),
    )


async def matching_rows(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    user_ids: Sequence[uuid.UUID] | None = None,
    program_id: uuid.UUID | None = None,
    role: str | None = None,
    mentors_only: bool = False,
) -> list[MatchingRow]:
    """People of the tenant as matching sees them: these users, or the program's participants
    in this role, or (mentors_only) everyone with a mentor profile."""
    statement = _matching_select(tenant_id)
    if user_ids is not None:
        statement = statement.where(User.id.in_(list(user_ids)))
    if program_id is not None:
        members = select(ProgramParticipant.user_id).where(
            ProgramParticipant.program_id == program_id,
            ProgramParticipant.tenant_id == tenant_id,
        )
        if role is not None:
            members = members.where(ProgramParticipant.role == role)
        statement = statement.where(User.id.in_(members))
    if mentors_only:
        statement = statement.where(Profile.is_mentor)
    return [_matching_row(row) for row in (await session.execute(statement)).all()]


async def tenants_by_mentors(session: AsyncSession, limit: int) -> list[uuid.UUID]:
    """Tenants that have mentors, those with the most first (at most `limit`): whose mentor
    indexes a starting process loads before anyone asks. Across tenants, on purpose."""
    mentors = func.count()
    rows = await session.scalars(
        select(Profile.tenant_id)
        .where(Profile.is_mentor)
        .group_by(Profile.tenant_id)
        .order_by(mentors.desc(), Profile.tenant_id)
        .limit(limit)
        .execution_options(all_tenants=True)
    )
    return list(rows)


def _xid_as_bigint(xid8: Any) -> Any:
    # xid8 has no cast to bigint; through text it is exact (64 bits, epoch included).
    return cast(cast(xid8, Text), BigInteger)


@dataclass(frozen=True, slots=True)
class FeedPosition:
    """Where a reader of `matching_changes` is: every transaction below `xmax` that is not in
    `running` had finished when it last read, so its changes were read then (or, if it was
    rolled back, there are none). What the next read must look at is the rest."""

    xmax: int = 0
    running: tuple[int, ...] = ()

    @property
    def is_start(self) -> bool:
        return self.xmax == 0


FEED_START = FeedPosition()


async def matching_changes(
    session: AsyncSession, tenant_id: uuid.UUID, since: FeedPosition
) -> tuple[FeedPosition, list[MatchingRow]]:
    """What changed for matching since a position: `(next position, rows)`, in ONE statement.

    The rows are the people whose profile row was stamped (migration 0014) by a transaction the
    position had not seen finish (id >= its xmax, or among its running ones): mentors or not,
    since one who stopped mentoring must leave an index. The next position is the very
    snapshot those rows were read in: its xmax and the transactions running in it (plus the
    reader's own, when it has one, as a test's outer transaction does). A transaction that
    snapshot did not see is one of those, so the next read finds its rows once it has
    committed; rows already seen may come again. Exact without waiting for the oldest
    transaction of the server to end, so a long one elsewhere does not make every read fetch
    everything changed since it began. `FEED_START`: a full load, of the mentors only."""
    current = select(func.pg_current_snapshot().label("s")).subquery("current")
    running = func.pg_snapshot_xip(current.c.s).table_valued("xid").alias("running")
    snapshot = select(
        _xid_as_bigint(func.pg_snapshot_xmax(current.c.s)).label("xmax"),
        func.array(select(_xid_as_bigint(running.c.xid)).scalar_subquery()).label("running"),
        _xid_as_bigint(func.pg_current_xact_id_if_assigned()).label("own"),
    ).subquery("snapshot")
    changed_rows = _matching_select(tenant_id).where(Profile.tenant_id == tenant_id)
    if since.is_start:
        changed_rows = changed_rows.where(Profile.is_mentor)
    else:
        changed_rows = changed_rows.where(
            or_(Profile.changed_xid >= since.xmax, Profile.changed_xid.in_(since.running))
        )
    changed = changed_rows.subquery("changed")
    # The position comes back even when nothing changed (the usual case): a LEFT JOIN on true.
    statement = select(snapshot, changed).select_from(snapshot.outerjoin(changed, true()))
    result = (await session.execute(statement)).all()
    xmax, running_ids, own = result[0][:3]
    ids = {int(xid) for xid in running_ids or ()} | ({int(own)} if own is not None else set())
    position = FeedPosition(int(xmax), tuple(sorted(ids)))
    return position, [_matching_row(row[3:]) for row in result if row[3] is not None]


# A full load of an index asks for the same few thousand skill names tens of thousands of times.
_skill_key = lru_cache(maxsize=65_536)(rules.skill_key)


def skill_key(name: str) -> str:
    """The comparison key of a skill as someone typed it (aliases fold to their skill)."""
    return _skill_key(name)[0]


def skill_name(name: str) -> str:
    """The name a skill is shown by: the vocabulary's canonical name, or the text as typed."""
    return _skill_key(name)[1]


def language_keys(languages: list[str]) -> list[str]:
    """A regional code also counts as its language: pt-BR also gives pt."""
    return rules.language_keys(languages)


def tag_key(text: str) -> str:
    """The comparison key of an industry or a value."""
    return rules.tag_key(text)


@cache
def related_skills() -> Mapping[str, frozenset[str]]:
    """Vocabulary skills that are related (either side names the other), by skill key."""
    related: dict[str, set[str]] = {}
    for skill in vocabulary.vocabulary():
        key = vocabulary.normalise_key(skill.name)
        for other in skill.related:
            other_key = vocabulary.normalise_key(other)
            related.setdefault(key, set()).add(other_key)
            related.setdefault(other_key, set()).add(key)
    return {key: frozenset(keys) for key, keys in related.items()}


def skills_named_in(text: str) -> frozenset[str]:
    """The vocabulary skills a free text names, by skill key: every run of one to three words
    that is a skill's name or alias ("Lead the move to k8s" names Kubernetes)."""
    words = [word for word in re.split(r"[^\w+#.]+", text) if word]
    found = set()
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            skill = vocabulary.canonical(" ".join(words[start : start + size]).strip("."))
            if skill is not None:
                found.add(vocabulary.normalise_key(skill.name))
    return frozenset(found)


async def expertise_keys(
    session: AsyncSession, tenant_id: uuid.UUID, user_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, frozenset[str]]:
    """Each person's expertise as skill keys, with the skills related to them: what they can
    be asked about."""
    rows = await session.execute(
        select(Profile.user_id, Profile.details["skills"]).where(
            Profile.tenant_id == tenant_id, Profile.user_id.in_(list(set(user_ids)))
        )
    )
    related = related_skills()
    found: dict[uuid.UUID, frozenset[str]] = {}
    for user_id, skills in rows.all():
        keys = {
            skill_key(str(skill.get("name", "")))
            for skill in (skills or [])
            if isinstance(skill, dict) and skill.get("kind", "expertise") == "expertise"
        }
        found[user_id] = frozenset(keys.union(*(related.get(key, ()) for key in keys)))
    return found
