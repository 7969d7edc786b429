"""HTTP routes for profiles: your own, and someone else's as the organisation sees it."""

import uuid

from fastapi import APIRouter, Response

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.etags import IfMatch, set_etag
from services.profiles.profiles import service
from services.profiles.profiles.schemas import (
    ProfileFields,
    ProfilePatch,
    ProfileRead,
    PublicProfile,
)

router = APIRouter(prefix="/v1", responses=problem_responses(401, 422))


@router.get("/profiles/me", tags=["profiles"], response_model=ProfileRead)
async def get_own_profile(
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
) -> ProfileRead:
    """Your profile, with how complete it is and what to add for better matches."""
    user, profile = await service.load_own(session, principal)
    set_etag(response, service.version_of(profile))
    return service.to_read(user, profile)


@router.put(
    "/profiles/me",
    tags=["profiles"],
    response_model=ProfileRead,
    responses=problem_responses(400, 409, 412),
)
async def replace_own_profile(
    body: ProfileFields,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
    if_match: IfMatch,
) -> ProfileRead:
    """Replace your whole profile."""
    user, profile = await service.replace(session, principal, body, if_match)
    set_etag(response, service.version_of(profile))
    return service.to_read(user, profile)


@router.patch(
    "/profiles/me",
    tags=["profiles"],
    response_model=ProfileRead,
    responses=problem_responses(400, 409, 412),
)
async def update_own_profile(
    body: ProfilePatch,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
    if_match: IfMatch,
) -> ProfileRead:
    """Change the fields you send; lists and nested objects are replaced whole."""
    user, profile = await service.change(session, principal, body, if_match)
    set_etag(response, service.version_of(profile))
    return service.to_read(user, profile)


@router.get(
    "/profiles/{user_id}",
    tags=["profiles"],
    response_model=PublicProfile,
    responses=problem_responses(404),
)
async def get_profile(
    user_id: uuid.UUID,
    response: Response,
    _principal: CurrentPrincipal,
    session: Session,
) -> PublicProfile:
    """Someone's profile as the organisation sees it: no hidden availability, no contact data."""
    user, profile = await service.load(session, user_id)
    set_etag(response, service.version_of(profile))
    return service.to_public(user, profile)
