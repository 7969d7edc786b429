"""Use cases of evaluations. Flushes, never commits.

Each participant evaluates the mentorship once per evaluation period (`periods.py`), in the
period it is: the one written after the worker asked, at the start of a period, looks back on
the period that just ended. Both sides' evaluations are read by both participants and the
organisation's admins.

An evaluation's `goal_progress` is its author's view, kept with the evaluation; it does not
change the goals' own `progress`, which the participants set on the goal. A mentor's 40 and a
mentee's 70 are both worth keeping, and neither overwrites a figure someone set by hand.
"""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import Conflict, FieldError, Forbidden, NotFound, Unprocessable
from services.core.models import utcnow
from services.core.outbox import emit
from services.core.pagination import PageParams
from services.profiles import queries as profiles
from services.progress import periods
from services.progress.evaluations import repository
from services.progress.evaluations.models import Evaluation
from services.progress.evaluations.schemas import EvaluationCreate
from services.progress.mentorships.models import Mentorship
from services.progress.mentorships.service import get_mentorship, note_activity, side_of, writable


async def interval_days(session: AsyncSession, mentorship: Mentorship) -> int:
    """The mentorship's evaluation interval, as its program says now."""
    programs = await profiles.evaluation_intervals(session, mentorship.tenant_id)
    default = next((p.program_id for p in programs if p.is_default), None)
    return periods.interval_of(
        mentorship.program_id, {p.program_id: p.days for p in programs}, default
    )


async def _check_goals(
    session: AsyncSession, mentorship: Mentorship, goal_ids: list[uuid.UUID]
) -> None:
    found = await repository.goal_ids_of(session, mentorship.id, goal_ids)
    foreign = [goal_id for goal_id in goal_ids if goal_id not in found]
    if foreign:
        raise Unprocessable(
            "goal_progress names goals that are not this mentorship's.",
            errors=[
                FieldError(
                    loc=["body", "goal_progress", str(goal_id)],
                    msg="not a goal of this mentorship",
                )
                for goal_id in foreign
            ],
        )


async def submit_evaluation(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID, body: EvaluationCreate
) -> Evaluation:
    """The caller's evaluation of the current period. 403 for an admin who takes no part in
    the mentorship; 409 `already_evaluated` for a second one in the same period."""
    # Locked: the evaluation requests' cron skips a mentorship being evaluated, so the request
    # it writes afterwards sees this evaluation, and this one sees a request written before.
    mentorship = await writable(session, principal, mentorship_id, for_update=True)
    side = side_of(principal, mentorship)
    if side is None:
        raise Forbidden("Only the mentee and the mentor evaluate their mentorship.")
    await _check_goals(session, mentorship, list(body.goal_progress))
    now = utcnow()
    period = periods.period_containing(
        mentorship.created_at, await interval_days(session, mentorship), now
    )
    evaluation = Evaluation(
        tenant_id=mentorship.tenant_id,
        mentorship_id=mentorship.id,
        author_id=principal.user_id,
        side=side,
        period_start=period.start,
        goal_progress={str(goal_id): value for goal_id, value in body.goal_progress.items()},
        ratings=body.ratings.model_dump(),
        comments=body.comments,
        created_at=now,
        updated_at=now,
    )
    if not await repository.add_evaluation(session, evaluation):
        raise Conflict(
            "You have evaluated this period already; the next one starts on "
            f"{period.end.isoformat()}.",
            reason="already_evaluated",
            period_start=period.start.isoformat(),
            next_period_start=period.end.isoformat(),
        )
    await repository.mark_request_answered(
        session, mentorship.id, principal.user_id, period.start, now
    )
    note_activity(mentorship)
    emit(
        session,
        "evaluation.submitted",
        {
            "evaluation_id": str(evaluation.id),
            "mentorship_id": str(mentorship.id),
            "mentee_id": str(mentorship.mentee_id),
            "mentor_id": str(mentorship.mentor_id),
            "program_id": str(mentorship.program_id) if mentorship.program_id else None,
            "author_id": str(principal.user_id),
            "side": side,
            "period_start": period.start.isoformat(),
            "ratings": evaluation.ratings,
        },
        tenant_id=mentorship.tenant_id,
    )
    await session.flush()
    return evaluation


async def list_evaluations(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID, params: PageParams
) -> tuple[list[Evaluation], str | None]:
    await get_mentorship(session, principal, mentorship_id)
    return await repository.list_evaluations(session, mentorship_id, params)


async def get_evaluation(
    session: AsyncSession,
    principal: Principal,
    mentorship_id: uuid.UUID,
    evaluation_id: uuid.UUID,
) -> Evaluation:
    await get_mentorship(session, principal, mentorship_id)
    evaluation = await repository.get_evaluation(session, mentorship_id, evaluation_id)
    if evaluation is None:
        raise NotFound("No such evaluation.")
    return evaluation
