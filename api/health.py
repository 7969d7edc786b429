"""The gateway's own routes: liveness, readiness and the API document; and the metrics app,
served on its own port (METRICS_PORT) so that the public port does not show them."""

import asyncio
import socket
from collections.abc import Awaitable, Callable, Mapping
from importlib.resources import files
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from redis.asyncio import Redis
from sqlalchemy import text

from services.core.db import Database
from services.core.errors import PROBLEM_JSON, problem_body
from services.core.outbox import metrics as outbox_metrics

CHECK_TIMEOUT_SECONDS = 2.0

# Swagger UI's script and style come from an installed package (fastapi-offline), so /docs
# works on a machine without internet access: on-premise installations, air-gapped networks.
DOCS_ASSETS = "/docs/assets"
_ASSETS_DIR = str(files("fastapi_offline") / "static")


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, str]


async def _postgres_ok(database: Database) -> None:
    async with database.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _redis_ok(redis: Redis) -> None:
    await redis.ping()


async def _run(check: Callable[[], Awaitable[None]]) -> str:
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure means "not ready"; the kind is enough to act on
        return f"unavailable ({type(exc).__name__})"
    return "ok"


def build_router(
    database: Database,
    redis: Redis,
    openapi: Callable[[], Awaitable[dict[str, Any]]],
    upstreams: Mapping[str, Callable[[], Awaitable[None]]] | None = None,
) -> APIRouter:
    """`upstreams`: in split mode, each service's liveness probe; readiness needs them all."""
    upstreams = dict(upstreams or {})
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", response_model=Health)
    async def liveness() -> Health:
        """The process is up."""
        return Health(status="ok")

    @router.get(
        "/readyz",
        response_model=Readiness,
        responses={503: {"description": "PostgreSQL, Redis or a split service is unreachable"}},
    )
    async def readiness() -> Response:
        """PostgreSQL and Redis answer (and, in split mode, every service): the gateway can take
        traffic."""
        probes: dict[str, Callable[[], Awaitable[None]]] = {
            "postgres": lambda: _postgres_ok(database),
            "redis": lambda: _redis_ok(redis),
            **upstreams,
        }
        results = await asyncio.gather(*(_run(probe) for probe in probes.values()))
        checks = dict(zip(probes, results, strict=True))
        if all(value == "ok" for value in checks.values()):
            return JSONResponse({"status": "ready", "checks": checks})
        down = ", ".join(name for name, value in checks.items() if value != "ok")
        body = problem_body(503, slug="not-ready", detail=f"Unavailable: {down}.")
        body["checks"] = checks
        return JSONResponse(body, status_code=503, media_type=PROBLEM_JSON)

    @router.get("/openapi.json", include_in_schema=False)
    async def openapi_document() -> JSONResponse:
        return JSONResponse(await openapi())

    @router.get("/docs", include_in_schema=False)
    async def docs(_request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Mentorship platform API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )

    return router


def build_local_app(router: APIRouter) -> FastAPI:
    from services.core.app import operation_id
    from services.core.errors import install_problem_handlers

    app = FastAPI(
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
    )
    install_problem_handlers(app)
    app.include_router(router)
    app.mount(DOCS_ASSETS, StaticFiles(directory=_ASSETS_DIR), name="docs-assets")
    return app


def build_metrics_app(database: Database) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/metrics", response_class=Response)
    async def metrics() -> Response:
        """Prometheus metrics."""
        await _run(lambda: outbox_metrics.refresh(database))  # stale figures beat no figures
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


class MetricsServer:
    """Serves the metrics app on its own port inside the gateway's process and event loop."""

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.server = uvicorn.Server(
            uvicorn.Config(app, lifespan="off", access_log=False, log_level="warning")
        )
        self._socket: socket.socket | None = None
        self._serving: asyncio.Task[None] | None = None

    async def start(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as error:
            sock.close()
            raise RuntimeError(
                f"cannot serve metrics on {self.host}:{self.port} ({error.strerror}); "
                "set METRICS_PORT to a free port, or to 0 to serve none"
            ) from error
        self._socket = sock
        # startup/main_loop/shutdown rather than serve(): serve() would take over the signal
        # handlers of the server that runs the gateway itself.
        config = self.server.config
        config.load()
        self.server.lifespan = config.lifespan_class(config)
        await self.server.startup(sockets=[sock])
        self._serving = asyncio.create_task(self.server.main_loop())

    async def stop(self) -> None:
        if self._serving is None or self._socket is None:
            return
        self.server.should_exit = True
        await self._serving
        await self.server.shutdown(sockets=[self._socket])
        self._socket.close()
        self._serving = None
