"""Programs through the gateway: the default program, validation, ETags, tenancy, pagination."""

import uuid

from tests.conftest import TenantFactory

NEW_PROGRAM = {"name": "Engineering 2027", "starts_on": "2027-01-10", "ends_on": "2027-06-30"}


async def test_a_new_tenant_has_its_default_program(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    response = await client.get("/v1/programs", headers=await tenant.headers("m@example.com"))
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    [program] = body["items"]
    assert program["is_default"] is True
    assert set(program) >= {
        "id",
        "name",
        "starts_on",
        "ends_on",
        "matching_weights",
        "min_request_score",
        "evaluation_interval_days",
    }


async def test_admin_creates_program_members_cannot(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    member = await client.post(
        "/v1/programs", json=NEW_PROGRAM, headers=await tenant.headers("m@example.com")
    )
    assert member.status_code == 403
    assert member.headers["content-type"] == "application/problem+json"
    created = await client.post(
        "/v1/programs", json=NEW_PROGRAM, headers=await tenant.admin_headers()
    )
    assert created.status_code == 201
    assert created.headers["location"] == f"/v1/programs/{created.json()['id']}"
    assert created.json()["matching_weights"]["expertise"] == 0.35


async def test_validation_errors_are_problems_listing_fields(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    headers = await tenant.admin_headers()
    response = await client.post(
        "/v1/programs",
        json={"name": "", "min_request_score": 101, "surprise": 1},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    locations = {tuple(error["loc"]) for error in body["errors"]}
    assert ("body", "name") in locations
    assert ("body", "min_request_score") in locations
    assert ("body", "surprise") in locations
    assert all(set(error) == {"loc", "msg"} for error in body["errors"])
    reversed_dates = {**NEW_PROGRAM, "ends_on": "2026-01-01"}
    response = await client.post("/v1/programs", json=reversed_dates, headers=headers)
    assert response.status_code == 422
    not_json = await client.post(
        "/v1/programs",
        content=b"{not json",
        headers={**headers, "content-type": "application/json"},
    )
    assert not_json.status_code == 422
    listed = await client.get("/v1/programs", headers=headers)
    assert len(listed.json()["items"]) == 1  # nothing was created by the bad requests


async def test_stale_if_match_is_412_and_changes_nothing(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    headers = await tenant.admin_headers()
    created = await client.post("/v1/programs", json=NEW_PROGRAM, headers=headers)
    url = f"/v1/programs/{created.json()['id']}"
    first_tag = (await client.get(url, headers=headers)).headers["etag"]

    updated = await client.patch(
        url, json={"name": "Renamed"}, headers={**headers, "If-Match": first_tag}
    )
    assert updated.status_code == 200
    assert updated.headers["etag"] != first_tag

    stale = await client.patch(
        url, json={"name": "Lost update"}, headers={**headers, "If-Match": first_tag}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert (await client.get(url, headers=headers)).json()["name"] == "Renamed"

    cleared = await client.patch(url, json={"name": None}, headers=headers)
    assert cleared.status_code == 422


async def test_another_tenants_program_is_404(client, make_tenant: TenantFactory) -> None:
    ours, theirs = await make_tenant(), await make_tenant()
    their_headers = await theirs.admin_headers()
    created = await client.post("/v1/programs", json=NEW_PROGRAM, headers=their_headers)
    url = f"/v1/programs/{created.json()['id']}"
    our_headers = await ours.admin_headers()

    assert (await client.get(url, headers=our_headers)).status_code == 404
    patched = await client.patch(url, json={"name": "Hijacked"}, headers=our_headers)
    assert patched.status_code == 404
    listed = await client.get("/v1/programs", headers=our_headers)
    assert created.json()["id"] not in {p["id"] for p in listed.json()["items"]}
    assert (await client.get(url, headers=their_headers)).json()["name"] == NEW_PROGRAM["name"]
    unknown = await client.get(f"/v1/programs/{uuid.uuid4()}", headers=our_headers)
    assert unknown.status_code == 404


async def test_cursor_pages_are_stable_under_inserts(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    headers = await tenant.admin_headers()
    for n in range(5):
        await client.post("/v1/programs", json={"name": f"Cohort {n}"}, headers=headers)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/programs", params=params, headers=headers)).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        if pages == 1:  # a program created mid-walk must not shift what follows
            await client.post("/v1/programs", json={"name": "Late"}, headers=headers)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6  # 5 cohorts and the default program
    assert pages == 3
    bad = await client.get("/v1/programs", params={"cursor": "garbage!"}, headers=headers)
    assert bad.status_code == 422
    too_many = await client.get("/v1/programs", params={"limit": 101}, headers=headers)
    assert too_many.status_code == 422


async def test_tenant_and_other_services_answer(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    headers = await tenant.headers("m@example.com")
    response = await client.get("/v1/tenant", headers=headers)
    assert response.status_code == 200
    assert response.json()["slug"] == tenant.slug
    assert "etag" in response.headers
    for path in ("/v1/requests?box=received", "/v1/mentorships"):
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert response.json() == {"items": [], "next_cursor": None}
    assert (await client.get("/v1/requests?box=elsewhere", headers=headers)).status_code == 422
    run = await client.get(
        f"/v1/matching/runs/{uuid.uuid4()}", headers=await tenant.admin_headers()
    )
    assert run.status_code == 404
    assert (
        await client.get(f"/v1/matching/runs/{uuid.uuid4()}", headers=headers)
    ).status_code == 403


async def test_a_programs_progress_policies_are_checked_and_kept(client, make_tenant) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    created = await client.post(
        "/v1/programs",
        json={
            "name": "Leaders",
            "health_thresholds": {"missed_count": 3, "silence_cadences": 2.5},
            "close_inactive_after_days": 90,
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["health_thresholds"] == {"missed_count": 3, "silence_cadences": 2.5}
    assert body["close_inactive_after_days"] == 90
    for bad in (
        {"health_thresholds": {"missed_cuont": 3}},
        {"health_thresholds": {"missed_count": -1}},
        {"health_thresholds": {"missed_count": "3"}},
        {"health_thresholds": {"missed_count": True}},
        {"close_inactive_after_days": 10},
    ):
        refused = await client.post("/v1/programs", json={"name": "X", **bad}, headers=admin)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["errors"][0]["loc"][:2] == ["body", next(iter(bad))]
    path = f"/v1/programs/{body['id']}"
    changed = await client.patch(
        path,
        json={"health_thresholds": {}, "close_inactive_after_days": None},
        headers={**admin, "If-Match": created.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["health_thresholds"], changed.json()["close_inactive_after_days"]) == (
        {},
        None,
    )
