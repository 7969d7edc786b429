"""No input a client can send produces a 500: each way one was found, through the gateway."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text

from api.gateway import Gateway
from services.core.db import database
from services.core.pagination import encode_position
from services.profiles.imports import tasks as import_job
from tests.conftest import TenantFactory, TenantHandle

PROBLEM = "application/problem+json"
ALL_TENANTS = {"all_tenants": True}  # the tests' DDL touches no tenant's rows
BEFORE_UTC_BEGINS = "0001-01-01T00:00:00+14:00"  # a valid Python datetime with no UTC form


def assert_invalid(response: httpx.Response, *loc: str | int) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    if loc:
        assert list(loc) in [error["loc"] for error in response.json()["errors"]], response.text


def cursor(*parts: Any) -> str:
    return encode_position(list(parts))


# --- text PostgreSQL cannot store ----------------------------------------------------------------


async def test_nul_in_any_body_text_is_refused_before_the_database(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    me = await tenant.headers("nul@example.com")
    admin = await tenant.admin_headers()
    assert_invalid(
        await client.put("/v1/profiles/me", json={"bio": "a\u0000b"}, headers=me), "body", "bio"
    )
    nested = {"skills": [{"name": "Go\u0000", "level": 3, "kind": "expertise"}]}
    assert_invalid(
        await client.patch("/v1/profiles/me", json=nested, headers=me),
        *("body", "skills", 0, "name"),
    )
    assert_invalid(
        await client.post("/v1/programs", json={"name": "\u0000"}, headers=admin), "body", "name"
    )
    # A lone surrogate has no UTF-8 form: refused the same way.
    raw = b'{"headline": "\\ud800"}'
    response = await client.patch(
        "/v1/profiles/me", content=raw, headers={**me, "Content-Type": "application/json"}
    )
    assert_invalid(response, "body", "headline")
    assert (await client.get("/v1/profiles/me", headers=me)).json()["bio"] == ""


async def test_nul_in_query_or_path_is_refused_at_the_edge(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    assert_invalid(await client.get("/v1/users?q=a%00", headers=admin), "query")
    assert_invalid(await client.get("/v1/mentors?q=%00", headers=admin), "query")
    assert_invalid(await client.get("/v1/skills?q=py%00", headers=admin), "query")
    scim = await client.post("/v1/tenant/scim-tokens", headers=admin)
    token = {"Authorization": f"Bearer {scim.json()['token']}"}
    assert_invalid(await client.get("/scim/v2/Users/a%00b", headers=token), "path")
    # A NUL hidden in a header we store (the idempotency key) is refused too.
    response = await client.post(
        "/v1/programs", json={"name": "P"}, headers={**admin, "Idempotency-Key": "k\x00"}
    )
    assert_invalid(response, "header", "Idempotency-Key")


# --- strict types --------------------------------------------------------------------------------


async def test_no_is_not_false_and_true_is_not_a_number(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    member = await tenant.headers("kept@example.com")
    user_id = (await client.get("/v1/users/me", headers=member)).json()["id"]

    refused = await client.patch(f"/v1/users/{user_id}", json={"active": "no"}, headers=admin)
    assert_invalid(refused, "body", "active")
    # The account was not deactivated by a guess.
    assert (await client.get("/v1/users/me", headers=member)).status_code == 200
    for field, value in [
        ("min_request_score", True),
        ("evaluation_interval_days", 30.0),
        ("evaluation_interval_days", "30"),
        ("self_enrol", 1),
    ]:
        response = await client.post(
            "/v1/programs", json={"name": "Strict", field: value}, headers=admin
        )
        assert_invalid(response, "body", field)
    assert_invalid(
        await client.put("/v1/profiles/me", json={"mentor": {"capacity": 2.0}}, headers=member),
        *("body", "mentor", "capacity"),
    )

    # What JSON can only write as a string still reads: dates, ids, enum values; and an
    # integer is a fine float.
    created = await client.post(
        "/v1/programs",
        json={"name": "Natural", "starts_on": "2027-01-10", "matching_weights": {"values": 1}},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    enrolled = await client.post(
        f"/v1/programs/{created.json()['id']}/participants",
        json={"user_id": user_id, "role": "mentee"},
        headers=admin,
    )
    assert enrolled.status_code == 201, enrolled.text


# --- cursors -------------------------------------------------------------------------------------


async def test_cursors_with_wrong_contents_are_invalid_cursors(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    row_id = str(uuid.uuid4())
    for bad in [
        cursor(BEFORE_UTC_BEGINS, row_id),  # valid in Python, no PostgreSQL timestamp
        cursor("9999-12-31T23:59:59-14:00", row_id),
        cursor("2026-01-01T00:00:00", row_id),  # no time zone: not ours
        cursor(5, row_id),
        cursor("2026-01-01T00:00:00+00:00", 5),
        cursor("2026-01-01T00:00:00+00:00", [row_id]),
        cursor({"a": 1}),
        cursor(),
    ]:
        for path in ("/v1/users", "/v1/programs", "/v1/admin/imports"):
            response = await client.get(f"{path}?cursor={bad}", headers=admin)
            assert_invalid(response, "query", "cursor")
    for path, bad in [
        ("/v1/mentors?q=go", cursor("q", "high", row_id)),
        ("/v1/mentors?q=go", cursor("q", [1], row_id)),
        ("/v1/mentors?q=go", cursor("q", True, row_id)),
        ("/v1/mentors?q=go", cursor("q", 0.5, 7)),
        ("/v1/mentors", cursor("new", 5, row_id)),
        ("/v1/mentors", cursor("new", BEFORE_UTC_BEGINS, row_id)),
        ("/v1/mentors", cursor("new", "2026-01-01T00:00:00+00:00", None)),
        ("/v1/mentors", cursor("q", 0.5, row_id)),  # the other ordering's cursor
    ]:
        separator = "&" if "?" in path else "?"
        response = await client.get(f"{path}{separator}cursor={bad}", headers=admin)
        assert_invalid(response, "query", "cursor")


async def test_a_skill_that_is_empty_once_cleaned_is_invalid(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    reader = await tenant.headers("reader@example.com")
    for blank in ("%20", "%E2%80%8B", ""):
        assert_invalid(await client.get(f"/v1/mentors?skill={blank}", headers=reader))
    assert (await client.get("/v1/mentors?skill=go", headers=reader)).status_code == 200


# --- SCIM ----------------------------------------------------------------------------------------


async def _scim_token(client: httpx.AsyncClient, tenant: TenantHandle) -> dict[str, str]:
    created = await client.post("/v1/tenant/scim-tokens", headers=await tenant.admin_headers())
    return {"Authorization": f"Bearer {created.json()['token']}"}


async def test_scim_start_index_past_int64_is_an_empty_page(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    token = await _scim_token(client, await make_tenant())
    response = await client.get(f"/scim/v2/Users?startIndex={2**64}", headers=token)
    assert response.status_code == 200, response.text
    assert response.json().get("Resources", []) == []
    assert response.json()["totalResults"] >= 1
    groups = await client.get(f"/scim/v2/Groups?startIndex={2**70}&count=5", headers=token)
    assert groups.status_code == 200, groups.text


async def test_scim_filter_dates_out_of_range_are_invalid_filters(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    token = await _scim_token(client, await make_tenant())
    for attribute in ("meta.lastModified", "meta.created"):
        response = await client.get(
            "/scim/v2/Users",
            params={"filter": f'{attribute} gt "{BEFORE_UTC_BEGINS}"'},
            headers=token,
        )
        assert response.status_code == 400, response.text
        assert response.json()["scimType"] == "invalidFilter"
    groups = await client.post(
        "/scim/v2/Groups/.search",
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'meta.lastModified lt "9999-12-31T23:59:59-14:00"',
        },
        headers=token,
    )
    assert groups.status_code == 400, groups.text
    # A date without an offset is read as UTC rather than handed to the driver as is.
    naive = await client.get(
        "/scim/v2/Users", params={"filter": 'meta.created gt "2000-01-01T00:00:00"'}, headers=token
    )
    assert naive.status_code == 200, naive.text
    assert naive.json()["totalResults"] >= 1


# --- imports -------------------------------------------------------------------------------------


async def test_a_hostile_import_row_is_a_row_error_and_the_good_rows_import(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    good = json.dumps({"email": "good@example.com", "display_name": "Good"}).encode()
    deep = b'{"email": "deep@example.com", "profile": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    huge = b'{"email": "huge@example.com", "profile": {"years_experience": ' + b"9" * 5000 + b"}}"
    also = json.dumps({"email": "also@example.com", "profile": {"years_experience": 3}}).encode()
    body = b"\n".join([good, deep, huge, also])
    accepted = await client.post(
        "/v1/admin/imports", content=body, headers={**admin, "Content-Type": "application/x-ndjson"}
    )
    assert accepted.status_code == 202, accepted.text
    await import_job.run_import({}, accepted.json()["id"])
    report = (await client.get(f"/v1/admin/imports/{accepted.json()['id']}", headers=admin)).json()
    assert report["status"] == "succeeded", report
    assert (report["created"], report["failed"]) == (2, 2)
    errors = {error["row"]: error["message"] for error in report["errors"]}
    assert "nested" in errors[2]
    assert "number" in errors[3]


async def test_a_csv_body_that_is_no_csv_is_a_422(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    admin = await (await make_tenant()).admin_headers()
    for body in (b'"', b'"email', b'email,"x"y\n'):
        response = await client.post(
            "/v1/admin/imports", content=body, headers={**admin, "Content-Type": "text/csv"}
        )
        assert_invalid(response, "body")
        assert "CSV" in response.json()["detail"]


# --- the database refusing at commit, and the last resort ---------------------------------------

# A real rule of the database, checked only when the transaction commits: a deferred constraint
# trigger raising the SQLSTATE named in the program's name.
_COMMIT_FAULT = (
    """
    CREATE FUNCTION profiles.hostile_commit_fault() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.name LIKE 'commit fault %' THEN
            RAISE EXCEPTION 'refused at commit' USING ERRCODE = split_part(NEW.name, ' ', 3);
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE CONSTRAINT TRIGGER hostile_commit_fault AFTER INSERT ON profiles.programs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION profiles.hostile_commit_fault()
    """,
)
_NO_COMMIT_FAULT = (
    "DROP TRIGGER IF EXISTS hostile_commit_fault ON profiles.programs",
    "DROP FUNCTION IF EXISTS profiles.hostile_commit_fault()",
)


async def _run(statements: tuple[str, ...]) -> None:
    async with database.engine.begin() as connection:
        for statement in statements:
            # DDL, on no tenant's rows
            await connection.execute(text(statement), execution_options=ALL_TENANTS)


@pytest.fixture
async def commit_fault() -> AsyncIterator[None]:
    await _run(_COMMIT_FAULT)
    try:
        yield
    finally:
        await _run(_NO_COMMIT_FAULT)


async def test_integrity_and_data_errors_at_commit_are_409_and_422(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory, commit_fault: None
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    conflict = await committing_client.post(
        "/v1/programs", json={"name": "commit fault 23505"}, headers=admin
    )
    assert conflict.status_code == 409, conflict.text
    assert conflict.headers["content-type"] == PROBLEM
    out_of_range = await committing_client.post(
        "/v1/programs", json={"name": "commit fault 22003"}, headers=admin
    )
    assert out_of_range.status_code == 422, out_of_range.text
    assert out_of_range.headers["content-type"] == PROBLEM
    names = [
        p["name"]
        for p in (await committing_client.get("/v1/programs", headers=admin)).json()["items"]
    ]
    assert not any(name.startswith("commit fault") for name in names)


async def test_a_data_error_inside_a_route_is_a_422(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    async with database.transaction() as session:  # rolled back with the test
        await session.execute(
            text(
                "CREATE FUNCTION profiles.hostile_refuse() RETURNS trigger LANGUAGE plpgsql AS $$"
                " BEGIN RAISE EXCEPTION 'too long' USING ERRCODE = '22001'; END $$"
            ),
            execution_options=ALL_TENANTS,
        )
        await session.execute(
            text(
                "CREATE TRIGGER hostile_refuse BEFORE INSERT ON profiles.programs"
                " FOR EACH ROW EXECUTE FUNCTION profiles.hostile_refuse()"
            ),
            execution_options=ALL_TENANTS,
        )
    response = await client.post(
        "/v1/programs", json={"name": "Refused"}, headers=await tenant.admin_headers()
    )
    assert_invalid(response)
    assert "refused" not in response.text and "22001" not in response.text


async def test_a_500_keeps_the_connection_alive(
    gateway: Gateway, make_tenant: TenantFactory, commit_fault: None
) -> None:
    """A failure of ours at commit (a rule that is no client's doing) is a 500; the server
    answers it and keeps the client's keep-alive connection open."""
    server = uvicorn.Server(
        uvicorn.Config(gateway, host="127.0.0.1", port=0, lifespan="off", log_level="critical")
    )
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        tenant = await make_tenant()
        admin = await tenant.admin_headers()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            failed = await http.post(
                "/v1/programs", json={"name": "commit fault P0001"}, headers=admin
            )
            assert failed.status_code == 500
            assert failed.headers["content-type"] == PROBLEM
            assert "refused at commit" not in failed.text
            first = failed.extensions["network_stream"].get_extra_info("client_addr")
            after = await http.get("/v1/programs", headers=admin)
            assert after.status_code == 200
            assert after.extensions["network_stream"].get_extra_info("client_addr") == first
    finally:
        server.should_exit = True
        await serving
