"""HTTP routes for profiles, mentor search and the skill vocabulary."""

import uuid

from fastapi import APIRouter, Depends, Header, Query, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.concurrency import set_etag
from services.core.dependencies import get_principal, get_session
from services.core.errors import problem_responses
from services.core.pagination import Page, PageParams, page_params
from services.profiles import profile_service, skills
from services.profiles.models import TenantSkill
from services.profiles.profile_schemas import (
    MentorCard,
    ProfileFields,
    ProfilePatch,
    ProfileRead,
    PublicProfile,
)
from services.profiles.search import MentorFilters, search_mentors

router = APIRouter(prefix="/v1", responses=problem_responses(401, 422))

IF_MATCH = Header(default=None, description="The ETag you read; a stale one is refused with 412.")


@router.get("/profiles/me", tags=["profiles"], response_model=ProfileRead)
async def get_own_profile(
    response: Response,
    principal: Principal = Depends(get_principal),
    session: AsyncSession = Depends(get_session),
) -> ProfileRead:
    """Your profile, with how complete it is and what to add for better matches."""
    user, profile = await profile_service.load_own(session, principal)
    set_etag(response, profile_service.version_of(profile))
    return profile_service.to_read(user, profile)


@router.put(
    "/profiles/me",
    tags=["profiles"],
    response_model=ProfileRead,
    responses=problem_responses(409, 412),
)
async def replace_own_profile(
    body: ProfileFields,
    response: Response,
    if_match: str | None = IF_MATCH,
    principal: Principal = Depends(get_principal),
    session: AsyncSession = Depends(get_session),
) -> ProfileRead:
    """Replace your whole profile."""
    user, profile = await profile_service.replace(session, principal, body, if_match)
    set_etag(response, profile_service.version_of(profile))
    return profile_service.to_read(user, profile)


@router.patch(
    "/profiles/me",
    tags=["profiles"],
    response_model=ProfileRead,
    responses=problem_responses(409, 412),
)
async def update_own_profile(
    body: ProfilePatch,
    response: Response,
    if_match: str | None = IF_MATCH,
    principal: Principal = Depends(get_principal),
    session: AsyncSession = Depends(get_session),
) -> ProfileRead:
    """Change the fields you send; lists and nested objects are replaced whole."""
    user, profile = await profile_service.change(session, principal, body, if_match)
    set_etag(response, profile_service.version_of(profile))
    return profile_service.to_read(user, profile)


@router.get(
    "/profiles/{user_id}",
    tags=["profiles"],
    response_model=PublicProfile,
    responses=problem_responses(404),
)
async def get_profile(
    user_id: uuid.UUID,
    response: Response,
    _principal: Principal = Depends(get_principal),
    session: AsyncSession = Depends(get_session),
) -> PublicProfile:
    """Someone's profile as the organisation sees it: no hidden availability, no contact data."""
    user, profile = await profile_service.load(session, user_id)
    set_etag(response, profile_service.version_of(profile))
    return profile_service.to_public(user, profile)


@router.get("/mentors", tags=["mentors"], response_model=Page[MentorCard])
async def search_mentor_profiles(
    skill: list[str] = Query(default=[], max_length=20, description="Any of these skills."),
    industry: list[str] = Query(default=[], max_length=20),
    language: list[str] = Query(default=[], max_length=20, description="Codes such as en, de."),
    value: list[str] = Query(default=[], max_length=20),
    available: bool | None = Query(None, description="Accepting requests with a place left."),
    program_id: uuid.UUID | None = Query(None),
    q: str | None = Query(
        None, max_length=200, description="Words in headline, bio, skills, career."
    ),
    _principal: Principal = Depends(get_principal),
    params: PageParams = Depends(page_params),
    session: AsyncSession = Depends(get_session),
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
    return Page(items=items, next_cursor=next_cursor)


class SkillSuggestion(BaseModel):
    name: str
    category: str
    aliases: list[str]
    related: list[str]


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
        for s in skills.suggest(q, limit)
    ]
    if len(found) < limit and q.strip():
        prefix = skills.normalise_key(q)
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
