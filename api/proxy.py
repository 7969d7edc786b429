"""Forwarding a request to a service over HTTP (split mode), with a pooled keep-alive client.

aiohttp, not httpx, carries this hop: measured on this stack it serves several times more
requests per second under concurrency (see bench/gateway.py).
"""

import json

import aiohttp
from starlette.types import Receive, Scope, Send

from services.core.errors import problem_body
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


class HttpProxy:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=60),
                timeout=aiohttp.ClientTimeout(total=60, connect=5),
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        self._session = None

    async def fetch_json(self, path: str) -> object:
        async with self.session().get(self.base_url + path) as response:
            response.raise_for_status()
            return await response.json()

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
            if k.decode("latin-1").lower() not in HOP_BY_HOP
        ]
        request_id = scope.get("state", {}).get("request_id")
        if request_id:
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            headers.append(("X-Request-ID", request_id))
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        url = self.base_url + raw_path.decode("latin-1")
        if scope.get("query_string"):
            url += "?" + scope["query_string"].decode("latin-1")
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
                            if k.lower() not in HOP_BY_HOP
                        ],
                    }
                )
                async for chunk in upstream.content.iter_any():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b""})
        except (aiohttp.ClientError, TimeoutError):
            log.warning("gateway.upstream_unreachable", upstream=self.base_url)
            raw = json.dumps(
                problem_body(502, detail="A service behind the gateway did not answer; try again.")
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 502,
                    "headers": [(b"content-type", b"application/problem+json")],
                }
            )
            await send({"type": "http.response.body", "body": raw})
