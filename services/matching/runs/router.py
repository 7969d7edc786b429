"""HTTP routes of cohort matching runs (admins only)."""

import csv
import io
import uuid
from collections.abc import AsyncIterator
from typing import Any, Final

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.dependencies import Admin, Session
from services.core.errors import problem_responses
from services.core.negotiation import CSV, prefers_csv
from services.core.pagination import Page, PageQuery
from services.matching.features import FACTORS
from services.matching.runs import apply, service
from services.matching.runs.schemas import (
    ApplyReport,
    AssignmentRead,
    MatchingRunRead,
    RunCreate,
)

router = APIRouter(
    prefix="/v1/matching", tags=["matching"], responses=problem_responses(401, 403, 422)
)

CSV_COLUMNS: Final = ("mentee_id", "mentor_id", "score", *FACTORS, "reasons")
REASONS_SEPARATOR: Final = " | "

# The assignments answer in one of two representations, chosen by Accept. Both are declared
# for 200, so the OpenAPI document says so and generated clients read JSON by default.
_ASSIGNMENTS_200: Final[dict[int | str, dict[str, Any]]] = {
    200: {
        "description": "A page of assignments (JSON), or every assignment of the run (CSV).",
        "content": {
            CSV: {
                "schema": {"type": "string"},
                "example": "mentee_id,mentor_id,score,expertise,accessibility,values,"
                "communication,adaptability,reasons\n",
            }
        },
    }
}


@router.post(
    "/runs",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=MatchingRunRead,
    responses=problem_responses(404),
)
async def create_matching_run(
    body: RunCreate,
    response: Response,
    principal: Admin,
    session: Session,
) -> MatchingRunRead:
    """Match a whole program: every active mentee of the program to at most one of its mentors,
    within the places each mentor has left, never twice to a pair that has an open request or a
    running mentorship, and never across a conflict of interest. A worker computes it; follow
    `progress` and `status` at `GET /v1/matching/runs/{id}`."""
    run = await service.create_run(session, principal, body)
    response.headers["Location"] = f"/v1/matching/runs/{run.id}"
    return MatchingRunRead.of(run)


@router.get("/runs", response_model=Page[MatchingRunRead])
async def list_matching_runs(
    _principal: Admin,
    params: PageQuery,
    session: Session,
    program_id: uuid.UUID | None = Query(None, description="Only the runs of this program."),
) -> Page[MatchingRunRead]:
    """Runs of your organisation, newest first."""
    runs, next_cursor = await service.list_runs(session, params, program_id)
    return Page[MatchingRunRead].of([MatchingRunRead.of(run) for run in runs], next_cursor)


@router.get("/runs/{run_id}", response_model=MatchingRunRead, responses=problem_responses(404))
async def get_matching_run(
    run_id: uuid.UUID,
    _principal: Admin,
    session: Session,
) -> MatchingRunRead:
    """Status, progress and figures of a cohort matching run."""
    return MatchingRunRead.of(await service.get_run(session, run_id))


@router.get(
    "/runs/{run_id}/assignments",
    response_model=Page[AssignmentRead],
    responses={**_ASSIGNMENTS_200, **problem_responses(404, 409)},
)
async def list_matching_run_assignments(
    run_id: uuid.UUID,
    request: Request,
    _principal: Admin,
    params: PageQuery,
    session: Session,
) -> Any:
    """A succeeded run's assignments, best score first, a page at a time. With
    `Accept: text/csv`, every assignment at once as CSV (`limit` and `cursor` do not apply):
    a header row, then one row per assignment with the five factors as columns and the reasons
    joined by ` | `. A run that has not succeeded has none yet (409)."""
    if prefers_csv(request.headers.get("accept")):
        await service.finished_run(session, run_id)
        return StreamingResponse(
            _csv_rows(session, run_id),
            media_type=f"{CSV}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="run-{run_id}.csv"'},
        )
    rows, next_cursor = await service.assignments_page(session, run_id, params)
    return Page[AssignmentRead].of(rows, next_cursor)


@router.post(
    "/runs/{run_id}/apply", response_model=ApplyReport, responses=problem_responses(404, 409)
)
async def apply_matching_run(
    run_id: uuid.UUID,
    principal: Admin,
    session: Session,
) -> ApplyReport:
    """Turn a succeeded run's assignments into pending requests from each mentee to their
    mentor, sent by the platform, or into running mentorships when the program's
    `apply_runs_as` is `mentorships`, in one transaction. Each pair is checked again as it is
    now; one that may no longer be made is skipped and listed with its reason. Once only:
    applying again answers the first apply's report (200 both times) and changes nothing. A run
    that has not succeeded is 409 with `reason: "run_status"`."""
    return await apply.apply_run(session, principal, run_id)


async def _csv_rows(session: AsyncSession, run_id: uuid.UUID) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    async for batch in service.all_assignments(session, run_id):
        for row in batch:
            writer.writerow(
                [
                    row.mentee_id,
                    row.mentor_id,
                    row.score,
                    *(row.factors.get(factor, 0.0) for factor in FACTORS),
                    REASONS_SEPARATOR.join(row.reasons),
                ]
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()
