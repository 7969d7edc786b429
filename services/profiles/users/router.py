"""HTTP routes of users: who you are, and the organisation's accounts for admins."""

import uuid

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.dependencies import get_principal, get_session, require_role
from services.core.errors import Forbidden, problem_responses
from services.core.pagination import Page, PageParams, page_params
from services.profiles.users import service
from services.profiles.users.schemas import Role, UserRead, UserUpdate

router = APIRouter(prefix="/v1", responses=problem_responses(401, 422))


@router.get("/users/me", tags=["users"], response_model=UserRead)
async def get_current_user(
    principal: Principal = Depends(get_principal),
    session: AsyncSession = Depends(get_session),
) -> UserRead:
    """Who the access token belongs to."""
    return UserRead.model_validate(await service.get_current_user(session, principal))


@router.get(
    "/users", tags=["users"], response_model=Page[UserRead], responses=problem_responses(403)
)
async def list_users(
    role: Role | None = Query(None),
    active: bool | None = Query(None),
    q: str | None = Query(None, max_length=100, description="Part of an email or name."),
    _principal: Principal = Depends(require_role("admin")),
    params: PageParams = Depends(page_params),
    session: AsyncSession = Depends(get_session),
) -> Page[UserRead]:
    """People of the organisation, newest first."""
    users, next_cursor = await service.list_users(session, params, role=role, active=active, q=q)
    return Page(items=[UserRead.model_validate(u) for u in users], next_cursor=next_cursor)


@router.get(
    "/users/{user_id}",
    tags=["users"],
    response_model=UserRead,
    responses=problem_responses(403, 404),
)
async def get_user(
    user_id: uuid.UUID,
    principal: Principal = Depends(get_principal),
    session: AsyncSession = Depends(get_session),
) -> UserRead:
    """An account: admins see anyone's, others their own."""
    if user_id != principal.user_id and not principal.has_role("admin"):
        raise Forbidden("Only an admin can see other accounts.")
    return UserRead.model_validate(await service.get_user(session, user_id))


@router.patch(
    "/users/{user_id}",
    tags=["users"],
    response_model=UserRead,
    responses=problem_responses(403, 404, 409),
)
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    principal: Principal = Depends(require_role("admin")),
    session: AsyncSession = Depends(get_session),
) -> UserRead:
    """Rename, change roles, deactivate (`active: false`) or reactivate an account. A
    deactivated account cannot sign in, disappears from search, and its open requests and
    mentorships are paused."""
    return UserRead.model_validate(await service.update_user(session, principal, user_id, body))
