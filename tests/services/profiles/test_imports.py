"""Bulk imports: an admin brings people from an HR export, and gets a report per row."""

import asyncio
import csv
import io
import json
import os
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func as sql_func
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError

from services.core.db import database
from services.core.outbox import OutboxEvent
from services.core.queue import Lane, Queue
from services.profiles.imports import IMPORT_JOB, import_job_id, repository, service
from services.profiles.imports import tasks as job
from services.profiles.imports.formats import (
    COLUMNS,
    CsvFile,
    JsonLinesFile,
    csv_cells,
    format_skills,
    parse_skills,
)
from services.profiles.imports.models import Import
from services.profiles.imports.people import Person, PersonRow, check_all, profile_write
from services.profiles.profiles.models import Profile
from services.profiles.profiles.rules import derive
from services.profiles.profiles.schemas import ProfileFields
from services.profiles.profiles.service import profile_columns
from services.profiles.users.models import User
from tests.conftest import TenantFactory, TenantHandle, burst_worker
from workers.main import FUNCTIONS, LANES

ROOT = Path(__file__).resolve().parents[3]
JSONL = {"Content-Type": "application/x-ndjson"}
CSV = {"Content-Type": "text/csv"}

ADA = {
    "email": "Ada@Example.com",
    "display_name": "Ada Lovelace",
    "roles": ["Mentor"],
    "profile": {
        "headline": "Staff engineer, distributed systems",
        "bio": "Payments at scale; I coach engineers into system design.",
        "timezone": "Europe/Berlin",
        "languages": ["en", "de"],
        "skills": [
            {"name": "python3", "level": 5, "kind": "expertise"},
            {"name": "Kubernetes", "level": 4, "kind": "expertise"},
        ],
        "mentor": {"capacity": 2, "accepting_requests": True},
    },
}
BEN = {
    "email": "ben@example.com",
    "display_name": "Ben",
    "roles": ["mentee"],
    "profile": {
        "headline": "Junior developer",
        "skills": [{"name": "Quantum basket weaving", "level": 1, "kind": "wants_to_learn"}],
        "mentee": {"goals": [{"title": "Ship a service"}]},
    },
}
CHLOE = {
    "email": "chloe@example.com",
    "display_name": "Chloe",
    "roles": ["mentor", "mentee"],
    "profile": {
        "headline": "Backend engineer",
        "languages": ["fr"],
        "skills": [
            {"name": "Go", "level": 4, "kind": "expertise"},
            {"name": "Acme deploy robot", "level": 3, "kind": "expertise"},
        ],
        "mentor": {"capacity": 1},
    },
}


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record)


def _with(record: dict[str, Any], **profile: Any) -> dict[str, Any]:
    return {**record, "profile": {**record["profile"], **profile}}


# Line numbers are row numbers: the blank line 2 is skipped but counted.
MIXED_JSONL = "\n".join(
    [
        _line(ADA),  # 1
        "",  # 2
        _line({**BEN, "email": "not-an-email"}),  # 3
        _line({**_with(BEN, timezone="Mars/Olympus"), "email": "tz@example.com"}),  # 4
        _line({**BEN, "email": "owner@example.com", "roles": ["owner"]}),  # 5
        _line(
            _with(CHLOE, skills=[{"name": "Go", "level": 9, "kind": "expertise"}])
            | {"email": "nine@example.com"}
        ),  # 6
        '{"email": "broken@example.com", "profile": {',  # 7
        _line(BEN),  # 8
        _line(CHLOE),  # 9
    ]
).encode()


async def _post(
    client: httpx.AsyncClient, headers: dict[str, str], body: bytes, kind: dict[str, str]
) -> httpx.Response:
    return await client.post("/v1/admin/imports", content=body, headers={**headers, **kind})


async def _import(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    body: bytes,
    kind: dict[str, str] = JSONL,
    **options: Any,
) -> dict[str, Any]:
    accepted = await _post(client, headers, body, kind)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["status"] == "queued"
    assert accepted.headers["location"] == f"/v1/admin/imports/{accepted.json()['id']}"
    await job.run_import({}, accepted.json()["id"], **options)
    report = await client.get(f"/v1/admin/imports/{accepted.json()['id']}", headers=headers)
    assert report.status_code == 200, report.text
    return dict(report.json())


def _errors(report: dict[str, Any]) -> dict[int, tuple[str | None, str]]:
    return {e["row"]: (e["field"], e["message"]) for e in report["errors"]}


async def _mentor_names(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list:
    response = await client.get("/v1/mentors", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return sorted(item["display_name"] for item in response.json()["items"])


async def _user_count(tenant: TenantHandle) -> int:
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        return int(
            await session.scalar(
                select(sql_func.count()).select_from(User).where(User.tenant_id == tenant.id)
            )
            or 0
        )


# --- through the API ---------------------------------------------------------------------------


async def test_jsonl_import_reports_each_bad_row_and_imports_the_rest(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    report = await _import(client, admin, MIXED_JSONL)

    assert report["status"] == "succeeded"
    assert report["format"] == "jsonl"
    assert (report["total"], report["done"]) == (8, 8)
    assert (report["created"], report["updated"], report["failed"]) == (3, 0, 5)
    assert report["finished_at"] is not None
    errors = _errors(report)
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert errors[3] == ("email", "not an email address")
    assert errors[4][0] == "profile.timezone" and "IANA" in errors[4][1]
    assert errors[5][0] == "roles[0]" and "'mentor'" in errors[5][1]
    assert errors[6][0] == "profile.skills[0].level" and "5" in errors[6][1]
    assert errors[7][0] is None and errors[7][1].startswith("not valid JSON")
    assert report["errors_omitted"] == 0

    # The good rows are people now, found by search like anyone who filled in a profile.
    reader = await tenant.headers("reader@example.com")
    assert await _mentor_names(client, reader, skill="py") == ["Ada Lovelace"]
    assert await _mentor_names(client, reader, skill="golang", language="fr") == ["Chloe"]
    assert await _mentor_names(client, reader, q="payments") == ["Ada Lovelace"]
    assert "Ben" not in await _mentor_names(client, reader)  # a mentee is not listed
    # Skills the vocabulary does not know join the organisation's own.
    suggested = await client.get("/v1/skills", params={"q": "acme"}, headers=reader)
    assert [s["name"] for s in suggested.json()["items"]] == ["Acme deploy robot"]
    users = await client.get("/v1/users", params={"q": "ada@"}, headers=admin)
    [ada] = users.json()["items"]
    assert (ada["email"], ada["roles"]) == ("ada@example.com", ["mentor"])
    profile = await client.get(f"/v1/profiles/{ada['id']}", headers=reader)
    assert profile.headers["etag"] == '"1"'
    assert {s["name"] for s in profile.json()["skills"]} == {"Python", "Kubernetes"}


async def test_running_the_same_file_again_creates_nobody(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    await _import(client, admin, MIXED_JSONL)
    reader = await tenant.headers("reader@example.com")
    people = await _user_count(tenant)
    ada_id = (await client.get("/v1/users", params={"q": "ada@"}, headers=admin)).json()["items"]
    ada_url = f"/v1/profiles/{ada_id[0]['id']}"

    again = await _import(client, admin, MIXED_JSONL)
    assert (again["created"], again["updated"], again["failed"]) == (0, 3, 5)
    assert await _user_count(tenant) == people
    # Nothing changed, so the profile keeps its version and a client's ETag stays good.
    assert (await client.get(ada_url, headers=reader)).headers["etag"] == '"1"'

    changed = _with(ADA, headline="Principal engineer") | {"display_name": "Ada L."}
    third = await _import(client, admin, _line(changed).encode())
    assert (third["created"], third["updated"]) == (0, 1)
    after = await client.get(ada_url, headers=reader)
    assert after.headers["etag"] == '"2"'
    assert (after.json()["headline"], after.json()["display_name"]) == (
        "Principal engineer",
        "Ada L.",
    )


async def test_csv_import_counts_rows_as_a_spreadsheet_does(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    body = (
        b"Email,display_name,roles,headline,languages,skills,mentor_capacity,accepting_requests\n"
        b'dana@example.com,Dana,mentor,"Data lead, analytics",en;es,SQL:5:expertise;R:4,3,yes\n'
        b"short@example.com,Short,mentor,Too short\n"
        b"nine@example.com,Nine,mentor,Levels,en,SQL:9:expertise,1,true\n"
        b"maybe@example.com,Maybe,mentor,Undecided,en,SQL:3,1,maybe\n"
        b",,,,,,,\n"
        b"eli@example.com,Eli,mentee,Learner,en,SQL:1:wants_to_learn,,\n"
    )
    report = await _import(client, admin, body, CSV)

    assert (report["total"], report["created"], report["failed"]) == (5, 2, 3)
    errors = _errors(report)
    assert errors[3] == (
        "languages",
        "missing cell: the row has 4 of the header's 8 columns",
    )
    assert errors[4][0] == "skills" and errors[4][1].startswith("item 1, level: ")
    assert errors[5][0] == "accepting_requests"
    reader = await tenant.headers("reader@example.com")
    assert await _mentor_names(client, reader, skill="sql", language="es") == ["Dana"]
    dana = (await client.get("/v1/users", params={"q": "dana"}, headers=admin)).json()["items"]
    profile = (await client.get(f"/v1/profiles/{dana[0]['id']}", headers=reader)).json()
    assert profile["headline"] == "Data lead, analytics"
    assert profile["mentor"]["capacity"] == 3
    assert {(s["name"], s["level"], s["kind"]) for s in profile["skills"]} == {
        ("SQL", 5, "expertise"),
        ("R", 4, "expertise"),
    }


async def test_csv_without_profile_columns_leaves_profiles_alone(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    await _import(client, admin, _line(ADA).encode())
    roster = b"email,roles\nada@example.com,mentee\n" + b"new@example.com,\n"
    report = await _import(client, admin, roster, CSV)
    assert (report["created"], report["updated"]) == (1, 1)
    users = (await client.get("/v1/users", params={"limit": 100}, headers=admin)).json()["items"]
    by_email = {u["email"]: u for u in users}
    assert by_email["ada@example.com"]["roles"] == ["mentee"]
    assert by_email["new@example.com"]["roles"] == ["mentee"]  # the default for newcomers
    assert by_email["new@example.com"]["display_name"] == "New"
    reader = await tenant.headers("reader@example.com")
    ada = await client.get(f"/v1/profiles/{by_email['ada@example.com']['id']}", headers=reader)
    assert ada.json()["headline"] == ADA["profile"]["headline"]
    # An admin stays an admin whatever the HR file says.
    demote = b"email,roles\n" + f"{tenant.admin_email},mentee\n".encode()
    await _import(client, admin, demote, CSV)
    me = await client.get("/v1/users/me", headers=admin)
    assert me.json()["roles"] == ["admin", "mentee"]


async def test_files_that_cannot_be_imported_are_refused(
    client: httpx.AsyncClient, make_tenant: TenantFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    as_json = await _post(client, admin, _line(ADA).encode(), {"Content-Type": "application/json"})
    assert as_json.status_code == 415
    assert as_json.headers["content-type"] == "application/problem+json"
    latin1 = await _post(client, admin, b"email\n", {"Content-Type": "text/csv; charset=latin-1"})
    assert latin1.status_code == 415
    for body, kind, words in (
        (b"", JSONL, "empty"),
        (b"\n  \n", JSONL, "empty"),
        (b"email,favourite_colour\na@example.com,blue\n", CSV, "favourite_colour"),
        (b"display_name\nAda\n", CSV, "no email column"),
        (b"email\n\n", CSV, "no rows"),
        ('{"email": "zoë@example.com"}'.encode("latin-1"), JSONL, "not UTF-8"),
    ):
        refused = await _post(client, admin, body, kind)
        assert refused.status_code == 422, (body, refused.text)
        assert words in refused.json()["detail"], refused.json()
    monkeypatch.setattr(service, "MAX_IMPORT_BYTES", 100)
    too_big = await _post(client, admin, _line(ADA).encode(), JSONL)
    assert too_big.status_code == 413
    assert "Split it" in too_big.json()["detail"]
    listed = await client.get("/v1/admin/imports", headers=admin)
    assert listed.json()["items"] == []  # nothing refused was kept


async def test_only_admins_and_only_their_tenant(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    ours, theirs = await make_tenant(), await make_tenant()
    mentor = await ours.headers("mentor@example.com", ["mentor"])
    refused = await _post(client, mentor, _line(ADA).encode(), JSONL)
    assert refused.status_code == 403
    accepted = await _post(client, await ours.admin_headers(), _line(ADA).encode(), JSONL)
    url = f"/v1/admin/imports/{accepted.json()['id']}"
    assert (await client.get(url, headers=mentor)).status_code == 403
    other_admin = await theirs.admin_headers()
    assert (await client.get(url, headers=other_admin)).status_code == 404
    assert (await client.get("/v1/admin/imports", headers=other_admin)).json()["items"] == []
    assert (
        await client.get(f"/v1/admin/imports/{uuid.uuid4()}", headers=other_admin)
    ).status_code == 404
    assert (await client.get(url, headers=await ours.admin_headers())).status_code == 200


async def test_imports_are_listed_newest_first(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    ids = [(await _post(client, admin, _line(p).encode(), JSONL)).json()["id"] for p in (ADA, BEN)]
    first = await client.get("/v1/admin/imports", params={"limit": 1}, headers=admin)
    second = await client.get(
        "/v1/admin/imports",
        params={"limit": 1, "cursor": first.json()["next_cursor"]},
        headers=admin,
    )
    assert [first.json()["items"][0]["id"], second.json()["items"][0]["id"]] == ids[::-1]
    assert second.json()["items"][0]["status"] == "queued"
    assert "errors" not in second.json()["items"][0]


async def test_many_bad_rows_are_counted_and_the_first_listed(
    client: httpx.AsyncClient, make_tenant: TenantFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "MAX_LISTED_ROWS", 3)
    tenant = await make_tenant()
    rows = [_line({**BEN, "email": f"bad{i}"}) for i in range(7)] + [_line(BEN)]
    # Small batches: the cap holds across batches, not only within one.
    report = await _import(
        client, await tenant.admin_headers(), "\n".join(rows).encode(), batch_size=2
    )
    assert (report["failed"], report["created"], report["errors_omitted"]) == (7, 1, 4)
    assert [e["row"] for e in report["errors"]] == [1, 2, 3]


async def test_a_row_holding_nul_is_a_row_error_at_its_field(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    nul = _with(CHLOE, bio="before\u0000after")  # valid JSON, but PostgreSQL stores no NUL
    body = "\n".join([_line(ADA), _line(nul), _line(BEN)]).encode()
    report = await _import(client, await tenant.admin_headers(), body)
    assert (report["created"], report["failed"]) == (2, 1)
    field, message = _errors(report)[2]
    assert field == "profile.bio" and "cannot be stored" in message


async def test_a_row_the_database_refuses_does_not_stop_the_others(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    # A rule of the database the checks know nothing of (rolled back with the test).
    async with database.transaction() as session:
        await session.execute(
            text(
                "CREATE FUNCTION profiles.refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$"
                " BEGIN IF NEW.email = 'refused@example.com' THEN"
                " RAISE EXCEPTION 'refused' USING ERRCODE = '22023'; END IF; RETURN NEW; END $$"
            ),
            execution_options={"all_tenants": True},  # DDL, on no tenant's rows
        )
        await session.execute(
            text(
                "CREATE TRIGGER refuse_one BEFORE INSERT ON profiles.users"
                " FOR EACH ROW EXECUTE FUNCTION profiles.refuse_one()"
            ),
            execution_options={"all_tenants": True},
        )
    refused = {**CHLOE, "email": "refused@example.com"}
    body = "\n".join([_line(ADA), _line(refused), _line(BEN)]).encode()
    report = await _import(client, await tenant.admin_headers(), body)
    assert (report["created"], report["failed"]) == (2, 1)
    assert _errors(report) == {2: (None, service.ROW_REFUSED)}


async def test_a_crashed_run_continues_where_it_stopped(
    client: httpx.AsyncClient, make_tenant: TenantFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    rows = [_line({**BEN, "email": f"p{i}@example.com"}) for i in range(5)]
    accepted = await _post(client, admin, "\n".join(rows).encode(), JSONL)
    import_id = accepted.json()["id"]
    real_apply = service.apply_batch
    calls = 0

    async def crash_on_second_batch(*args: Any, **kwargs: Any) -> service.BatchResult:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OperationalError("INSERT", {}, ConnectionResetError("server closed"))
        return await real_apply(*args, **kwargs)

    monkeypatch.setattr(service, "apply_batch", crash_on_second_batch)
    with pytest.raises(OperationalError):
        await job.run_import({}, import_id, batch_size=2)
    midway = (await client.get(f"/v1/admin/imports/{import_id}", headers=admin)).json()
    assert (midway["status"], midway["done"], midway["created"]) == ("running", 2, 2)

    monkeypatch.setattr(service, "apply_batch", real_apply)
    await job.run_import({}, import_id, batch_size=2)
    done = (await client.get(f"/v1/admin/imports/{import_id}", headers=admin)).json()
    assert (done["status"], done["done"], done["created"], done["updated"]) == (
        "succeeded",
        5,
        5,
        0,
    )
    assert await _user_count(tenant) == 6  # the admin and five, nobody twice
    # Once finished, another delivery of the job does nothing.
    assert (await job.run_import({}, import_id))["ran"] is False


async def test_a_stale_run_cannot_write_over_a_newer_one(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    accepted = await _post(client, await tenant.admin_headers(), _line(ADA).encode(), JSONL)
    import_id = uuid.UUID(accepted.json()["id"])
    async with database.transaction(tenant_id=tenant.id) as session:
        run = await service.start_run(session, import_id)
    assert run is not None
    file = JsonLinesFile(run.source)
    outcomes = check_all(file.parser, list(file.rows()))
    async with database.transaction(tenant_id=tenant.id) as session:
        assert (await service.apply_batch(session, run, 0, outcomes)).applied
    async with database.transaction(
        tenant_id=tenant.id
    ) as session:  # a second delivery, a step behind
        assert not (await service.apply_batch(session, run, 0, outcomes)).applied
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        record = await session.get(Import, import_id)
        assert record is not None and (record.done, record.created) == (1, 1)


async def test_imports_announce_every_person_as_the_api_does(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    report = await _import(client, await tenant.admin_headers(), MIXED_JSONL, batch_size=4)
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        events = list(
            await session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.tenant_id == tenant.id)
                .order_by(OutboxEvent.seq)
            )
        )
    imported = [e.payload for e in events if e.event_type == service.IMPORTED_EVENT]
    assert [p["rows"] for p in imported] == [[1, 5], [6, 9]]  # line 2 is blank
    assert sum(p["users_created"] for p in imported) == 3
    created = [e.payload["email"] for e in events if e.event_type == "user.created"]
    assert "admin@" in created[0]  # the tenant's admin, made with the tenant
    assert created[1:] == ["ada@example.com", "ben@example.com", "chloe@example.com"]
    profiles = [e.payload for e in events if e.event_type == "profile.updated"]
    assert len(profiles) == 3
    assert {p["version"] for p in profiles} == {1}
    assert "skills" in profiles[0]["fields"]
    assert all(e.request_id is None or isinstance(e.request_id, str) for e in events)
    assert events[-1].event_type == "import.completed"
    assert events[-1].payload["created"] == report["created"] == 3


async def test_large_files_are_checked_in_other_processes_with_the_same_result(
    client: httpx.AsyncClient, make_tenant: TenantFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(job, "PARALLEL_FROM_ROWS", 0)
    tenant = await make_tenant()
    report = await _import(client, await tenant.admin_headers(), MIXED_JSONL, batch_size=3)
    assert (report["status"], report["created"], report["failed"]) == ("succeeded", 3, 5)
    assert sorted(_errors(report)) == [3, 4, 5, 6, 7]


async def test_someone_keeping_their_roles_gets_their_profile_scored_for_them(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    dana = {
        "email": "dana@example.com",
        "roles": ["mentor"],
        "profile": {
            "headline": "Data lead",
            "skills": [{"name": "SQL", "level": 5, "kind": "expertise"}],
        },
    }
    await _import(client, admin, _line(dana).encode())
    # No roles in the file: Dana stays a mentor, and completeness is a mentor's, not a mentee's.
    again = {"email": "dana@example.com", "profile": {**dana["profile"], "bio": "Warehouses."}}
    await _import(client, admin, _line(again).encode())
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        stored = (
            await session.execute(
                select(User.roles, Profile.completeness, Profile.bio)
                .join(Profile, Profile.user_id == User.id)
                .where(User.tenant_id == tenant.id, User.email == "dana@example.com")
            )
        ).one()
    fields = ProfileFields.model_validate(again["profile"])
    assert (stored.roles, stored.bio) == (["mentor"], "Warehouses.")
    assert stored.completeness == derive(fields, ["mentor"]).completeness
    assert stored.completeness != derive(fields, ["mentee"]).completeness


async def test_an_unreadable_stored_file_fails_the_import_and_says_why(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    accepted = await _post(client, admin, _line(ADA).encode(), JSONL)
    import_id = uuid.UUID(accepted.json()["id"])
    async with database.transaction(tenant_id=tenant.id) as session:
        await session.execute(update(Import).where(Import.id == import_id).values(source=b"\xff"))
    await job.run_import({}, str(import_id))
    report = (await client.get(f"/v1/admin/imports/{import_id}", headers=admin)).json()
    assert report["status"] == "failed"
    [problem] = report["errors"]
    assert problem["row"] is None and "UTF-8" in problem["message"]
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        assert await session.scalar(select(Import.source).where(Import.id == import_id)) is None


# --- the worker --------------------------------------------------------------------------------


async def test_burst_worker_runs_a_queued_import(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    accepted = await _post(committing_client, admin, MIXED_JSONL, JSONL)
    assert accepted.status_code == 202
    worker = burst_worker()
    try:
        await worker.main()
    finally:
        await worker.close()
    report = await committing_client.get(
        f"/v1/admin/imports/{accepted.json()['id']}", headers=admin
    )
    assert (report.json()["status"], report.json()["created"]) == ("succeeded", 3)
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        source = await session.scalar(
            select(Import.source).where(Import.id == uuid.UUID(accepted.json()["id"]))
        )
    assert source is None  # the file with personal data is gone once imported


async def _queued_job_ids() -> set[str | None]:
    queue = Queue()
    try:
        return set(await queue.queued_job_ids(Lane.INTERACTIVE))
    finally:
        await queue.close()


async def test_sweeper_queues_an_import_whose_wake_up_was_lost(
    make_tenant: TenantFactory,
) -> None:
    tenant = await make_tenant()
    async with database.transaction(tenant_id=tenant.id) as session:
        record = await service.create_import(
            session,
            tenant_id=tenant.id,
            created_by=uuid.uuid4(),
            source=_line(ADA).encode(),
            content_type="application/x-ndjson",
            enqueue=False,  # as if Redis had been down when the import was accepted
        )
    await job.sweep_imports({})
    # Just accepted: its own wake-up may still be on the way, so it is left alone.
    assert import_job_id(record.id) not in await _queued_job_ids()
    async with database.transaction(tenant_id=tenant.id) as session:
        await session.execute(
            update(Import)
            .where(Import.id == record.id)
            .values(updated_at=Import.updated_at - timedelta(minutes=2))
        )
    assert await job.sweep_imports({}) >= 1
    assert import_job_id(record.id) in await _queued_job_ids()
    worker = burst_worker()
    try:
        await worker.main()
    finally:
        await worker.close()
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        status = await session.scalar(select(Import.status).where(Import.id == record.id))
    assert status == "succeeded"


# --- the command line -------------------------------------------------------------------------

CLI = [sys.executable, "-m", "deploy.cli", "import"]


async def _cli(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *CLI,
        *args,
        cwd=ROOT,
        env=dict(os.environ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _finished(process: asyncio.subprocess.Process) -> tuple[int, str, str]:
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_cli_imports_a_file_here_and_reports_the_rows_it_could_not(
    make_tenant: TenantFactory, tmp_path: Path
) -> None:
    tenant = await make_tenant()
    people = tmp_path / "people.jsonl"
    people.write_bytes(MIXED_JSONL)
    code, out, err = await _finished(await _cli(str(people), "--tenant", tenant.slug))
    assert code == 2, (out, err)  # imported, but not every row
    assert "succeeded; 8 rows: 3 created, 0 updated, 5 failed" in out
    assert "not an email address" in out
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        record = await session.scalar(select(Import).where(Import.tenant_id == tenant.id))
        assert record is not None and record.created_by is not None
        creator = await session.get(User, record.created_by)
    assert creator is not None and creator.email == tenant.admin_email

    again = await _finished(await _cli(str(people), "--tenant", tenant.slug))
    assert "0 created, 3 updated, 5 failed" in again[1]
    refused = tmp_path / "people.csv"
    refused.write_text("email,shoe_size\nada@example.com,38\n")
    code, out, err = await _finished(await _cli(str(refused), "--tenant", tenant.slug))
    assert code == 1 and "unknown columns: shoe_size" in err


async def test_cli_can_leave_the_rows_to_the_worker(
    make_tenant: TenantFactory, tmp_path: Path
) -> None:
    tenant = await make_tenant()
    people = tmp_path / "people.csv"
    people.write_text("email,display_name,roles\nzoe@example.com,Zoe,mentor\n")
    process = await _cli(str(people), "--tenant", tenant.slug, "--use-worker")
    queue = Queue()
    try:
        for _ in range(200):  # until the command has queued the job
            jobs = await queue.queued_job_ids(Lane.INTERACTIVE)
            if any(job_id.startswith("import:") for job_id in jobs):
                break
            await asyncio.sleep(0.05)
    finally:
        await queue.close()
    worker = burst_worker()
    try:
        await worker.main()
    finally:
        await worker.close()
    code, out, err = await _finished(process)
    assert code == 0, (out, err)
    assert "succeeded; 1 rows: 1 created" in out


def test_wired_into_app_andburst_worker() -> None:
    """The gateway routes imports, the worker runs and sweeps them, the CLI offers them."""
    from deploy.cli import app as cli
    from services.profiles.app import create_app

    paths = set(create_app(standalone=False).openapi()["paths"])
    assert {"/v1/admin/imports", "/v1/admin/imports/{import_id}"} <= paths
    jobs = {f.name: f for f in FUNCTIONS}
    assert IMPORT_JOB in jobs
    assert (jobs[IMPORT_JOB].timeout_s or 0) >= job.JOB_TIMEOUT_SECONDS
    # Someone waits for an import to start: its sweeper is on the interactive lane.
    assert "profiles.sweep_imports" in {c.name for c in LANES[Lane.INTERACTIVE].cron_jobs}
    assert "import" in {c.name for c in cli.registered_commands}


# --- pure parts --------------------------------------------------------------------------------


def test_every_profile_column_is_written() -> None:
    fields = ProfileFields.model_validate(ADA["profile"])
    derived = derive(fields, ["mentor"])
    assert set(profile_columns(fields, derived)) == set(repository.PROFILE_COLUMNS)


def _people(outcomes: list[Any]) -> list[Person]:
    return [o for o in outcomes if isinstance(o, Person)]


lines = st.lists(
    st.sampled_from(["good", "blank", "bad_json", "bad_email", "array"]), min_size=1, max_size=30
)


@given(lines)
@settings(max_examples=60, deadline=None)
def test_every_counted_row_has_one_outcome_at_its_line(kinds: list[str]) -> None:
    text = {
        "good": _line(BEN),
        "blank": "   ",
        "bad_json": "{nope",
        "bad_email": _line({**BEN, "email": "nobody"}),
        "array": "[1, 2]",
    }
    file = JsonLinesFile("\r\n".join(text[k] for k in kinds).encode())
    rows = list(file.rows())
    outcomes = check_all(file.parser, rows)
    assert [row for row, _ in rows] == [n for n, k in enumerate(kinds, 1) if k != "blank"]
    assert len(outcomes) == len(rows)
    rows_seen = [o.row if isinstance(o, Person) else o[0].row for o in outcomes]
    assert rows_seen == [row for row, _ in rows]
    assert len(_people(outcomes)) == kinds.count("good")
    assert all(
        isinstance(o, Person) == (kinds[row - 1] == "good")
        for o, row in zip(outcomes, rows_seen, strict=True)
    )


# ";" separates skills; around a ":" spaces are not kept (they are in the cell's layout).
skill_names = st.text(
    alphabet=st.characters(blacklist_characters=";", blacklist_categories=("Cs", "Cc")),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() and all(part.strip() == part for part in s.split(":")))
skills = st.lists(
    st.fixed_dictionaries(
        {
            "name": skill_names,
            "level": st.integers(1, 5),
            "kind": st.sampled_from(["expertise", "wants_to_learn"]),
        }
    ),
    max_size=6,
)


@given(skills)
@settings(max_examples=150, deadline=None)
def test_skills_cell_round_trips(entries: list[dict[str, Any]]) -> None:
    parsed = parse_skills(format_skills(entries))
    assert [(s["name"], int(s["level"]), s["kind"]) for s in parsed] == [
        (s["name"], s["level"], s["kind"]) for s in entries
    ]


profiles = st.fixed_dictionaries(
    {
        "headline": st.text(
            alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
        )
        .map(str.strip)
        .filter(bool),
        "languages": st.lists(st.sampled_from(["en", "de", "pt-BR", "fr"]), unique=True),
        "skills": st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.sampled_from(["Python", "Go", "SQL", "Public speaking"]),
                    "level": st.integers(1, 5),
                    "kind": st.sampled_from(["expertise", "wants_to_learn"]),
                }
            ),
            max_size=4,
        ),
        "mentor": st.none()
        | st.fixed_dictionaries(
            {"capacity": st.integers(0, 50), "accepting_requests": st.booleans()}
        ),
        "availability": st.fixed_dictionaries(
            {
                "weekly": st.lists(
                    st.fixed_dictionaries(
                        {
                            "weekday": st.integers(0, 6),
                            "start": st.sampled_from(["08:00", "09:30"]),
                            "end": st.sampled_from(["12:00", "18:45"]),
                        }
                    ),
                    max_size=3,
                ),
                "public": st.booleans(),
            }
        ),
    }
)


@given(st.lists(profiles, min_size=1, max_size=5))
@settings(max_examples=60, deadline=None)
def test_a_person_written_as_csv_reads_back_the_same(written: list[dict[str, Any]]) -> None:
    records = [
        {"email": f"p{i}@example.com", "roles": ["mentee"], "profile": profile}
        for i, profile in enumerate(written)
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(csv_cells(r) for r in records)
    file = CsvFile(out.getvalue().encode())
    people = _people(check_all(file.parser, list(file.rows())))
    assert [p.row for p in people] == list(range(2, len(records) + 2))
    # Same columns as the JSON Lines record gives: the same body, the same derived keys.
    expected = [PersonRow.model_validate(r).profile for r in records]
    assert [p.write.columns if p.write else None for p in people] == [
        profile_write(fields, ("mentee",)).columns if fields else None for fields in expected
    ]


async def test_a_file_is_taken_from_a_form_or_as_untyped_bytes(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    """What browsers and generated clients send: a multipart form with the file, or the bytes as
    application/octet-stream, whose format is read from the first character."""
    tenant = await make_tenant()
    admin = await tenant.admin_headers()

    async def imported(**request: Any) -> dict[str, Any]:
        accepted = await client.post("/v1/admin/imports", **{"headers": admin, **request})
        assert accepted.status_code == 202, accepted.text
        await job.run_import({}, accepted.json()["id"])
        report = await client.get(accepted.headers["location"], headers=admin)
        return dict(report.json())

    as_csv_part = await imported(
        files={"file": ("people.csv", b"email,display_name\nform@example.com,Form\n", "text/csv")}
    )
    assert (as_csv_part["status"], as_csv_part["created"], as_csv_part["format"]) == (
        "succeeded",
        1,
        "csv",
    )
    untyped_part = await imported(
        files={"file": ("export", _line(ADA).encode(), "application/octet-stream")}
    )
    assert (untyped_part["created"], untyped_part["format"]) == (1, "jsonl")
    # How a browser on a machine with a spreadsheet program labels a .csv file.
    labelled_by_the_browser = await imported(
        files={
            "file": (
                "people.csv",
                b"email,display_name\nexcel@example.com,Excel\n",
                "application/vnd.ms-excel",
            )
        }
    )
    assert (labelled_by_the_browser["created"], labelled_by_the_browser["format"]) == (1, "csv")
    raw = b"\xef\xbb\xbfemail,display_name\nraw@example.com,Raw\n"
    untyped_csv = await imported(
        content=raw, headers={**admin, "Content-Type": "application/octet-stream"}
    )
    assert (untyped_csv["created"], untyped_csv["format"]) == (1, "csv")
    untyped_jsonl = await imported(
        content=b"\n  " + _line(BEN).encode(),
        headers={**admin, "Content-Type": "application/octet-stream"},
    )
    assert (untyped_jsonl["created"], untyped_jsonl["format"]) == (1, "jsonl")

    not_a_file = await client.post("/v1/admin/imports", headers=admin, files={"file": (None, "x")})
    assert not_a_file.status_code == 422, not_a_file.text
    assert not_a_file.json()["errors"] == [{"loc": ["body", "file"], "msg": "a file is required"}]
    for body, content_type in (
        (
            b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
        ),
        (b"not a form", "multipart/form-data; boundary=b"),
        (b"--b\r\n", "multipart/form-data"),
    ):
        refused = await client.post(
            "/v1/admin/imports", content=body, headers={**admin, "Content-Type": content_type}
        )
        assert refused.status_code == 400, (body, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
