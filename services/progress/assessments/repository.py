"""Every statement of the health assessments: the facts of many mentorships at once (one
statement per kind of fact, whatever the number of mentorships), and the stored results."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from services.profiles import queries as profiles
from services.progress import health, lifecycle
from services.progress.assessments.models import MentorshipHealth
from services.progress.checkins.models import CheckIn
from services.progress.evaluations.models import Evaluation, EvaluationRequest
from services.progress.goals.models import Goal, GoalRevision
from services.progress.meetings.models import Meeting
from services.progress.mentorships.models import Mentorship
from services.progress.milestones.models import Milestone


def _within(title: str, expertise: frozenset[str] | None) -> bool | None:
    """Whether a goal names a skill the mentor knows; None when it names no skill at all (or
    the mentor lists none), so nothing is said of it."""
    named = profiles.skills_named_in(title)
    if not named or not expertise:
        return None
    return bool(named & expertise)


def _side(mentorship: Mentorship, user_id: uuid.UUID) -> health.Side:
    return "mentor" if user_id == mentorship.mentor_id else "mentee"


async def facts_of(
    session: AsyncSession,
    mentorships: Sequence[Mentorship],
    *,
    evaluation_interval_days: dict[uuid.UUID, int],
    expertise: dict[uuid.UUID, frozenset[str]],
    now: datetime,
) -> dict[uuid.UUID, health.Facts]:
    """What happened in each mentorship up to `now`, as the pure assessment reads it.
    `expertise`: each mentor's skill keys, to tell whether a goal is within what they know."""
    by_id = {m.id: m for m in mentorships}
    ids = list(by_id)
    meetings: dict[uuid.UUID, list[health.Meeting]] = defaultdict(list)
    for mentorship_id, starts_at, status in await session.execute(
        select(Meeting.mentorship_id, Meeting.starts_at, Meeting.status).where(
            Meeting.mentorship_id.in_(ids)
        )
    ):
        meetings[mentorship_id].append(
            health.Meeting(starts_at, cast(health.MeetingStatus, status))
        )
    check_ins: dict[uuid.UUID, list[health.CheckIn]] = defaultdict(list)
    for mentorship_id, at, author_id in await session.execute(
        select(CheckIn.mentorship_id, CheckIn.created_at, CheckIn.author_id).where(
            CheckIn.mentorship_id.in_(ids)
        )
    ):
        check_ins[mentorship_id].append(health.CheckIn(at, _side(by_id[mentorship_id], author_id)))
    milestones: dict[uuid.UUID, list[health.Milestone]] = defaultdict(list)
    for mentorship_id, achieved_on, goal_id in await session.execute(
        select(Milestone.mentorship_id, Milestone.achieved_on, Milestone.goal_id).where(
            Milestone.mentorship_id.in_(ids)
        )
    ):
        milestones[mentorship_id].append(health.Milestone(achieved_on, goal_id))
    # Each goal's latest revision through `ix_goal_revisions_goal`, one probe per goal: a
    # filter on the revisions' own mentorship id has no index to read and scans them all.
    last_revised = (
        select(func.max(GoalRevision.created_at))
        .where(GoalRevision.goal_id == Goal.id)
        .correlate(Goal)
        .scalar_subquery()
    )
    goals: dict[uuid.UUID, list[health.Goal]] = defaultdict(list)
    for mentorship_id, goal_id, title, status, progress, revised_at in await session.execute(
        select(
            Goal.mentorship_id, Goal.id, Goal.title, Goal.status, Goal.progress, last_revised
        ).where(Goal.mentorship_id.in_(ids))
    ):
        goals[mentorship_id].append(
            health.Goal(
                goal_id,
                title,
                cast(health.GoalStatus, status),
                progress,
                revised_at,
                _within(title, expertise.get(by_id[mentorship_id].mentor_id)),
            )
        )
    evaluations: dict[uuid.UUID, list[health.Evaluation]] = defaultdict(list)
    for row in await session.execute(
        select(
            Evaluation.mentorship_id,
            Evaluation.period_start,
            Evaluation.side,
            Evaluation.created_at,
            Evaluation.ratings,
            Evaluation.goal_progress,
        ).where(Evaluation.mentorship_id.in_(ids))
    ):
        mentorship_id, period_start, side, at, ratings, goal_progress = row
        evaluations[mentorship_id].append(
            health.Evaluation(
                period_start,
                cast(health.Side, side),
                at,
                dict(ratings),
                {uuid.UUID(goal): value for goal, value in dict(goal_progress).items()},
            )
        )
    asked: dict[uuid.UUID, list[health.EvaluationRequest]] = defaultdict(list)
    for mentorship_id, at, user_id, answered_at in await session.execute(
        select(
            EvaluationRequest.mentorship_id,
            EvaluationRequest.created_at,
            EvaluationRequest.user_id,
            EvaluationRequest.answered_at,
        ).where(EvaluationRequest.mentorship_id.in_(ids))
    ):
        asked[mentorship_id].append(
            health.EvaluationRequest(
                at, _side(by_id[mentorship_id], user_id), answered_at is not None
            )
        )
    return {
        m.id: health.Facts(
            now=now,
            started_at=m.created_at,
            cadence_interval_days=(m.cadence or {}).get("interval_days"),
            evaluation_interval_days=evaluation_interval_days.get(
                m.id, health.DEFAULT_EVALUATION_INTERVAL_DAYS
            ),
            meetings=meetings[m.id],
            check_ins=check_ins[m.id],
            milestones=milestones[m.id],
            goals=goals[m.id],
            evaluations=evaluations[m.id],
            evaluation_requests=asked[m.id],
        )
        for m in mentorships
    }


async def stored_kinds(
    session: AsyncSession, mentorship_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, set[str]]:
    """The at-risk flags each stored result raised, its row locked: two recomputations of one
    mentorship take turns, so a change of flags is announced once."""
    # The ids are written into the statement (`literal_execute`), so each batch is planned
    # with the table as it is. As a prepared statement, its generic plan was made while the
    # table was still empty (the first night) and seq-scanned it for every batch after: the
    # first night over 100,000 mentorships took twice as long.
    ids: BindParameter[list[uuid.UUID]] = bindparam(
        "ids", list(mentorship_ids), expanding=True, literal_execute=True
    )
    rows = await session.execute(
        select(MentorshipHealth.mentorship_id, MentorshipHealth.flag_kinds)
        .where(MentorshipHealth.mentorship_id.in_(ids))
        .order_by(MentorshipHealth.mentorship_id)
        .with_for_update()
    )
    return {mentorship_id: set(kinds) for mentorship_id, kinds in rows.all()}


async def store(
    session: AsyncSession, tenant_id: uuid.UUID, results: Sequence[dict[str, Any]]
) -> None:
    """Upsert the results (`mentorship_id, score, flags, strengths, flag_kinds, computed_at`)
    in one statement."""
    if not results:
        return
    # The rows go as parameters of one cached statement (sent as multi-row VALUES by
    # SQLAlchemy's insertmanyvalues): rows spelled into `.values()` make a new statement of
    # thousands of bind parameters to compile on every call, which cost more than the rest of
    # a nightly batch together.
    statement = insert(MentorshipHealth)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[MentorshipHealth.mentorship_id],
            set_={
                "score": statement.excluded.score,
                "flags": statement.excluded.flags,
                "strengths": statement.excluded.strengths,
                "flag_kinds": statement.excluded.flag_kinds,
                "computed_at": statement.excluded.computed_at,
                "updated_at": statement.excluded.computed_at,
            },
        ),
        [{"tenant_id": tenant_id, "id": uuid.uuid4(), **result} for result in results],
    )


async def mentorships_by_id(
    session: AsyncSession, mentorship_ids: Sequence[uuid.UUID]
) -> list[Mentorship]:
    rows = await session.scalars(
        select(Mentorship).where(Mentorship.id.in_(list(mentorship_ids))).order_by(Mentorship.id)
    )
    return list(rows)


async def running_after(
    session: AsyncSession, after: uuid.UUID | None, limit: int
) -> list[uuid.UUID]:
    """The ids of the next `limit` running mentorships of the session's tenant, in id order
    after `after` (the recomputation loads the rows itself)."""
    statement = select(Mentorship.id).where(Mentorship.status.in_(lifecycle.RUNNING))
    if after is not None:
        statement = statement.where(Mentorship.id > after)
    rows = await session.scalars(statement.order_by(Mentorship.id).limit(limit))
    return list(rows)


async def tenants_with_running(session: AsyncSession) -> list[uuid.UUID]:
    """Tenants that have running mentorships. Across tenants, on purpose (the nightly job)."""
    rows = await session.scalars(
        select(Mentorship.tenant_id)
        .where(Mentorship.status.in_(lifecycle.RUNNING))
        .distinct()
        .execution_options(all_tenants=True)
    )
    return list(rows)
