"""HTTP routes of mentorships' health."""

import uuid
from dataclasses import asdict

from fastapi import APIRouter

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.progress.assessments import service
from services.progress.assessments.schemas import FlagRead, HealthRead

router = APIRouter(prefix="/v1", tags=["mentorships"], responses=problem_responses(401, 422))


@router.get(
    "/mentorships/{mentorship_id}/health",
    response_model=HealthRead,
    responses=problem_responses(404),
)
async def mentorship_health(
    mentorship_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> HealthRead:
    """The mentorship's health as of now: a score 0-100, the risk flags with the evidence that
    raised them and a next step for each, and the strengths that keep it going."""
    result, computed_at = await service.health_of(session, principal, mentorship_id)
    return HealthRead(
        score=result.score,
        computed_at=computed_at,
        flags=[FlagRead.model_validate(asdict(flag)) for flag in result.flags],
        strengths=result.strengths,
    )
