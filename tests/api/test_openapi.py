"""The one OpenAPI document: services' schemas merged without losing one, and its Swagger UI
served from the gateway itself."""

import re
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from redis.asyncio import Redis

from api.gateway import Gateway
from api.openapi import SchemaCollision, merge_openapi
from services.core.db import database
from services.core.settings import get_settings


def _service(title: str, item: type[BaseModel]) -> dict[str, Any]:
    app = FastAPI(title=title)

    @app.get(f"/{title}/item", operation_id=f"get_{title}_item")
    async def get_item() -> item:  # type: ignore[valid-type]
        raise NotImplementedError

    return app.openapi()


class _Matching:
    class Item(BaseModel):
        score: float


class _Proposals:
    class Item(BaseModel):
        message: str


def test_two_services_with_different_schemas_of_one_name_do_not_merge() -> None:
    matching = _service("matching", _Matching.Item)
    proposals = _service("proposals", _Proposals.Item)
    with pytest.raises(
        SchemaCollision, match=r"components\.schemas\.Item.*'proposals'.*'matching'"
    ):
        merge_openapi([matching, proposals])


def test_a_schema_two_services_share_unchanged_is_merged_once() -> None:
    merged = merge_openapi([_service("a", _Matching.Item), _service("b", _Matching.Item)])
    assert merged["components"]["schemas"]["Item"]["required"] == ["score"]
    assert set(merged["paths"]) == {"/a/item", "/b/item"}


async def _startup(app: Gateway) -> dict[str, Any]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({"type": "lifespan"}, receive, send)
    return sent[-1]


async def test_a_gateway_whose_services_collide_refuses_to_start() -> None:
    settings = get_settings()
    app = Gateway(settings, database=database, redis=Redis.from_url(settings.redis_url))
    matching, proposals = FastAPI(title="matching"), FastAPI(title="proposals")

    @matching.get("/v1/matching/item", operation_id="matching_item")
    async def matching_item() -> _Matching.Item:
        raise NotImplementedError

    @proposals.get("/v1/requests/item", operation_id="proposals_item")
    async def proposals_item() -> _Proposals.Item:
        raise NotImplementedError

    app.mounted = {"matching": matching, "proposals": proposals}
    try:
        message = await _startup(app)
    finally:
        await app.redis.aclose()
    assert message["type"] == "lifespan.startup.failed"
    assert "components.schemas.Item" in message["message"]


async def test_docs_load_swagger_ui_from_the_gateway_itself(client) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    references = re.findall(r"""(?:src|href|url)\s*[=:]\s*["']([^"']+)["']""", page.text)
    assert references, page.text
    for reference in references:
        assert reference.startswith("/") and not reference.startswith("//"), reference
    assert "/docs/assets/swagger-ui-bundle.js" in references
    assert "/docs/assets/swagger-ui.css" in references
    kinds = {"js": "text/javascript", "css": "text/css", "png": "image/png", "json": "json"}
    for reference in references:
        asset = await client.get(reference)
        assert asset.status_code == 200, reference
        assert kinds[reference.rpartition(".")[2]] in asset.headers["content-type"]
    script = (await client.get("/docs/assets/swagger-ui-bundle.js")).text
    assert "SwaggerUIBundle" in script and len(script) > 500_000
    assert (await client.get("/docs/assets/../api/health.py")).status_code == 404
