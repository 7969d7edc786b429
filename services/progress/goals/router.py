"""HTTP routes of a mentorship's goals and their revisions."""

import uuid

from fastapi import APIRouter, Response, status

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.etags import IfMatch, set_etag
from services.core.pagination import Page, PageQuery
from services.progress.goals import service
from services.progress.goals.schemas import GoalCreate, GoalRead, GoalRevisionRead, GoalUpdate

router = APIRouter(prefix="/v1", tags=["goals"], responses=problem_responses(401, 422))


@router.get(
    "/mentorships/{mentorship_id}/goals",
    response_model=Page[GoalRead],
    responses=problem_responses(404),
)
async def list_goals(
    mentorship_id: uuid.UUID, principal: CurrentPrincipal, params: PageQuery, session: Session
) -> Page[GoalRead]:
    """The mentorship's goals, newest first (those of the accepted request are the oldest)."""
    rows, next_cursor = await service.list_goals(session, principal, mentorship_id, params)
    return Page[GoalRead].of(rows, next_cursor)


@router.post(
    "/mentorships/{mentorship_id}/goals",
    status_code=status.HTTP_201_CREATED,
    response_model=GoalRead,
    responses=problem_responses(404, 409),
)
async def create_goal(
    mentorship_id: uuid.UUID,
    body: GoalCreate,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
) -> GoalRead:
    """Add a goal while the mentorship runs; at most 20 (409 `too_many_goals`). 409 when the
    mentorship is completed or ended (`mentorship_closed`) or on hold."""
    goal = await service.create_goal(session, principal, mentorship_id, body)
    set_etag(response, goal.version)
    response.headers["Location"] = f"/v1/mentorships/{mentorship_id}/goals/{goal.id}"
    return GoalRead.model_validate(goal)


@router.get(
    "/mentorships/{mentorship_id}/goals/{goal_id}",
    response_model=GoalRead,
    responses=problem_responses(404),
)
async def get_goal(
    mentorship_id: uuid.UUID,
    goal_id: uuid.UUID,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
) -> GoalRead:
    """One goal of the mentorship, with its ETag."""
    goal = await service.get_goal(session, principal, mentorship_id, goal_id)
    set_etag(response, goal.version)
    return GoalRead.model_validate(goal)


@router.patch(
    "/mentorships/{mentorship_id}/goals/{goal_id}",
    response_model=GoalRead,
    responses=problem_responses(404, 409, 412),
)
async def update_goal(
    mentorship_id: uuid.UUID,
    goal_id: uuid.UUID,
    body: GoalUpdate,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
    if_match: IfMatch,
) -> GoalRead:
    """Change a goal; send the ETag you read as If-Match (412 when stale). A change of title,
    success criteria or target date is kept as a revision; `achieved` puts progress at 100."""
    goal = await service.update_goal(session, principal, mentorship_id, goal_id, body, if_match)
    set_etag(response, goal.version)
    return GoalRead.model_validate(goal)


@router.get(
    "/mentorships/{mentorship_id}/goals/{goal_id}/revisions",
    response_model=Page[GoalRevisionRead],
    responses=problem_responses(404),
)
async def list_goal_revisions(
    mentorship_id: uuid.UUID,
    goal_id: uuid.UUID,
    principal: CurrentPrincipal,
    params: PageQuery,
    session: Session,
) -> Page[GoalRevisionRead]:
    """Every redefinition of the goal, newest first: who, when, and the changed fields before
    and after."""
    rows, next_cursor = await service.list_revisions(
        session, principal, mentorship_id, goal_id, params
    )
    return Page[GoalRevisionRead].of(
        [
            GoalRevisionRead(
                id=row.id,
                changed_at=row.created_at,
                changed_by=row.changed_by,
                before=row.before,
                after=row.after,
            )
            for row in rows
        ],
        next_cursor,
    )
