"""A synchronous SCIM client for scim2-tester that sends its requests through the gateway
in-process: scim2-tester runs in a worker thread, and each request is handed to the test's
event loop (where the database connection lives) and awaited there."""

import asyncio
from typing import Any

import httpx
from scim2_client import BaseSyncSCIMClient
from scim2_client.client import RawResponse


class GatewaySCIMClient(BaseSyncSCIMClient):
    def __init__(
        self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.client = client
        self.loop = loop

    def _stays_under_base_url(self, endpoint: str) -> bool:
        base = self.client.base_url
        url = self.client.build_request("GET", endpoint).url
        return (url.scheme, url.host, url.port) == (
            base.scheme,
            base.host,
            base.port,
        ) and url.raw_path.startswith(base.raw_path)

    def _parse_json(self, response: RawResponse) -> Any:
        return response.json()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        sent = self.client.request(method, url, **kwargs)
        return asyncio.run_coroutine_threadsafe(sent, self.loop).result(timeout=60)
