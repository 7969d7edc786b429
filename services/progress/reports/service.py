"""A program's report for its admins: how its mentorships are going, in figures."""

import uuid
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import Forbidden, NotFound
from services.core.models import utcnow
from services.profiles import queries as profiles
from services.progress.reports import repository
from services.progress.reports.schemas import AtRisk, HealthSummary, ProgramReport, Rate
from services.proposals import queries as proposals

AT_RISK_LIMIT: Final = 100
_SEVERITY_RANK: Final = {"critical": 0, "warning": 1, "info": 2}
STATUSES: Final = ("active", "paused", "completed", "ended")


def _rate(part: int, whole: int) -> Rate:
    return Rate(rate=round(part / whole, 4) if whole else None, of=whole)


def _top(flags: list[dict[str, Any]]) -> dict[str, Any]:
    return min(flags, key=lambda flag: _SEVERITY_RANK.get(flag["severity"], 3))


async def program_report(
    session: AsyncSession, principal: Principal, program_id: uuid.UUID
) -> ProgramReport:
    if not principal.has_role("admin"):
        raise Forbidden("Only the organisation's admins read a program's report.")
    if await profiles.request_policies(session, principal.tenant_id, program_id) is None:
        raise NotFound("No such program.")
    statuses = await repository.by_status(session, program_id)
    assessed, mean, bands = await repository.health_bands(session, program_id)
    risky = await repository.at_risk(session, program_id, AT_RISK_LIMIT)
    goals, achieved = await repository.goal_counts(session, program_id)
    requests = await proposals.request_figures(session, principal.tenant_id, program_id)
    _, first_meeting = await repository.median_days_to_first_meeting(session, program_id)
    asked, answered = await repository.evaluation_requests(session, program_id)
    at_risk = []
    for mentorship_id, mentee_id, mentor_id, score, flags, computed_at in risky:
        top = _top(flags)
        at_risk.append(
            AtRisk(
                mentorship_id=mentorship_id,
                mentee_id=mentee_id,
                mentor_id=mentor_id,
                score=score,
                top_flag=top["kind"],
                severity=top["severity"],
                suggestion=top["suggestion"],
                computed_at=computed_at,
            )
        )
    decided = requests.accepted + requests.declined + requests.expired
    return ProgramReport(
        program_id=program_id,
        generated_at=utcnow(),
        mentorships={status: statuses.get(status, 0) for status in STATUSES},
        health=HealthSummary(
            assessed=assessed,
            mean_score=round(mean, 1) if mean is not None else None,
            distribution=bands,
        ),
        at_risk=at_risk,
        goal_completion=_rate(achieved, goals),
        request_acceptance=_rate(requests.accepted, decided),
        median_hours_to_accept=_round(requests.median_hours_to_accept),
        median_days_to_first_meeting=_round(first_meeting),
        evaluation_response=_rate(answered, asked),
    )


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def as_csv_rows(report: ProgramReport) -> list[tuple[str, str]]:
    """The report as `metric,value` rows, one per figure, then one per mentorship at risk."""
    rows: list[tuple[str, str]] = [("program_id", str(report.program_id))]
    rows += [(f"mentorships.{status}", str(n)) for status, n in report.mentorships.items()]
    rows.append(("health.assessed", str(report.health.assessed)))
    rows.append(("health.mean_score", _text(report.health.mean_score)))
    rows += [(f"health.band.{band}", str(n)) for band, n in report.health.distribution.items()]
    for name, rate in (
        ("goal_completion", report.goal_completion),
        ("request_acceptance", report.request_acceptance),
        ("evaluation_response", report.evaluation_response),
    ):
        rows.append((f"{name}.rate", _text(rate.rate)))
        rows.append((f"{name}.of", str(rate.of)))
    rows.append(("median_hours_to_accept", _text(report.median_hours_to_accept)))
    rows.append(("median_days_to_first_meeting", _text(report.median_days_to_first_meeting)))
    rows += [
        (f"at_risk.{item.mentorship_id}", f"{item.top_flag}:{item.severity}:{item.score}")
        for item in report.at_risk
    ]
    return rows


def _text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
