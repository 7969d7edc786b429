"""Use cases of goals. Flushes, never commits.

A goal is the mentee's aim in a mentorship. Its redefinitions (title, success criteria, target
date) are kept as revisions, so both sides can see how the aim moved; progress, status and
description change in place. Anyone who may see the mentorship sees its goals; the same people
(admins included) may add and change them while it runs.
"""

import uuid
from datetime import date, timedelta
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import Conflict, FieldError, NotFound, Unprocessable
from services.core.etags import expect_version
from services.core.outbox import emit
from services.core.pagination import PageParams
from services.progress.goals import repository
from services.progress.goals.models import Goal, GoalRevision
from services.progress.goals.schemas import GoalCreate, GoalUpdate
from services.progress.mentorships.models import Mentorship
from services.progress.mentorships.service import (
    get_mentorship,
    note_activity,
    side_of,
    writable,
)

MAX_GOALS: Final = 20
# Changes of these redefine the goal and are kept as revisions.
REDEFINING: Final = ("title", "success_criteria", "target_date")
IN_PLACE: Final = ("description", "progress", "status")


async def list_goals(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID, params: PageParams
) -> tuple[list[Goal], str | None]:
    await get_mentorship(session, principal, mentorship_id)
    return await repository.list_goals(session, mentorship_id, params)


async def get_goal(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID, goal_id: uuid.UUID
) -> Goal:
    await get_mentorship(session, principal, mentorship_id)
    return await _goal_of(session, mentorship_id, goal_id)


async def list_revisions(
    session: AsyncSession,
    principal: Principal,
    mentorship_id: uuid.UUID,
    goal_id: uuid.UUID,
    params: PageParams,
) -> tuple[list[GoalRevision], str | None]:
    await get_mentorship(session, principal, mentorship_id)
    await _goal_of(session, mentorship_id, goal_id)
    return await repository.list_revisions(session, goal_id, params)


async def create_goal(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID, body: GoalCreate
) -> Goal:
    """A new active goal; at most 20 a mentorship (409 `too_many_goals`)."""
    # Locked: goals are counted, and the activity noted, one writer at a time.
    mentorship = await writable(session, principal, mentorship_id, for_update=True)
    if body.target_date is not None:
        _not_before_start(mentorship, body.target_date)
    if await repository.count_goals(session, mentorship_id) >= MAX_GOALS:
        raise Conflict(
            f"A mentorship has at most {MAX_GOALS} goals.",
            reason="too_many_goals",
            limit=MAX_GOALS,
        )
    goal = Goal(
        tenant_id=mentorship.tenant_id,
        mentorship_id=mentorship.id,
        title=body.title,
        description=body.description,
        success_criteria=body.success_criteria,
        target_date=body.target_date,
        progress=body.progress,
        status="active",
        created_by=principal.user_id,
    )
    session.add(goal)
    _noted(principal, mentorship)
    await session.flush()
    emit(
        session,
        "goal.created",
        {**_goal_data(goal), "actor_id": str(principal.user_id)},
        tenant_id=mentorship.tenant_id,
    )
    return goal


async def update_goal(
    session: AsyncSession,
    principal: Principal,
    mentorship_id: uuid.UUID,
    goal_id: uuid.UUID,
    body: GoalUpdate,
    expected_version: int | None,
) -> Goal:
    """Change a goal. A change of title, success criteria or target date writes a revision with
    only the fields that changed (`goal.revised`); one of description, progress or status is
    `goal.updated`. Achieving a goal puts its progress at 100."""
    mentorship = await writable(session, principal, mentorship_id, for_update=True)
    goal = await _goal_of(session, mentorship_id, goal_id)
    expect_version(goal.version, expected_version)
    wanted = _wanted(goal, body)
    if "target_date" in wanted and wanted["target_date"] is not None:
        _not_before_start(mentorship, wanted["target_date"])
    changed = {name: value for name, value in wanted.items() if getattr(goal, name) != value}
    if not changed:
        return goal
    before = {name: _json(getattr(goal, name)) for name in REDEFINING if name in changed}
    for name, value in changed.items():
        setattr(goal, name, value)
    _noted(principal, mentorship)
    actor = str(principal.user_id)
    if before:
        revision = GoalRevision(
            tenant_id=goal.tenant_id,
            goal_id=goal.id,
            mentorship_id=goal.mentorship_id,
            changed_by=principal.user_id,
            before=before,
            after={name: _json(changed[name]) for name in before},
        )
        session.add(revision)
        await session.flush()
        emit(
            session,
            "goal.revised",
            {
                "goal_id": str(goal.id),
                "mentorship_id": str(goal.mentorship_id),
                "revision_id": str(revision.id),
                "before": revision.before,
                "after": revision.after,
                "actor_id": actor,
            },
            tenant_id=goal.tenant_id,
        )
    in_place = [name for name in IN_PLACE if name in changed]
    if in_place:
        emit(
            session,
            "goal.updated",
            {
                "goal_id": str(goal.id),
                "mentorship_id": str(goal.mentorship_id),
                "fields": in_place,
                "progress": goal.progress,
                "status": goal.status,
                "actor_id": actor,
            },
            tenant_id=goal.tenant_id,
        )
    await session.flush()
    return goal


def _wanted(goal: Goal, body: GoalUpdate) -> dict[str, Any]:
    """The values the body asks for, nulls read as what they clear to, and an achieved goal at
    100: 422 for a progress short of it that leaves (or makes) the goal achieved."""
    wanted: dict[str, Any] = body.model_dump(exclude_unset=True)
    for name in ("description", "success_criteria"):
        if name in wanted and wanted[name] is None:
            wanted[name] = ""
    status = wanted.get("status", goal.status)
    if status == "achieved":
        if wanted.get("progress", 100) != 100:
            raise Unprocessable(
                "An achieved goal is at 100; set the status back to active to lower it.",
                errors=[FieldError(loc=["body", "progress"], msg="must be 100 when achieved")],
            )
        wanted["progress"] = 100
    return wanted


async def _goal_of(session: AsyncSession, mentorship_id: uuid.UUID, goal_id: uuid.UUID) -> Goal:
    goal = await repository.get_goal(session, mentorship_id, goal_id)
    if goal is None:
        raise NotFound("No such goal in this mentorship.")
    return goal


def _not_before_start(mentorship: Mentorship, target_date: date) -> None:
    # The start day as it was anywhere on Earth (UTC-12 is the last to reach it), so nobody's
    # local "today" of the first day is refused.
    started_on = (mentorship.created_at - timedelta(hours=12)).date()
    if target_date < started_on:
        raise Unprocessable(
            "A target date cannot be before the mentorship started.",
            errors=[
                FieldError(
                    loc=["body", "target_date"], msg=f"must be {started_on.isoformat()} or later"
                )
            ],
        )


def _noted(principal: Principal, mentorship: Mentorship) -> None:
    # The inactivity policy watches the pair: an admin's correction is not their activity.
    if side_of(principal, mentorship) is not None:
        note_activity(mentorship)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _goal_data(goal: Goal) -> dict[str, Any]:
    return {
        "goal_id": str(goal.id),
        "mentorship_id": str(goal.mentorship_id),
        "title": goal.title,
        "success_criteria": goal.success_criteria,
        "target_date": _json(goal.target_date),
        "progress": goal.progress,
        "status": goal.status,
    }
