"""HTTP routes of programs' reports."""

import csv
import io
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.negotiation import CSV, prefers_csv
from services.progress.reports import service
from services.progress.reports.schemas import ProgramReport

router = APIRouter(prefix="/v1", tags=["programs"], responses=problem_responses(401, 422))


@router.get(
    "/programs/{program_id}/report",
    response_model=ProgramReport,
    responses={
        200: {"content": {CSV: {"schema": {"type": "string"}}}},
        **problem_responses(403, 404),
    },
)
async def program_report(
    program_id: uuid.UUID, request: Request, principal: CurrentPrincipal, session: Session
) -> Any:
    """How the program's mentorships are going (admins): mentorships by status, the mean and
    spread of their health, those at risk with their top flag, goal completion, request
    acceptance and the median time to accept, the median time from acceptance to the first
    held meeting, and the share of evaluation requests answered. With `Accept: text/csv`, the
    same as `metric,value` rows."""
    report = await service.program_report(session, principal, program_id)
    if not prefers_csv(request.headers.get("accept")):
        return report
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(("metric", "value"))
    writer.writerows(service.as_csv_rows(report))
    return Response(
        buffer.getvalue(),
        media_type=f"{CSV}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="program-{program_id}.csv"'},
    )
