"""The progress service: mentorships, goals, meetings, evaluations and health."""

from fastapi import FastAPI

from services.core.app import create_service_app
from services.progress.assessments.router import router as assessments
from services.progress.evaluations.router import router as evaluations
from services.progress.mentorships.router import router as mentorships
from services.progress.reports.router import router as reports


def create_app(*, standalone: bool = True) -> FastAPI:
    return create_service_app(
        "progress",
        [
            assessments,
            evaluations,
            mentorships,
            reports,
        ],
        description="Mentorships, goals, meetings, milestones, evaluations and health.",
        standalone=standalone,
    )
