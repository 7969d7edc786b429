"""HTTP routes of users: who you are, and the organisation's accounts for admins."""

import uuid

from fastapi import APIRouter, Query, Response

from services.core.dependencies import Admin, CurrentPrincipal, Session
from services.core.errors import Forbidden, problem_responses
from services.core.etags import IfMatch, set_etag
from services.core.pagination import Page, PageQuery
from services.profiles.users import service
from services.profiles.users.schemas import Role, UserRead, UserUpdate

router = APIRouter(prefix="/v1", responses=problem_responses(401, 422))


@router.get("/users/me", tags=["users"], response_model=UserRead)
async def get_current_user(
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
) -> UserRead:
    """Who the access token belongs to."""
    user = await service.get_current_user(session, principal)
    set_etag(response, user.version)
    return UserRead.model_validate(user)


@router.get(
    "/users", tags=["users"], response_model=Page[UserRead], responses=problem_responses(403)
)
async def list_users(
    _principal: Admin,
    params: PageQuery,
    session: Session,
    role: Role | None = Query(None),
    active: bool | None = Query(None),
    q: str | None = Query(None, max_length=100, description="Part of an email or name."),
) -> Page[UserRead]:
    """People of the organisation, newest first."""
    users, next_cursor = await service.list_users(session, params, role=role, active=active, q=q)
    return Page[UserRead].of(users, next_cursor)


@router.get(
    "/users/{user_id}",
    tags=["users"],
    response_model=UserRead,
    responses=problem_responses(403, 404),
)
async def get_user(
    user_id: uuid.UUID,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
) -> UserRead:
    """An account: admins see anyone's, others their own."""
    if user_id != principal.user_id and not principal.has_role("admin"):
        raise Forbidden("Only an admin can see other accounts.")
    user = await service.get_user(session, user_id)
    set_etag(response, user.version)
    return UserRead.model_validate(user)


@router.patch(
    "/users/{user_id}",
    tags=["users"],
    response_model=UserRead,
    responses=problem_responses(400, 403, 404, 409, 412),
)
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    response: Response,
    if_match: IfMatch,
    principal: Admin,
    session: Session,
) -> UserRead:
    """Rename, change roles, deactivate (`active: false`) or reactivate an account. A
    deactivated account cannot sign in, disappears from search, and its open requests and
    mentorships are paused. Send the ETag you read as If-Match so as not to undo someone
    else's change."""
    user = await service.update_user(session, principal, user_id, body, expected_version=if_match)
    set_etag(response, user.version)
    return UserRead.model_validate(user)
