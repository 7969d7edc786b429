"""HTTP routes of bulk imports (admins only)."""

import uuid

from fastapi import APIRouter, Request, Response, status
from starlette.datastructures import UploadFile

from services.core.dependencies import Admin, Session
from services.core.errors import FieldError, Unprocessable, problem_responses
from services.core.pagination import Page, PageQuery
from services.profiles.imports import service
from services.profiles.imports.schemas import ImportAccepted, ImportRead, ImportSummary

router = APIRouter(prefix="/v1/admin", tags=["imports"], responses=problem_responses(401, 403))

# Only the two media types every client generator understands are declared: a file in a
# multipart form (what browsers and generated clients send) and the raw bytes. The raw file may
# also be sent as `text/csv` or `application/x-ndjson` (curl --data-binary), as the description
# says; declaring those would make openapi-python-client drop the whole operation.
_FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": (
            "The file: JSON Lines or CSV, UTF-8, at most 128 MiB. As a form, the file is the "
            "`file` part, its format named by the part's Content-Type (`application/x-ndjson` "
            "or `text/csv`). Raw bytes may be sent as `application/x-ndjson` or `text/csv`; "
            "as `application/octet-stream` (or a form part of that or any other type, as "
            "browsers label a .csv file `application/vnd.ms-excel` or `text/plain`), a file "
            "whose first character is `{` is JSON Lines and any other is CSV."
        ),
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "title": "ImportUpload",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "The JSON Lines or CSV file.",
                        }
                    },
                }
            },
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}

MULTIPART = "multipart/form-data"


async def _uploaded_file(request: Request) -> tuple[bytes, str | None]:
    """The file and its Content-Type, from a raw body or from a form's `file` part."""
    content_type = request.headers.get("content-type")
    if (content_type or "").partition(";")[0].strip().lower() != MULTIPART:
        return await request.body(), content_type
    # A form that cannot be read is a 400 problem (Starlette's own HTTP error).
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise Unprocessable(
            "Send the file as the form's `file` part.",
            errors=[FieldError(loc=["body", "file"], msg="a file is required")],
        )
    try:
        return await upload.read(), service.part_type(upload.content_type)
    finally:
        await form.close()


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
    """Import people with their profiles from an HR export: JSON Lines, one
    `{email, display_name, roles, profile}` per line, or CSV with one column per field (the
    columns are listed in the API guide, docs/api.md). People are matched by email: new ones are
    created, known ones updated, so sending the same file again creates nobody twice. The
    rows are processed in the background; follow the progress at `GET /v1/admin/imports/{id}`.
    """
    source, content_type = await _uploaded_file(request)
    record = await service.create_import(
        session,
        tenant_id=principal.tenant_id,
        created_by=principal.user_id,
        source=source,
        content_type=content_type,
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
