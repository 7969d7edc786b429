"""HTTP routes of recommendations and explanations."""

import uuid

from fastapi import APIRouter, Query, Request

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.matching.recommendations import service
from services.matching.recommendations.index import MentorIndex
from services.matching.recommendations.schemas import (
    Explanation,
    Recommendation,
    RecommendationList,
)

router = APIRouter(
    prefix="/v1/matching", tags=["matching"], responses=problem_responses(401, 403, 404, 422)
)

MAX_RECOMMENDATIONS = 50


def _index(request: Request) -> MentorIndex:
    index: MentorIndex = request.app.state.mentor_index
    return index


@router.get("/recommendations", response_model=RecommendationList)
async def list_recommendations(
    request: Request,
    principal: CurrentPrincipal,
    session: Session,
    mentee_id: uuid.UUID | None = Query(None, description="Default: you. Others: admins only."),
    program_id: uuid.UUID | None = Query(
        None,
        description="Only this program's mentors, with its weights. Default: every mentor, "
        "with the default program's weights.",
    ),
    limit: int = Query(10, ge=1, le=MAX_RECOMMENDATIONS),
) -> RecommendationList:
    """The mentors who fit a mentee best, each with its score, its five factors and reasons a
    person can read. A mentor who may not be asked (not accepting, full, no shared language,
    deactivated, a conflict of interest, an open request or mentorship already) never appears."""
    items = await service.recommend(
        session,
        _index(request),
        principal,
        mentee_id=mentee_id,
        program_id=program_id,
        limit=limit,
    )
    return RecommendationList(items=[Recommendation.model_validate(item) for item in items])


@router.get("/explain", response_model=Explanation)
async def explain_match(
    request: Request,
    principal: CurrentPrincipal,
    session: Session,
    mentor_id: uuid.UUID = Query(),
    mentee_id: uuid.UUID | None = Query(None, description="Default: you. Others: admins only."),
    program_id: uuid.UUID | None = Query(
        None, description="Judge the pair within this program (its mentors, its weights)."
    ),
) -> Explanation:
    """One mentee and one mentor: the score, factors and reasons, whether the mentor may be
    recommended and, if not, why (`blocked_by`). The factors are shown even when blocked."""
    explanation = await service.explain(
        session,
        _index(request),
        principal,
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        program_id=program_id,
    )
    return Explanation.model_validate(explanation)
