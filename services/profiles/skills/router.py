"""HTTP route of skill autocomplete."""

from fastapi import APIRouter, Query

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.pagination import Page
from services.profiles.skills import service
from services.profiles.skills.schemas import SkillSuggestion

router = APIRouter(prefix="/v1", responses=problem_responses(401, 422))


@router.get("/skills", tags=["skills"], response_model=Page[SkillSuggestion])
async def suggest_skills(
    _principal: CurrentPrincipal,
    session: Session,
    q: str = Query("", max_length=80, description="What the person has typed so far."),
    limit: int = Query(10, ge=1, le=50),
) -> Page[SkillSuggestion]:
    """Autocomplete over the shared vocabulary (names and aliases), then skills people in your
    organisation added."""
    return Page[SkillSuggestion].of(await service.suggest(session, q, limit))
