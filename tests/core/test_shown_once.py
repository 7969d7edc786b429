"""Secrets shown once never reach the database: an Idempotency-Key replay of a POST that returned
one answers the first response without it."""

import json
import os

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from services.core.idempotency import _without
from tests.conftest import TenantFactory, _asyncpg_dsn

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(st.dictionaries(st.text(), _json, max_size=5), st.text(min_size=1), st.text(min_size=1))
def test_a_withheld_field_is_null_and_nothing_else_changes(
    document: dict[str, object], field: str, secret: str
) -> None:
    document = {**document, field: secret}
    stored = json.loads(_without(json.dumps(document).encode(), [field]))
    assert stored == {**document, field: None}


def test_a_response_that_is_not_an_object_is_not_stored() -> None:
    with pytest.raises(RuntimeError):
        _without(b'["scim_secret"]', ["token"])


SCHEMAS = ("platform", "profiles", "matching", "proposals", "progress")


async def _tables_holding(needles: list[str]) -> list[str]:
    """Every table of ours with a row whose text form contains one of `needles`."""
    url = os.environ["DATABASE_URL"]
    connection = await asyncpg.connect(**_asyncpg_dsn(url, make_url(url).database or ""))  # type: ignore[arg-type]
    try:
        tables = await connection.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema = ANY($1::text[]) AND table_type = 'BASE TABLE'",
            list(SCHEMAS),
        )
        found = []
        for schema, table in tables:
            hits = await connection.fetchval(
                f'SELECT count(*) FROM "{schema}"."{table}" AS r '
                "WHERE position($1 in r::text) > 0 OR position($2 in r::text) > 0",
                *needles,
            )
            if hits:
                found.append(f"{schema}.{table}")
        return found
    finally:
        await connection.close()


async def _stored_response(key: str) -> bytes:
    url = os.environ["DATABASE_URL"]
    connection = await asyncpg.connect(**_asyncpg_dsn(url, make_url(url).database or ""))  # type: ignore[arg-type]
    try:
        body: bytes = await connection.fetchval(
            "SELECT response_body FROM platform.idempotency_keys WHERE key = $1", key
        )
        return body
    finally:
        await connection.close()


async def test_replayed_scim_token_is_not_shown_again_nor_stored(
    committing_client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    key = f"scim-token-{tenant.slug}"
    headers = {**await tenant.admin_headers(), "Idempotency-Key": key}

    first = await committing_client.post("/v1/tenant/scim-tokens", headers=headers)
    assert first.status_code == 201
    token = first.json()["token"]
    assert token.startswith("scim_")

    replay = await committing_client.post("/v1/tenant/scim-tokens", headers=headers)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == {**first.json(), "token": None}

    # The stored response is the replayed one, and no table holds the token, in text or bytes.
    assert b'"token":null' in await _stored_response(key)
    assert await _tables_holding([token, token.encode().hex()]) == []

    # One token was made, and it works.
    listed = await committing_client.get("/v1/tenant/scim-tokens", headers=headers)
    assert [t["id"] for t in listed.json()["items"]] == [first.json()["id"]]
    users = await committing_client.get(
        "/scim/v2/Users", headers={"Authorization": f"Bearer {token}"}
    )
    assert users.status_code == 200


async def test_openapi_tells_that_a_replay_omits_the_secret(committing_client) -> None:
    spec = (await committing_client.get("/openapi.json")).json()
    operation = spec["paths"]["/v1/tenant/scim-tokens"]["post"]
    assert "without it" in operation["description"]
