"""HTTP route of skill autocomplete."""

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.dependencies import get_principal, get_session
from services.core.errors import problem_responses
from services.core.pagination import Page
from services.profiles.skills import vocabulary
from services.profiles.skills.models import TenantSkill
from services.profiles.skills.schemas import SkillSuggestion

router = APIRouter(prefix="/v1", responses=problem_responses(401, 422))


@router.get("/skills", tags=["skills"], response_model=Page[SkillSuggestion])
async def suggest_skills(
    q: str = Query("", max_length=80, description="What the person has typed so far."),
    limit: int = Query(10, ge=1, le=50),
    _principal: Principal = Depends(get_principal),
    session: AsyncSession = Depends(get_session),
) -> Page[SkillSuggestion]:
    """Autocomplete over the shared vocabulary (names and aliases), then skills people in your
    organisation added."""
    found = [
        SkillSuggestion(
            name=s.name, category=s.category, aliases=list(s.aliases), related=list(s.related)
        )
        for s in vocabulary.suggest(q, limit)
    ]
    if len(found) < limit and q.strip():
        prefix = vocabulary.normalise_key(q)
        known = {s.name.lower() for s in found}
        local = await session.scalars(
            select(TenantSkill.name)
            .where(TenantSkill.key.startswith(prefix, autoescape=True))
            .order_by(TenantSkill.key)
            .limit(limit)
        )
        for name in local:
            if name.lower() not in known and len(found) < limit:
                found.append(
                    SkillSuggestion(name=name, category="organisation", aliases=[], related=[])
                )
    return Page(items=found, next_cursor=None)
