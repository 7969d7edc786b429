"""The factory every service app is built with, so all four behave alike."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.types import ASGIApp

from services.core.db import database
from services.core.errors import AnswerUnexpectedErrors, install_problem_handlers
from services.core.logging import configure_logging
from services.core.queue import queue
from services.core.request_context import RequestContextMiddleware
from services.core.unit_of_work import UnitOfWorkMiddleware
from services.core.user_state import user_states

API_VERSION = "1.0.0"


def operation_id(route: APIRoute) -> str:
    """Stable ids that client generators turn into method names: the handler's name."""
    return route.name


class ServiceApp(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Outside Starlette's last handler, which re-raises after its 500.
        return AnswerUnexpectedErrors(super().build_middleware_stack())


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    yield
    await queue.close()
    await user_states.close()
    await database.dispose()


def create_service_app(
    name: str, routers: Sequence[APIRouter], *, description: str, standalone: bool = True
) -> FastAPI:
    """`standalone=False` when mounted in the gateway, which then owns startup and shutdown."""
    configure_logging()
    app = ServiceApp(
        title=f"mentorship {name}",
        description=description,
        version=API_VERSION,
        generate_unique_id_function=operation_id,
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan if standalone else None,
    )
    install_problem_handlers(app)
    for router in routers:
        app.include_router(router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": name}

    app.add_middleware(UnitOfWorkMiddleware)
    app.add_middleware(RequestContextMiddleware)
    return app
