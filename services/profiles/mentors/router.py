"""HTTP route of mentor search."""

import uuid

from fastapi import APIRouter, Query

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.pagination import Page, PageQuery
from services.profiles.mentors.repository import MentorFilters, search_mentors
from services.profiles.profiles.schemas import MentorCard

router = APIRouter(prefix="/v1", responses=problem_responses(401, 422))


@router.get("/mentors", tags=["mentors"], response_model=Page[MentorCard])
async def search_mentor_profiles(
    _principal: CurrentPrincipal,
    params: PageQuery,
    session: Session,
    skill: list[str] = Query(default=[], max_length=20, description="Any of these skills."),
    industry: list[str] = Query(default=[], max_length=20),
    language: list[str] = Query(default=[], max_length=20, description="Codes such as en, de."),
    value: list[str] = Query(default=[], max_length=20),
    available: bool | None = Query(None, description="Accepting requests with a place left."),
    program_id: uuid.UUID | None = Query(None),
    q: str | None = Query(
        None, max_length=200, description="Words in headline, bio, skills, career."
    ),
) -> Page[MentorCard]:
    """Mentors of your organisation. Kinds of filter combine with AND, values of one kind with
    OR; skills match their aliases too. With `q`, best matches come first."""
    filters = MentorFilters(
        skills=skill,
        industries=industry,
        languages=language,
        values=value,
        available=available,
        program_id=program_id,
        q=q.strip() if q and q.strip() else None,
    )
    items, next_cursor = await search_mentors(session, filters, params)
    return Page[MentorCard].of(items, next_cursor)
