"""The matching service: recommendations with reasons, and cohort assignment runs."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.core.app import create_service_app
from services.core.db import database
from services.core.settings import get_settings
from services.matching.recommendations.index import IndexWarmUp, MentorIndex
from services.matching.recommendations.router import router as recommendations_router
from services.matching.runs.router import router as runs_router


def create_app(*, standalone: bool = True) -> FastAPI:
    settings = get_settings()
    # Each app (each process, each gateway) holds its own index; the change feed keeps every
    # one of them current.
    index = MentorIndex(idle_seconds=settings.matching_index_idle_minutes * 60)
    warm_up = IndexWarmUp(index, database, tenants=settings.matching_warm_tenants)

    @asynccontextmanager
    async def warming() -> AsyncIterator[None]:
        # In the background: startup and /readyz do not wait for it.
        warm_up.start()
        try:
            yield
        finally:
            await warm_up.stop()

    app = create_service_app(
        "matching",
        [recommendations_router, runs_router],
        description="Ranked mentor recommendations and whole-program assignment.",
        standalone=standalone,
        hooks=[warming],
    )
    app.state.mentor_index = index
    app.state.index_warm_up = warm_up
    return app
