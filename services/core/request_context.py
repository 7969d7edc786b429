"""Per-request context shared by the gateway and every service: the request id and the caller.

Both live in the ASGI scope's state, so a service mounted inside the gateway reuses what the
gateway already established instead of doing it again.
"""

import re
import time
import uuid
from typing import Any
from urllib.parse import unquote

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.core.auth import bearer_token
from services.core.errors import FieldError, ProblemError, problem_response
from services.core.logging import get_logger
from services.core.principal import PrincipalResolver, principals
from services.core.schemas import UNSTORABLE_TEXT_MESSAGE, unstorable

log = get_logger("http")

REQUEST_ID_HEADER = b"x-request-id"
# Probes arrive every few seconds from load balancers and orchestrators; a successful one says
# nothing worth a log line (a failing one does).
PROBE_PATHS = frozenset({"/healthz", "/readyz"})


def worth_logging(path: str, status: int) -> bool:
    return status >= 400 or path not in PROBE_PATHS


_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            decoded: str = value.decode("latin-1")
            return decoded
    return None


def state_of(scope: Scope) -> dict[str, Any]:
    state: dict[str, Any] = scope.setdefault("state", {})
    return state


def establish_request_id(scope: Scope) -> tuple[str, bool]:
    """The request id of this request, and whether this layer is the one that set it."""
    state = state_of(scope)
    existing = state.get("request_id")
    if existing is not None:
        return existing, False
    sent = header(scope, REQUEST_ID_HEADER)
    request_id = sent if sent and _VALID_REQUEST_ID.match(sent) else uuid.uuid4().hex
    state["request_id"] = request_id
    structlog.contextvars.bind_contextvars(request_id=request_id)
    return request_id, True


async def establish_principal(scope: Scope, resolver: PrincipalResolver = principals) -> None:
    """The caller named by the bearer token, if any, as our tables know them. Routes that need
    a caller raise the stored error. A layer that already established it (the gateway, before
    a mounted service) is not repeated."""
    state = state_of(scope)
    if "principal" in state:
        return
    token = bearer_token(header(scope, b"authorization"))
    state["principal"] = None
    if token is None:
        return
    try:
        state["principal"] = await resolver.resolve_token(token)
    except ProblemError as error:
        state["auth_error"] = error


def with_request_id(send: Send, request_id: str, on_start: Any = None) -> Send:
    raw_id = request_id.encode()

    async def send_with_id(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k != REQUEST_ID_HEADER]
            headers.append((REQUEST_ID_HEADER, raw_id))
            message["headers"] = headers
            if on_start is not None:
                on_start(message["status"])
        await send(message)

    return send_with_id


def unstorable_url_part(scope: Scope) -> str | None:
    """ "path" or "query" when that part of the URL holds text PostgreSQL cannot store (a
    percent-encoded NUL): the rule request bodies follow (services.core.schemas), applied to
    every path and query parameter at once, before any of them reaches a statement."""
    if unstorable(scope["path"]):
        return "path"
    if unstorable(unquote(scope.get("query_string", b"").decode("latin-1"))):
        return "query"
    return None


class RequestContextMiddleware:
    """Request id, caller and access log for a service reached directly (not via the gateway)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        part = unstorable_url_part(scope)
        if part is not None:
            response = problem_response(
                422,
                slug="validation",
                title="Invalid request",
                detail="The request has invalid fields.",
                errors=[FieldError(loc=[part], msg=UNSTORABLE_TEXT_MESSAGE)],
            )
            await response(scope, receive, send)
            return
        request_id, owner = establish_request_id(scope)
        await establish_principal(scope)
        if not owner:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: list[int] = [500]
        try:
            await self.app(scope, receive, with_request_id(send, request_id, status.append))
        finally:
            if worth_logging(scope["path"], status[-1]):
                log.info(
                    "http.request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status[-1],
                    ms=round((time.perf_counter() - started) * 1000, 2),
                )
            structlog.contextvars.unbind_contextvars("request_id")
