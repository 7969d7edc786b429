"""The progress service: mentorships, goals, meetings, evaluations and health."""

from fastapi import FastAPI

from services.core.app import create_service_app
from services.progress.assessments.router import router as assessments_router
from services.progress.checkins.router import router as checkins_router
from services.progress.evaluations.router import router as evaluations_router
from services.progress.goals.router import router as goals_router
from services.progress.meetings.router import router as meetings_router
from services.progress.mentorships.router import router as mentorships_router
from services.progress.milestones.router import router as milestones_router
from services.progress.reports.router import router as reports_router


def create_app(*, standalone: bool = True) -> FastAPI:
    return create_service_app(
        "progress",
        [
            assessments_router,
            checkins_router,
            evaluations_router,
            goals_router,
            meetings_router,
            mentorships_router,
            milestones_router,
            reports_router,
        ],
        description="Mentorships, goals, meetings, milestones, evaluations and health.",
        standalone=standalone,
    )
