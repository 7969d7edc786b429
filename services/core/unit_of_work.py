"""One database session per request, committed in exactly one place, with idempotent POSTs.

Safe methods get an autocommit session (one round trip per read). Other methods run in a
transaction that commits only if the response is a success; the response is held back until
the commit has happened, so a client never sees a success that was then lost.
"""

import json
from typing import Any

from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.core import idempotency
from services.core.db import AfterCommit, commit, database, run_after_commit
from services.core.errors import PROBLEM_JSON, FieldError, database_problem, problem_body
from services.core.request_context import header, state_of
from services.core.schemas import unstorable
from services.core.settings import get_settings
from services.core.tenancy import bind_tenant

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BodyTooLarge(Exception):
    pass


async def _read_body(receive: Receive, limit: int) -> bytes:
    """The whole body, or BodyTooLarge as soon as it passes `limit` (before it all arrives)."""
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _json_message(
    status: int, body: dict[str, Any], content_type: str = PROBLEM_JSON
) -> tuple[Message, bytes]:
    raw = json.dumps(body).encode()
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(raw)).encode()),
        ],
    }
    return start, raw


async def _send_json(send: Send, status: int, body: dict[str, Any], content_type: str) -> None:
    start, raw = _json_message(status, body, content_type)
    await send(start)
    await send({"type": "http.response.body", "body": raw})


class UnitOfWorkMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = state_of(scope)
        principal = state.get("principal")
        if scope["method"] in SAFE_METHODS:
            async with database.session(readonly=True) as session:
                if principal is not None:
                    bind_tenant(session, principal.tenant_id)
                state["session"] = session
                await self.app(scope, receive, send)
            return

        limit = get_settings().max_body_bytes
        declared = header(scope, b"content-length")
        try:
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise BodyTooLarge
            body = await _read_body(receive, limit)
        except BodyTooLarge:
            await _send_json(
                send,
                413,
                problem_body(413, detail=f"The request body is larger than {limit} bytes."),
                PROBLEM_JSON,
            )
            return
        key = header(scope, b"idempotency-key") if scope["method"] == "POST" else None
        async with database.session() as session:
            if principal is not None:
                bind_tenant(session, principal.tenant_id)
            state["session"] = session
            claimed: idempotency.Claimed | None = None
            if key is not None and principal is not None:
                if not 1 <= len(key) <= idempotency.MAX_KEY_LENGTH or unstorable(key):
                    await _send_json(
                        send,
                        422,
                        problem_body(
                            422,
                            slug="validation",
                            title="Invalid request",
                            detail="Idempotency-Key must be 1 to 255 characters, none of them NUL.",
                            errors=[
                                FieldError(loc=["header", "Idempotency-Key"], msg="invalid length")
                            ],
                        ),
                        PROBLEM_JSON,
                    )
                    return
                fingerprint = idempotency.request_fingerprint(
                    scope["method"], scope["path"], scope.get("query_string", b""), body
                )
                outcome = await idempotency.claim(session, principal, key, fingerprint)
                if isinstance(outcome, idempotency.Mismatch):
                    await session.rollback()
                    await _send_json(
                        send,
                        422,
                        problem_body(
                            422,
                            slug="idempotency-key-reused",
                            title="Idempotency-Key reused",
                            detail="This Idempotency-Key was used with a different request.",
                        ),
                        PROBLEM_JSON,
                    )
                    return
                if isinstance(outcome, idempotency.Replay):
                    await session.rollback()
                    headers = [(k.encode(), v.encode()) for k, v in outcome.headers.items()]
                    headers.append((b"idempotent-replayed", b"true"))
                    headers.append((b"content-length", str(len(outcome.body)).encode()))
                    await send(
                        {
                            "type": "http.response.start",
                            "status": outcome.status_code,
                            "headers": headers,
                        }
                    )
                    await send({"type": "http.response.body", "body": outcome.body})
                    return
                claimed = outcome

            start: Message = {}
            chunks: list[bytes] = []

            async def hold(message: Message) -> None:
                nonlocal start
                if message["type"] == "http.response.start":
                    start = message
                elif message["type"] == "http.response.body":
                    chunks.append(message.get("body", b""))

            try:
                await self.app(scope, _replaying(body), hold)
            except BaseException:
                await session.rollback()
                raise
            status = int(start.get("status", 500))
            response_body = b"".join(chunks)
            callbacks: list[AfterCommit] = []
            if status < 400:
                try:
                    if claimed is not None:
                        await idempotency.record(
                            session,
                            claimed,
                            status,
                            start.get("headers", []),
                            response_body,
                            withheld=state.get(idempotency.WITHHELD_FIELDS, ()),
                        )
                    callbacks = await commit(session)
                except DBAPIError as exc:
                    # Raised outside the routes, so their handlers never see it: a constraint
                    # checked at commit, or the flush of what the route left pending.
                    problem = database_problem(exc)
                    if problem is None:
                        raise
                    await session.rollback()
                    start, response_body = _json_message(*problem)
            else:
                await session.rollback()
        await send(start)
        await send({"type": "http.response.body", "body": response_body})
        await run_after_commit(callbacks)
