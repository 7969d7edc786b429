"""The matching service: recommendations with reasons, and cohort assignment runs."""

from fastapi import FastAPI

from services.core.app import create_service_app
from services.core.settings import get_settings
from services.matching.recommendations.index import MentorIndex
from services.matching.recommendations.router import router as recommendations_router
from services.matching.runs.router import router as runs_router


def create_app(*, standalone: bool = True) -> FastAPI:
    app = create_service_app(
        "matching",
        [recommendations_router, runs_router],
        description="Ranked mentor recommendations and whole-program assignment.",
        standalone=standalone,
    )
    # Each app (each process, each gateway) holds its own index; the change feed keeps every
    # one of them current.
    app.state.mentor_index = MentorIndex(
        idle_seconds=get_settings().matching_index_idle_minutes * 60
    )
    return app
