"""The matching service: recommendations with reasons, and cohort assignment runs."""

from fastapi import FastAPI

from services.core.app import create_service_app
from services.matching.runs.router import router as runs_router


def create_app(*, standalone: bool = True) -> FastAPI:
    return create_service_app(
        "matching",
        [runs_router],
        description="Ranked mentor recommendations and whole-program assignment.",
        standalone=standalone,
    )
