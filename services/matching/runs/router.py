"""HTTP routes of the matching service."""

import uuid

from fastapi import APIRouter

from services.core.dependencies import Admin, Session
from services.core.errors import problem_responses
from services.matching.runs import service
from services.matching.runs.schemas import MatchingRunRead

router = APIRouter(prefix="/v1/matching", tags=["matching"], responses=problem_responses(401, 422))


@router.get("/runs/{run_id}", response_model=MatchingRunRead, responses=problem_responses(403, 404))
async def get_matching_run(
    run_id: uuid.UUID,
    _principal: Admin,
    session: Session,
) -> MatchingRunRead:
    """Status and figures of a cohort matching run."""
    return MatchingRunRead.model_validate(await service.get_run(session, run_id))
