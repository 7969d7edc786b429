"""The factory every service app is built with, so all four behave alike."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

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


# Background work a service runs while it serves (entered at startup, exited at shutdown), in
# its own process or mounted in the gateway alike.
LifespanHook = Callable[[], AbstractAsyncContextManager[None]]


@asynccontextmanager
async def run_lifespan_hooks(*apps: FastAPI) -> AsyncIterator[None]:
    """The apps' hooks, started in order and stopped in reverse."""
    async with AsyncExitStack() as stack:
        for app in apps:
            for hook in getattr(app.state, "lifespan_hooks", ()):
                await stack.enter_async_context(hook())
        yield


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with run_lifespan_hooks(app):
        yield
    await queue.close()
    await user_states.close()
    await database.dispose()


def create_service_app(
    name: str,
    routers: Sequence[APIRouter],
    *,
    description: str,
    standalone: bool = True,
    hooks: Sequence[LifespanHook] = (),
) -> FastAPI:
    """`standalone=False` when mounted in the gateway, which then owns startup and shutdown
    (and runs the `hooks` itself)."""
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
    app.state.lifespan_hooks = tuple(hooks)
    install_problem_handlers(app)
    for router in routers:
        app.include_router(router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": name}

    app.add_middleware(UnitOfWorkMiddleware)
    app.add_middleware(RequestContextMiddleware)
    return app
