"""The gateway: the one public entry. Request ids, token check, rate limits, metrics, then
routing by path to a service, in-process (mounted) or over HTTP (split)."""

import asyncio
import json
import time
from contextlib import AsyncExitStack
from typing import Any

from prometheus_client import Counter, Histogram
from redis.asyncio import Redis
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.health import MetricsServer, build_local_app, build_metrics_app, build_router
from api.openapi import SchemaCollision, merge_openapi
from api.proxy import HttpProxy
from api.rate_limit import RateLimiter
from api.routes import SERVICES, is_public, service_for
from services.core.app import run_lifespan_hooks
from services.core.auth import bearer_token, verify_token
from services.core.db import Database
from services.core.errors import (
    PROBLEM_JSON,
    AnswerUnexpectedErrors,
    ProblemError,
    RateLimited,
    Unauthorized,
    problem_body,
)
from services.core.gateway_secret import gateway_secret
from services.core.logging import get_logger
from services.core.principal import PrincipalResolver
from services.core.queue import queue
from services.core.request_context import (
    establish_request_id,
    header,
    state_of,
    with_request_id,
    worth_logging,
)
from services.core.settings import Settings
from services.core.user_state import UserStateCache, user_states

log = get_logger("http")

REQUESTS = Counter("http_requests_total", "Requests answered", ["service", "method", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer a request",
    ["service"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


SCIM_PREFIX = "/scim/"


async def _send_problem(send: Send, error: ProblemError, path: str = "") -> None:
    if path.startswith(SCIM_PREFIX):
        # SCIM clients parse SCIM's error message (RFC 7644 section 3.12), not problem+json.
        content_type = "application/scim+json"
        payload = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": str(error.status),
            "detail": error.detail or error.title,
        }
    else:
        content_type = PROBLEM_JSON
        payload = problem_body(
            error.status, slug=error.slug, title=error.title, detail=error.detail
        )
    body = json.dumps(payload).encode()
    headers = [(b"content-type", content_type.encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _client_host(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class Gateway:
    def __init__(self, settings: Settings, *, database: Database, redis: Redis) -> None:
        self.settings = settings
        self.database = database
        self.redis = redis
        self.rate_limiter = RateLimiter(
            redis,
            per_user=settings.rate_limit_user_per_minute,
            per_tenant=settings.rate_limit_tenant_per_minute,
            per_address=settings.rate_limit_address_per_minute,
        )
        # The hot path reads the cache in the rate limiter's round trip, on the gateway's Redis.
        self.principals = PrincipalResolver(UserStateCache(redis), database)
        self.proxies: dict[str, HttpProxy] = {}
        self.targets: dict[str, ASGIApp] = {}
        self.mounted: dict[str, Any] = {}
        for spec in SERVICES:
            if settings.service_mode == "mounted":
                app = spec.create_app(standalone=False)
                self.mounted[spec.name] = app
                self.targets[spec.name] = app
            else:
                proxy = HttpProxy(
                    settings.service_url(spec.name),
                    secret=gateway_secret(),
                    connect_timeout=settings.upstream_connect_timeout_seconds,
                    read_timeout=settings.upstream_read_timeout_seconds,
                )
                self.proxies[spec.name] = proxy
                self.targets[spec.name] = proxy
        self._openapi: dict[str, Any] | None = None
        upstreams = {name: proxy.check for name, proxy in self.proxies.items()}
        self.local = build_local_app(build_router(database, redis, self.openapi, upstreams))
        self.metrics = build_metrics_app(database)
        self._metrics_server: MetricsServer | None = None
        self._hooks = AsyncExitStack()
        self._answer_unexpected_errors = AnswerUnexpectedErrors(self._serve)

    async def openapi(self) -> dict[str, Any]:
        if self._openapi is None:
            documents: list[dict[str, Any]] = [self.local.openapi()]
            if self.mounted:
                documents += [app.openapi() for app in self.mounted.values()]
            else:
                fetched = await asyncio.gather(
                    *(proxy.fetch_json("/openapi.json") for proxy in self.proxies.values())
                )
                documents += [doc for doc in fetched if isinstance(doc, dict)]
            self._openapi = merge_openapi(documents)
        return self._openapi

    async def close(self) -> None:
        for proxy in self.proxies.values():
            await proxy.close()
        await self.redis.aclose()
        await queue.close()
        await user_states.close()
        await self.database.dispose()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self.mounted:
                    # Merging checks that no two services publish different schemas under one
                    # name: such a gateway must not start (split mode merges on first request).
                    try:
                        await self.openapi()
                    except SchemaCollision as exc:
                        await send({"type": "lifespan.startup.failed", "message": str(exc)})
                        return
                try:
                    await self._start_metrics_server()
                except RuntimeError as error:
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                # The mounted services' background work (matching's index warm-up).
                await self._hooks.enter_async_context(run_lifespan_hooks(*self.mounted.values()))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._hooks.aclose()
                if self._metrics_server is not None:
                    await self._metrics_server.stop()
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _start_metrics_server(self) -> None:
        if self.settings.metrics_port:
            server = MetricsServer(self.metrics, self.settings.host, self.settings.metrics_port)
            await server.start()
            self._metrics_server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        await self._answer_unexpected_errors(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        service = service_for(scope["path"])
        request_id, _ = establish_request_id(scope)
        started = time.perf_counter()
        status = [500]
        send = with_request_id(send, request_id, status.append)
        try:
            if service is None:
                await self.local(scope, receive, send)
            else:
                await self._route(service, scope, receive, send)
        finally:
            elapsed = time.perf_counter() - started
            label = service or "gateway"
            REQUESTS.labels(label, scope["method"], str(status[-1])).inc()
            LATENCY.labels(label).observe(elapsed)
            if worth_logging(scope["path"], status[-1]):
                log.info(
                    "http.request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status[-1],
                    service=label,
                    ms=round(elapsed * 1000, 2),
                )

    async def _forward_counting_refusals(
        self, service: str, address: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Public paths: the service checks the credential; each 401 it answers counts against
        the caller's address."""
        statuses: list[int] = []

        async def watching(message: Message) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])
            await send(message)

        await self.targets[service](scope, receive, watching)
        if statuses[:1] == [401]:
            await self.rate_limiter.count_refusal(address)

    async def _route(self, service: str, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        if is_public(path):
            address = _client_host(scope)
            credential = header(scope, b"authorization") or address
            verdict = await self.rate_limiter.check_integration(credential, address)
            if not verdict.allowed:
                await _send_problem(send, RateLimited(verdict.retry_after), path)
                return
            await self._forward_counting_refusals(service, address, scope, receive, send)
            return
        else:
            try:
                token = bearer_token(header(scope, b"authorization"))
                if token is None:
                    raise Unauthorized("Send an access token: Authorization: Bearer <token>.")
                identity = verify_token(token)
                verdict = await self.rate_limiter.check(identity.tenant_id, identity.user_id)
                # Before the limit: a caller our tables refuse learns that, not when to retry.
                principal = await self.principals.resolve(identity, verdict.user_state)
            except ProblemError as refused:
                refusal = await self.rate_limiter.count_refusal(_client_host(scope))
                answer = refused if refusal.allowed else RateLimited(refusal.retry_after)
                await _send_problem(send, answer)
                return
            # Services mounted here reuse it; in split mode each service resolves it again.
            state_of(scope)["principal"] = principal
            if not verdict.allowed:
                await _send_problem(send, RateLimited(verdict.retry_after))
                return
        await self.targets[service](scope, receive, send)
