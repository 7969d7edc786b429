"""HTTP routes of bulk imports (admins only)."""

import uuid

from fastapi import APIRouter, Request, Response, status

from services.core.dependencies import Admin, Session
from services.core.errors import problem_responses
from services.core.pagination import Page, PageQuery
from services.profiles.imports import service
from services.profiles.imports.schemas import ImportAccepted, ImportRead, ImportSummary

router = APIRouter(prefix="/v1/admin", tags=["imports"], responses=problem_responses(401, 403))

_FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file: JSON Lines or CSV, UTF-8, at most 128 MiB.",
        "content": {
            "application/x-ndjson": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/imports",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImportAccepted,
    responses=problem_responses(413, 415, 422),
    openapi_extra=_FILE_BODY,
)
async def create_import(
    request: Request,
    response: Response,
    principal: Admin,
    session: Session,
) -> ImportAccepted:
    """Import people with their profiles from an HR export: JSON Lines
    (`application/x-ndjson`), one `{email, display_name, roles, profile}` per line, or CSV
    (`text/csv`) with one column per field. People are matched by email: new ones are
    created, known ones updated, so sending the same file again creates nobody twice. The
    rows are processed in the background; follow the progress at `GET /v1/admin/imports/{id}`.
    """
    record = await service.create_import(
        session,
        tenant_id=principal.tenant_id,
        created_by=principal.user_id,
        source=await request.body(),
        content_type=request.headers.get("content-type"),
    )
    response.headers["Location"] = f"/v1/admin/imports/{record.id}"
    return ImportAccepted(id=record.id, status="queued")


@router.get("/imports", response_model=Page[ImportSummary])
async def list_imports(
    _principal: Admin,
    params: PageQuery,
    session: Session,
) -> Page[ImportSummary]:
    """Imports of your organisation, newest first."""
    records, next_cursor = await service.list_imports(session, params)
    return Page[ImportSummary].of([ImportSummary.of(r) for r in records], next_cursor)


@router.get("/imports/{import_id}", response_model=ImportRead, responses=problem_responses(404))
async def get_import(
    import_id: uuid.UUID,
    _principal: Admin,
    session: Session,
) -> ImportRead:
    """How far an import got: counts so far, and the problems of each failed row."""
    return ImportRead.of(await service.get_import(session, import_id))
