"""Forwarding a request to a service over HTTP (split mode), with a pooled keep-alive client.

aiohttp, not httpx, carries this hop: measured on this stack it serves several times more
requests per second under concurrency (see bench/gateway.py).

A service that cannot be reached answers 502 at once; one that accepted the request but did not
answer within the read timeout answers 504. Neither waits longer than its configured timeout.
"""

import json

import aiohttp
from starlette.types import Receive, Scope, Send

from services.core.errors import PROBLEM_JSON, problem_body
from services.core.gateway_secret import GATEWAY_SECRET_HEADER
from services.core.logging import get_logger

log = get_logger(__name__)

# Hop-by-hop headers (RFC 9110 section 7.6.1) are the connection's, not the message's. Host
# travels on, so a service builds links (Location, SCIM meta.location) with the public name.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)
# The gateway's own server writes these on every response; the service's copies would repeat them.
SET_BY_GATEWAY_SERVER = frozenset({"date", "server"})
_SECRET_HEADER = GATEWAY_SECRET_HEADER.decode()
_NOT_FORWARDED = HOP_BY_HOP | {_SECRET_HEADER, "x-request-id"}
_NOT_RETURNED = HOP_BY_HOP | SET_BY_GATEWAY_SERVER


class HttpProxy:
    def __init__(
        self,
        base_url: str,
        *,
        secret: str = "",
        connect_timeout: float = 2.0,
        read_timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.timeout = aiohttp.ClientTimeout(
            total=None,
            connect=connect_timeout,
            sock_connect=connect_timeout,
            sock_read=read_timeout,
        )
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=60),
                timeout=self.timeout,
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        self._session = None

    def _own_headers(self) -> dict[str, str]:
        return {_SECRET_HEADER: self.secret} if self.secret else {}

    async def fetch_json(self, path: str) -> object:
        async with self.session().get(self.base_url + path, headers=self._own_headers()) as answer:
            answer.raise_for_status()
            return await answer.json()

    async def check(self) -> None:
        """Raises unless the service answers its liveness probe."""
        async with self.session().get(self.base_url + "/healthz") as answer:
            answer.raise_for_status()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in scope["headers"]
            if k.decode("latin-1").lower() not in _NOT_FORWARDED
        ]
        request_id = scope.get("state", {}).get("request_id")
        if request_id:
            headers.append(("X-Request-ID", request_id))
        headers += self._own_headers().items()
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        url = self.base_url + raw_path.decode("latin-1")
        if scope.get("query_string"):
            url += "?" + scope["query_string"].decode("latin-1")
        started = False
        try:
            async with self.session().request(
                scope["method"], url, headers=headers, data=body or None, allow_redirects=False
            ) as upstream:
                await send(
                    {
                        "type": "http.response.start",
                        "status": upstream.status,
                        "headers": [
                            (k.lower().encode("latin-1"), v.encode("latin-1"))
                            for k, v in upstream.headers.items()
                            if k.lower() not in _NOT_RETURNED
                        ],
                    }
                )
                started = True
                async for chunk in upstream.content.iter_any():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b""})
        except (aiohttp.ClientError, TimeoutError) as error:
            timed_out = isinstance(error, aiohttp.SocketTimeoutError)
            log.warning(
                "gateway.upstream_timeout" if timed_out else "gateway.upstream_unreachable",
                upstream=self.base_url,
                error=type(error).__name__,
            )
            if started:
                # The status is gone already: leaving the body unfinished makes the server drop
                # the connection, so the client sees a truncated answer, not a complete one.
                return
            await _send_upstream_problem(send, 504 if timed_out else 502)


async def _send_upstream_problem(send: Send, status: int) -> None:
    detail = (
        "A service behind the gateway did not answer in time; try again."
        if status == 504
        else "A service behind the gateway cannot be reached; try again."
    )
    raw = json.dumps(problem_body(status, detail=detail)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", PROBLEM_JSON.encode())],
        }
    )
    await send({"type": "http.response.body", "body": raw})
