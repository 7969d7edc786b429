"""RFC 9457 problem details: our own errors, and the one handler that turns any error into one."""

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.core.logging import get_logger

log = get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://mentorship.dev/problems/"
# SQLSTATEs of a transaction PostgreSQL aborted for another one's sake: a deadlock, a
# serialization failure. Nothing of it was kept.
_CONCURRENT_CHANGE = frozenset({"40P01", "40001"})


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str


class Problem(BaseModel):
    """The error body every endpoint answers with."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """Raised by service code; never an HTTPException."""

    status: int = 500
    slug: str = "internal"
    title: str = "Internal error"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.extra = extra
        self.headers: dict[str, str] = {}


class BadRequest(ProblemError):
    status, slug, title = 400, "bad-request", "Bad request"


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.headers["WWW-Authenticate"] = "Bearer"


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "The resource has changed"


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", "If-Match is required"


class Unprocessable(ProblemError):
    status, slug, title = 422, "unprocessable", "The request cannot be processed"

    def __init__(
        self,
        detail: str | None = None,
        errors: Sequence[FieldError] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail, **extra)
        self.errors = list(errors) if errors else None


class RateLimited(ProblemError):
    status, slug, title = 429, "rate-limited", "Too many requests"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail or f"Retry after {retry_after} seconds.")
        self.headers["Retry-After"] = str(retry_after)


class ServiceUnavailable(ProblemError):
    status, slug, title = 503, "unavailable", "Service unavailable"


def problem_body(
    status: int,
    *,
    slug: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    errors: Sequence[FieldError] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {
        "type": TYPE_BASE + (slug or phrase.lower().replace(" ", "-")),
        "title": title or phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = [e.model_dump() for e in errors]
    if extra:
        body.update(extra)
    return body


def problem_response(
    status: int, headers: dict[str, str] | None = None, **kwargs: Any
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, **kwargs), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _problem_from_error(error: ProblemError) -> JSONResponse:
    errors = getattr(error, "errors", None)
    return problem_response(
        error.status,
        headers=error.headers,
        slug=error.slug,
        title=error.title,
        detail=error.detail,
        errors=errors,
        extra=error.extra,
    )


def _validation_errors(raw: Sequence[Any]) -> list[FieldError]:
    # Only location and message leave the service: never the input echoed back or a url.
    return [
        FieldError(loc=[p for p in err.get("loc", ()) if isinstance(p, str | int)], msg=err["msg"])
        for err in raw
    ]


async def _on_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return _problem_from_error(exc)


async def _on_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem_response(
        422,
        slug="validation",
        title="Invalid request",
        detail="The request has invalid fields.",
        errors=_validation_errors(exc.errors()),
    )


async def _on_http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers) if exc.headers else None
    return problem_response(exc.status_code, headers=headers, detail=detail)


def refused_value(exc: DBAPIError) -> bool:
    """Whether the database (or the driver, before sending) refused a value of the statement:
    SQLSTATE class 22 ("data exception": numeric value out of range, invalid text
    representation, datetime field overflow, string too long, untranslatable character, ...),
    or a parameter the driver cannot encode (an integer past 64 bits, text with no UTF-8
    form). Values come from the client, so this is theirs to fix, not a failure of ours."""
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate.startswith("22"):
        return True
    # asyncpg reports a parameter it cannot encode as its client-side DataError, a ValueError.
    return isinstance(getattr(orig, "driver_exception", None), ValueError)


def database_problem(exc: DBAPIError) -> tuple[int, dict[str, Any]] | None:
    """The client's problem a database error stands for, or None when the failure is ours.
    One place for every path that runs statements: the routes' handler, the commit of the
    unit of work (outside the routes' handlers), and SCIM's own error format."""
    if isinstance(exc, IntegrityError):
        # A uniqueness or reference rule of the data held: the constraint's name stays inside.
        log.info("request.integrity_conflict", error=type(exc.orig).__name__)
        return 409, problem_body(409, slug="conflict", detail="This conflicts with existing data.")
    if getattr(exc.orig, "sqlstate", None) in _CONCURRENT_CHANGE:
        # Two requests took the same rows in opposite orders, or a serializable read went
        # stale: PostgreSQL undid this one whole. Sending it again is safe.
        log.info("request.concurrent_change", sqlstate=getattr(exc.orig, "sqlstate", None))
        return 409, problem_body(
            409,
            slug="concurrent-change",
            detail="Another change to the same data was made at the same moment and nothing "
            "was changed; send the request again.",
            extra={"reason": "concurrent_change"},
        )
    if refused_value(exc):
        log.warning(
            "request.value_refused",
            sqlstate=getattr(exc.orig, "sqlstate", None),
            error=type(getattr(exc.orig, "driver_exception", exc.orig)).__name__,
        )
        return 422, problem_body(
            422,
            slug="unstorable-value",
            title="Invalid request",
            detail="A value in this request is out of range or cannot be stored.",
        )
    return None


async def _on_database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    problem = database_problem(exc)
    if problem is None:
        return await _on_unexpected(request, exc)
    status, body = problem
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


async def _on_stale(_request: Request, _exc: Exception) -> JSONResponse:
    # A versioned UPDATE matched no row: another writer changed the resource since this request
    # read it (see services.core.models.Versioned).
    return _problem_from_error(
        PreconditionFailed(
            "The resource was changed since you read it; fetch it again and reapply your change."
        )
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("request.failed", path=request.url.path, exc_info=exc)
    return problem_response(500, detail="An unexpected error occurred; it has been logged.")


class AnswerUnexpectedErrors:
    """The outermost layer: an exception that escapes the application is answered with a 500
    (if nothing was answered yet) and then ends here. A server that sees the application raise
    closes the connection, so without this every 500 would also reset the client's keep-alive
    connection. (Starlette's own last handler re-raises after answering, by design.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = finished = False

        async def watched(message: Message) -> None:
            nonlocal started, finished
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finished = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if started and not finished:
                raise  # half a response: closing the connection is the only honest end
            if not started:
                log.error("request.failed", path=scope.get("path"), exc_info=exc)
                response = problem_response(
                    500, detail="An unexpected error occurred; it has been logged."
                )
                await response(scope, receive, send)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(DBAPIError, _on_database_error)
    app.add_exception_handler(StaleDataError, _on_stale)
    app.add_exception_handler(Exception, _on_unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for a route: each listed status answers with a Problem."""
    return {
        status: {
            "model": Problem,
            "content": {PROBLEM_JSON: {}},
            "description": HTTPStatus(status).phrase,
        }
        for status in statuses
    }
