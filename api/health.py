"""The gateway's own routes: liveness, readiness, metrics and the API document."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from redis.asyncio import Redis
from sqlalchemy import text

from services.core.db import Database
from services.core.errors import PROBLEM_JSON, problem_body

CHECK_TIMEOUT_SECONDS = 2.0


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
    database: Database, redis: Redis, openapi: Callable[[], Awaitable[dict[str, Any]]]
) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", response_model=Health)
    async def liveness() -> Health:
        """The process is up."""
        return Health(status="ok")

    @router.get(
        "/readyz",
        response_model=Readiness,
        responses={503: {"description": "PostgreSQL or Redis is unreachable"}},
    )
    async def readiness() -> Response:
        """PostgreSQL and Redis answer: the gateway can take traffic."""
        postgres, queue = await asyncio.gather(
            _run(lambda: _postgres_ok(database)), _run(lambda: _redis_ok(redis))
        )
        checks = {"postgres": postgres, "redis": queue}
        if all(value == "ok" for value in checks.values()):
            return JSONResponse({"status": "ready", "checks": checks})
        down = ", ".join(name for name, value in checks.items() if value != "ok")
        body = problem_body(503, slug="not-ready", detail=f"Unavailable: {down}.")
        body["checks"] = checks
        return JSONResponse(body, status_code=503, media_type=PROBLEM_JSON)

    @router.get("/metrics", response_class=Response)
    async def metrics() -> Response:
        """Prometheus metrics."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @router.get("/openapi.json", include_in_schema=False)
    async def openapi_document() -> JSONResponse:
        return JSONResponse(await openapi())

    @router.get("/docs", include_in_schema=False)
    async def docs(_request: Request) -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Mentorship platform API")

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
    return app
