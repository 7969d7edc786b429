"""The matching service: recommendations with reasons, and cohort assignment runs."""

from fastapi import FastAPI

from services.core.app import create_service_app
from services.matching.router import router


def create_app(*, standalone: bool = True) -> FastAPI:
    return create_service_app(
        "matching",
        [router],
        description="Ranked mentor recommendations and whole-program assignment.",
        standalone=standalone,
    )
