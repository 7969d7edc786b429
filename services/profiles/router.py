"""HTTP routes of the profiles service: parse, call one use case, shape the response."""

import uuid

from fastapi import APIRouter, Depends, Header, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.concurrency import set_etag
from services.core.dependencies import get_principal, get_session, require_role
from services.core.errors import Forbidden, problem_responses
from services.core.pagination import Page, PageParams, page_params
from services.profiles import service
from services.profiles.schemas import (
    ParticipantCreate,
    ParticipantRead,
    ParticipantRole,
    ProgramCreate,
    ProgramRead,
    ProgramUpdate,
    Role,
    TenantRead,
    UserRead,
    UserUpdate,
)

router = APIRouter(prefix="/v1", responses=problem_responses(401, 422))


@router.get("/tenant", tags=["tenant"], response_model=TenantRead)
async def get_tenant(
    response: Response,
    principal: Principal = Depends(get_principal),
    session: AsyncSession = Depends(get_session),
) -> TenantRead:
    """The caller's organisation."""
    tenant = await service.get_tenant(session, principal)
    set_etag(response, tenant.version)
    return TenantRead.model_validate(tenant)


@router.get("/users/me", tags=["users"], response_model=UserRead)
async def get_current_user(
    principal: Principal = Depends(get_principal),
    session: AsyncSession = Depends(get_session),
) -> UserRead:
    """Who the access token belongs to."""
    return UserRead.model_validate(await service.get_current_user(session, principal))


@router.get("/programs", tags=["programs"], response_model=Page[ProgramRead])
async def list_programs(
    _principal: Principal = Depends(get_principal),
    params: PageParams = Depends(page_params),
    session: AsyncSession = Depends(get_session),
) -> Page[ProgramRead]:
    """Programs of the caller's organisation, newest first; the default program is always there."""
    programs, next_cursor = await service.list_programs(session, params)
    return Page(items=[ProgramRead.model_validate(p) for p in programs], next_cursor=next_cursor)


@router.post(
    "/programs",
    tags=["programs"],
    status_code=status.HTTP_201_CREATED,
    response_model=ProgramRead,
    responses=problem_responses(403),
)
async def create_program(
    body: ProgramCreate,
    response: Response,
    principal: Principal = Depends(require_role("admin")),
    session: AsyncSession = Depends(get_session),
) -> ProgramRead:
    program = await service.create_program(session, principal, body)
    set_etag(response, program.version)
    response.headers["Location"] = f"/v1/programs/{program.id}"
    return ProgramRead.model_validate(program)


@router.get(
    "/programs/{program_id}",
    tags=["programs"],
    response_model=ProgramRead,
    responses=problem_responses(404),
)
async def get_program(
    program_id: uuid.UUID,
    response: Response,
    _principal: Principal = Depends(get_principal),
    session: AsyncSession = Depends(get_session),
) -> ProgramRead:
    program = await service.get_program(session, program_id)
    set_etag(response, program.version)
    return ProgramRead.model_validate(program)


@router.patch(
    "/programs/{program_id}",
    tags=["programs"],
    response_model=ProgramRead,
    responses=problem_responses(403, 404, 412),
)
async def update_program(
    program_id: uuid.UUID,
    body: ProgramUpdate,
    response: Response,
    if_match: str | None = Header(default=None),
    principal: Principal = Depends(require_role("admin")),
    session: AsyncSession = Depends(get_session),
) -> ProgramRead:
    """Change a program; send the ETag you read as If-Match to avoid overwriting someone else."""
    program = await service.update_program(session, principal, program_id, body, if_match)
    set_etag(response, program.version)
    return ProgramRead.model_validate(program)


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


@router.post(
    "/programs/{program_id}/participants",
    tags=["programs"],
    status_code=status.HTTP_201_CREATED,
    response_model=ParticipantRead,
    responses=problem_responses(403, 404, 409),
)
async def add_participant(
    program_id: uuid.UUID,
    body: ParticipantCreate,
    principal: Principal = Depends(get_principal),
    session: AsyncSession = Depends(get_session),
) -> ParticipantRead:
    """Enrol someone as mentor or mentee (admins), or yourself where the program allows it."""
    participant = await service.add_participant(session, principal, program_id, body)
    return ParticipantRead.model_validate(participant)


@router.get(
    "/programs/{program_id}/participants",
    tags=["programs"],
    response_model=Page[ParticipantRead],
    responses=problem_responses(404),
)
async def list_participants(
    program_id: uuid.UUID,
    role: ParticipantRole | None = Query(None),
    _principal: Principal = Depends(get_principal),
    params: PageParams = Depends(page_params),
    session: AsyncSession = Depends(get_session),
) -> Page[ParticipantRead]:
    rows, next_cursor = await service.list_participants(session, program_id, params, role)
    return Page(items=[ParticipantRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.delete(
    "/programs/{program_id}/participants/{user_id}",
    tags=["programs"],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403, 404),
)
async def remove_participant(
    program_id: uuid.UUID,
    user_id: uuid.UUID,
    role: ParticipantRole | None = Query(None, description="Only this role; default both."),
    principal: Principal = Depends(get_principal),
    session: AsyncSession = Depends(get_session),
) -> Response:
    """Take someone (admins) or yourself out of a program."""
    await service.remove_participant(session, principal, program_id, user_id, role)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
