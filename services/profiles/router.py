"""HTTP routes of the profiles service: parse, call one use case, shape the response."""

import uuid

from fastapi import APIRouter, Depends, Header, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.concurrency import set_etag
from services.core.dependencies import get_principal, get_session, require_role
from services.core.errors import problem_responses
from services.core.pagination import Page, PageParams, page_params
from services.profiles import service
from services.profiles.schemas import (
    ProgramCreate,
    ProgramRead,
    ProgramUpdate,
    TenantRead,
    UserRead,
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
    set_etag(response, tenant)
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
    set_etag(response, program)
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
    set_etag(response, program)
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
    set_etag(response, program)
    return ProgramRead.model_validate(program)
