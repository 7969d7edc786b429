"""HTTP routes of programs and their participants."""

import uuid

from fastapi import APIRouter, Query, Response, status

from services.core.dependencies import Admin, CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.etags import IfMatch, set_etag
from services.core.pagination import Page, PageQuery
from services.profiles.programs import service
from services.profiles.programs.schemas import (
    ParticipantCreate,
    ParticipantRead,
    ParticipantRole,
    ProgramCreate,
    ProgramRead,
    ProgramUpdate,
)

router = APIRouter(prefix="/v1", responses=problem_responses(401, 422))


@router.get("/programs", tags=["programs"], response_model=Page[ProgramRead])
async def list_programs(
    _principal: CurrentPrincipal,
    params: PageQuery,
    session: Session,
) -> Page[ProgramRead]:
    """Programs of the caller's organisation, newest first; the default program is always there."""
    programs, next_cursor = await service.list_programs(session, params)
    return Page[ProgramRead].of(programs, next_cursor)


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
    principal: Admin,
    session: Session,
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
    _principal: CurrentPrincipal,
    session: Session,
) -> ProgramRead:
    program = await service.get_program(session, program_id)
    set_etag(response, program.version)
    return ProgramRead.model_validate(program)


@router.patch(
    "/programs/{program_id}",
    tags=["programs"],
    response_model=ProgramRead,
    responses=problem_responses(400, 403, 404, 412),
)
async def update_program(
    program_id: uuid.UUID,
    body: ProgramUpdate,
    response: Response,
    principal: Admin,
    session: Session,
    if_match: IfMatch,
) -> ProgramRead:
    """Change a program; send the ETag you read as If-Match to avoid overwriting someone else."""
    program = await service.update_program(session, principal, program_id, body, if_match)
    set_etag(response, program.version)
    return ProgramRead.model_validate(program)


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
    principal: CurrentPrincipal,
    session: Session,
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
    _principal: CurrentPrincipal,
    params: PageQuery,
    session: Session,
    role: ParticipantRole | None = Query(None),
) -> Page[ParticipantRead]:
    rows, next_cursor = await service.list_participants(session, program_id, params, role)
    return Page[ParticipantRead].of(rows, next_cursor)


@router.delete(
    "/programs/{program_id}/participants/{user_id}",
    tags=["programs"],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403, 404),
)
async def remove_participant(
    program_id: uuid.UUID,
    user_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: Session,
    role: ParticipantRole | None = Query(None, description="Only this role; default both."),
) -> Response:
    """Take someone (admins) or yourself out of a program."""
    await service.remove_participant(session, principal, program_id, user_id, role)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
