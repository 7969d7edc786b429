"""HTTP routes of a mentorship's milestones."""

import uuid

from fastapi import APIRouter, Response, status

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.pagination import Page, PageQuery
from services.progress.milestones import service
from services.progress.milestones.schemas import MilestoneCreate, MilestoneRead

router = APIRouter(prefix="/v1", tags=["milestones"], responses=problem_responses(401, 422))


@router.get(
    "/mentorships/{mentorship_id}/milestones",
    response_model=Page[MilestoneRead],
    responses=problem_responses(404),
)
async def list_milestones(
    mentorship_id: uuid.UUID, principal: CurrentPrincipal, params: PageQuery, session: Session
) -> Page[MilestoneRead]:
    """The milestones shared in the mentorship, newest first."""
    rows, next_cursor = await service.list_milestones(session, principal, mentorship_id, params)
    return Page[MilestoneRead].of(rows, next_cursor)


@router.post(
    "/mentorships/{mentorship_id}/milestones",
    status_code=status.HTTP_201_CREATED,
    response_model=MilestoneRead,
    responses=problem_responses(403, 404, 409),
)
async def share_milestone(
    mentorship_id: uuid.UUID,
    body: MilestoneCreate,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
) -> MilestoneRead:
    """Share an achievement with the other side, optionally tied to one of the mentorship's
    goals (`goal_id`, else 422). The mentee or the mentor only (403); 409 when the mentorship
    is completed or ended (`mentorship_closed`) or on hold."""
    milestone = await service.share_milestone(session, principal, mentorship_id, body)
    response.headers["Location"] = f"/v1/mentorships/{mentorship_id}/milestones/{milestone.id}"
    return MilestoneRead.model_validate(milestone)


@router.get(
    "/mentorships/{mentorship_id}/milestones/{milestone_id}",
    response_model=MilestoneRead,
    responses=problem_responses(404),
)
async def get_milestone(
    mentorship_id: uuid.UUID, milestone_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> MilestoneRead:
    """One milestone of the mentorship. Milestones do not change once shared."""
    milestone = await service.get_milestone(session, principal, mentorship_id, milestone_id)
    return MilestoneRead.model_validate(milestone)
