"""The organisation's own settings: admins change them with PATCH /v1/tenant, everyone reads the
settings in effect (defaults filled in) with GET /v1/tenant."""

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from services.core.db import database
from services.core.outbox import OutboxEvent
from services.core.settings import get_settings
from services.profiles.tenants.schemas import (
    TenantSettingsRead,
    TenantSettingsUpdate,
    secure_url,
)
from services.profiles.tenants.service import merged_settings
from tests.conftest import TenantFactory

SSO = {
    "issuer": "https://login.example.com/tenant-a/v2.0",
    "audience": "api://mentorship",
    "jwks_uri": "https://login.example.com/tenant-a/discovery/keys",
}
DEFAULTS = {
    "sso": None,
    "request_policy": {"max_pending_per_mentee": 5, "expiry_days": 14},
    "evaluation_policy": {"interval_days": 30},
}


async def test_a_new_organisation_shows_the_default_settings(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    read = await client.get("/v1/tenant", headers=await tenant.headers("m@example.com"))
    assert read.status_code == 200
    assert read.json()["settings"] == DEFAULTS


async def test_an_admin_changes_name_and_settings_and_everyone_reads_them_with_a_new_etag(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    before = await client.get("/v1/tenant", headers=admin)

    patched = await client.patch(
        "/v1/tenant",
        json={
            "name": "Acme mentoring",
            "settings": {"sso": SSO, "request_policy": {"max_pending_per_mentee": 3}},
        },
        headers={**admin, "If-Match": before.headers["etag"]},
    )

    assert patched.status_code == 200, patched.text
    assert patched.headers["etag"] != before.headers["etag"]
    expected = {
        "sso": SSO,
        "request_policy": {"max_pending_per_mentee": 3, "expiry_days": 14},
        "evaluation_policy": {"interval_days": 30},
    }
    assert patched.json()["settings"] == expected
    member = await client.get("/v1/tenant", headers=await tenant.headers("m@example.com"))
    assert member.json()["name"] == "Acme mentoring"
    assert member.json()["settings"] == expected
    assert member.headers["etag"] == patched.headers["etag"]

    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        events = list(
            await session.scalars(
                select(OutboxEvent).where(
                    OutboxEvent.tenant_id == tenant.id, OutboxEvent.event_type == "tenant.updated"
                )
            )
        )
    assert [e.payload for e in events] == [
        {
            "tenant_id": str(tenant.id),
            "fields": ["name", "settings.request_policy", "settings.sso"],
        }
    ]


async def test_settings_parts_merge_key_by_key_and_sso_null_removes_sso(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()

    async def patch(settings: dict[str, Any]) -> dict[str, Any]:
        response = await client.patch("/v1/tenant", json={"settings": settings}, headers=admin)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()["settings"]
        return body

    await patch({"sso": SSO, "request_policy": {"expiry_days": 30}})
    after = await patch({"request_policy": {"max_pending_per_mentee": 50}})
    assert after["request_policy"] == {"max_pending_per_mentee": 50, "expiry_days": 30}
    assert after["sso"] == SSO
    after = await patch({"evaluation_policy": {"interval_days": 7}})
    assert after["evaluation_policy"] == {"interval_days": 7}
    assert after["request_policy"] == {"max_pending_per_mentee": 50, "expiry_days": 30}
    after = await patch({"sso": None})
    assert after["sso"] is None
    assert after["request_policy"] == {"max_pending_per_mentee": 50, "expiry_days": 30}
    renamed = await client.patch("/v1/tenant", json={"name": "Renamed"}, headers=admin)
    assert renamed.json()["settings"] == after


async def test_only_an_admin_changes_the_organisation(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    headers = await tenant.headers("mentor@example.com", ["mentor", "mentee"])
    refused = await client.patch("/v1/tenant", json={"name": "Mine now"}, headers=headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    read = await client.get("/v1/tenant", headers=headers)
    assert read.json()["name"] == f"Tenant {tenant.slug}"
    assert read.headers["etag"] == '"1"'


async def test_a_stale_if_match_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    read = await client.get("/v1/tenant", headers=admin)
    first = await client.patch(
        "/v1/tenant", json={"name": "First"}, headers={**admin, "If-Match": read.headers["etag"]}
    )
    assert first.status_code == 200
    stale = await client.patch(
        "/v1/tenant",
        json={"settings": {"evaluation_policy": {"interval_days": 90}}},
        headers={**admin, "If-Match": read.headers["etag"]},
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    now = await client.get("/v1/tenant", headers=admin)
    assert now.json()["name"] == "First"
    assert now.json()["settings"]["evaluation_policy"] == {"interval_days": 30}


async def test_patches_with_one_etag_let_exactly_one_write_through(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    writers = 50
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    read = await committing_client.get("/v1/tenant", headers=admin)
    stale = {**admin, "If-Match": read.headers["etag"]}

    responses = await asyncio.gather(
        *(
            committing_client.patch(
                "/v1/tenant",
                json={"name": f"Org {i}", "settings": {"request_policy": {"expiry_days": i + 1}}},
                headers=stale,
            )
            for i in range(writers)
        )
    )

    assert Counter(r.status_code for r in responses) == {200: 1, 412: writers - 1}
    (winner,) = [r for r in responses if r.status_code == 200]
    stored = await committing_client.get("/v1/tenant", headers=admin)
    assert stored.json()["name"] == winner.json()["name"]
    assert stored.json()["settings"] == winner.json()["settings"]
    assert stored.headers["etag"] == winner.headers["etag"] == '"2"'


@pytest.mark.parametrize(
    "body",
    [
        {"settings": {"sso": {**SSO, "issuer": "http://login.example.com/"}}},
        {"settings": {"sso": {**SSO, "jwks_uri": "not a url"}}},
        {"settings": {"sso": {**SSO, "jwks_uri": "https://"}}},
        {"settings": {"sso": {**SSO, "issuer": "https://user:pw@login.example.com/"}}},
        {"settings": {"sso": {**SSO, "issuer": "https://login.example.com:99999/"}}},
        {"settings": {"sso": {**SSO, "issuer": "ftp://login.example.com/"}}},
        {"settings": {"sso": {**SSO, "audience": ""}}},
        {"settings": {"sso": {"issuer": SSO["issuer"], "audience": "x"}}},
        {"settings": {"sso": {**SSO, "issuer": "http://127.0.0.1:8080/"}}},
        {"settings": {"request_policy": {"max_pending_per_mentee": 0}}},
        {"settings": {"request_policy": {"max_pending_per_mentee": 51}}},
        {"settings": {"request_policy": {"expiry_days": 91}}},
        {"settings": {"request_policy": {"expiry_days": "14"}}},
        {"settings": {"request_policy": {"expiry_days": 14.0}}},
        {"settings": {"request_policy": {"expiry_days": True}}},
        {"settings": {"request_policy": {"expiry_days": None}}},
        {"settings": {"request_policy": None}},
        {"settings": {"evaluation_policy": {"interval_days": 6}}},
        {"settings": {"evaluation_policy": {"interval_days": 366}}},
        {"settings": {"evaluation_policy": {"interval_days": "30"}}},
        {"settings": {"evaluation_policy": {"every": 30}}},
        {"settings": {"theme": "dark"}},
        {"settings": None},
        {"slug": "taken-over"},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 201},
        {"name": None},
        {"name": 5},
        {"name": "a\u0000b"},
        {"settings": {"sso": {**SSO, "audience": "api\u0000"}}},
    ],
)
async def test_bad_changes_are_refused_with_422_and_change_nothing(
    client: httpx.AsyncClient, make_tenant: TenantFactory, body: dict[str, Any]
) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    response = await client.patch("/v1/tenant", json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    read = await client.get("/v1/tenant", headers=admin)
    assert read.headers["etag"] == '"1"'
    assert read.json()["settings"] == DEFAULTS


async def test_another_organisations_settings_are_untouched(
    client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    mine, theirs = await make_tenant(), await make_tenant()
    changed = await client.patch(
        "/v1/tenant",
        json={"name": "Mine", "settings": {"sso": SSO}},
        headers=await mine.admin_headers(),
    )
    assert changed.status_code == 200
    assert changed.json()["id"] == str(mine.id)
    other = await client.get("/v1/tenant", headers=await theirs.admin_headers())
    assert other.json()["id"] == str(theirs.id)
    assert other.json()["name"] == f"Tenant {theirs.slug}"
    assert other.json()["settings"] == DEFAULTS
    assert other.headers["etag"] == '"1"'


def test_loopback_http_is_accepted_only_in_local_development(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOCAL_DEVELOPMENT", "true")
    get_settings.cache_clear()
    try:
        for url in ("http://127.0.0.1:8080/", "http://localhost/keys", "http://[::1]:9000/"):
            assert secure_url(url) == url
        with pytest.raises(ValueError, match="https"):
            secure_url("http://login.example.com/")
    finally:
        monkeypatch.delenv("LOCAL_DEVELOPMENT")
        get_settings.cache_clear()
    with pytest.raises(ValueError, match="https"):
        secure_url("http://127.0.0.1:8080/")


_policy_updates = st.fixed_dictionaries(
    {},
    optional={
        "request_policy": st.fixed_dictionaries(
            {},
            optional={
                "max_pending_per_mentee": st.integers(1, 50),
                "expiry_days": st.integers(1, 90),
            },
        ),
        "evaluation_policy": st.fixed_dictionaries(
            {}, optional={"interval_days": st.integers(7, 365)}
        ),
        "sso": st.none() | st.just(SSO),
    },
)


@given(st.lists(_policy_updates, max_size=6))
def test_merging_updates_keeps_every_key_not_sent(updates: list[dict[str, Any]]) -> None:
    # A key holds the value of the last update that sent it, or its default; a stored key this
    # version does not know survives.
    stored: dict[str, Any] = {"future_feature": {"on": True}}
    expected = TenantSettingsRead().model_dump()
    for sent in updates:
        stored, parts = merged_settings(stored, TenantSettingsUpdate.model_validate(sent))
        assert parts == [f"settings.{part}" for part in sorted(sent)]
        for part, value in sent.items():
            if part == "sso":
                expected["sso"] = value
            else:
                expected[part].update(value)
        assert TenantSettingsRead.model_validate(stored).model_dump() == expected
        assert stored["future_feature"] == {"on": True}
