"""Split mode: a service process answers only requests that came through the gateway.

The gateway adds a shared secret to every request it forwards; a service running on its own
refuses any request without it, so a caller who reaches a service's port directly cannot skip
the gateway's rate limits. Every process of a split deployment reads the same secret: set
GATEWAY_SECRET, or let the first process create DATA_DIR/gateway-secret (what `make run-split`
does, all its processes sharing one data folder).
"""

import hmac
import json
import os
import secrets
from functools import lru_cache
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from services.core.errors import PROBLEM_JSON, problem_body
from services.core.settings import get_settings

GATEWAY_SECRET_HEADER = b"x-gateway-secret"
# Probes (a load balancer, an orchestrator) ask a service directly whether it is alive.
OPEN_PATHS = frozenset({"/healthz"})


def load_or_create_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(32))
    try:
        os.link(tmp, path)  # fails if another process won the race; then its secret is used
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text().strip()


@lru_cache(maxsize=1)
def gateway_secret() -> str:
    settings = get_settings()
    return settings.gateway_secret or load_or_create_secret(settings.data_dir / "gateway-secret")


class GatewayOnlyMiddleware:
    """Refuses (403) every request that does not carry the gateway's secret."""

    def __init__(self, app: ASGIApp, secret: str) -> None:
        self.app = app
        self.secret = secret.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        sent = next((v for k, v in scope["headers"] if k == GATEWAY_SECRET_HEADER), b"")
        if hmac.compare_digest(sent, self.secret):
            await self.app(scope, receive, send)
            return
        body = problem_body(
            403,
            slug="gateway-only",
            detail="This service answers only requests that come through the gateway.",
        )
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [(b"content-type", PROBLEM_JSON.encode())],
            }
        )
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})
