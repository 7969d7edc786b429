"""Response bodies of imports (the request body is the file itself)."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from services.core.schemas import ResponseBody
from services.profiles.imports import service
from services.profiles.imports.models import Import

ImportStatus = Literal["queued", "running", "succeeded", "failed"]


class ImportAccepted(ResponseBody):
    id: uuid.UUID
    status: ImportStatus


class RowProblem(ResponseBody):
    row: int | None = Field(
        description="As the file's author counts: JSON Lines, the line number (first line 1); "
        "CSV, the spreadsheet row (header 1, first person 2). Null: the whole file."
    )
    field: str | None = Field(
        description="JSON Lines: the path in the object, e.g. profile.skills[0].level; "
        "CSV: the column."
    )
    message: str


class ImportSummary(ResponseBody):
    id: uuid.UUID
    status: ImportStatus
    format: Literal["jsonl", "csv"]
    total: int = Field(description="Rows with a person in them (blank rows are not counted).")
    done: int = Field(description="Rows processed so far: created + updated + failed.")
    created: int
    updated: int
    failed: int
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, record: Import) -> "ImportSummary":
        return cls(**_summary_fields(record))


class ImportRead(ImportSummary):
    errors: list[RowProblem] = Field(
        description=f"Problems of the first {service.MAX_LISTED_ROWS:,} failed rows, in file order."
    )
    errors_omitted: int = Field(
        description="Failed rows beyond those listed: counted in `failed`, not listed."
    )

    @classmethod
    def of(cls, record: Import) -> "ImportRead":
        failed = record.done - record.created - record.updated
        return cls(
            **_summary_fields(record),
            errors=[RowProblem.model_validate(e) for e in record.errors],
            errors_omitted=max(0, failed - service.MAX_LISTED_ROWS),
        )


def _summary_fields(record: Import) -> dict[str, object]:
    return {
        "id": record.id,
        "status": record.status,
        "format": record.format,
        "total": record.total,
        "done": record.done,
        "created": record.created,
        "updated": record.updated,
        "failed": record.done - record.created - record.updated,
        "created_at": record.created_at,
        "finished_at": record.finished_at,
    }
