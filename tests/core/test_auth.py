"""Every route needs a valid token from our issuer; a service reached directly is not open."""

import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.core.settings import get_settings
from services.profiles.app import create_app as profiles_app
from tests.conftest import TenantFactory, http_client


def _token(key: Ed25519PrivateKey, **overrides: object) -> str:
    settings = get_settings()
    now = int(time.time())
    claims = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": str(uuid.uuid4()),
        "tid": str(uuid.uuid4()),
        "email": "x@example.com",
        "roles": ["admin"],
        "iat": now,
        "exp": now + 600,
        **overrides,
    }
    return jwt.encode(claims, key, algorithm="EdDSA")


async def test_me_with_a_token_names_the_caller(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    response = await client.get("/v1/users/me", headers=await tenant.headers("mia@example.com"))
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "mia@example.com"
    assert body["tenant_id"] == str(tenant.id)
    assert body["roles"] == ["mentee"]
    assert set(body) >= {"id", "email", "display_name", "roles", "tenant_id"}


async def test_no_token_is_401_problem(client) -> None:
    for path in ("/v1/users/me", "/v1/programs", "/v1/requests", "/v1/mentorships"):
        response = await client.get(path)
        assert response.status_code == 401, path
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["status"] == 401


async def test_token_signed_by_another_key_is_401(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    real = await tenant.token("mia@example.com")
    claims = jwt.decode(real, options={"verify_signature": False})
    forged = _token(Ed25519PrivateKey.generate(), **claims)
    response = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert "not valid" in response.json()["detail"]


async def test_expired_token_is_401(client, make_tenant: TenantFactory) -> None:
    from services.core.auth import signing_key

    tenant = await make_tenant()
    claims = jwt.decode(await tenant.token("mia@example.com"), options={"verify_signature": False})
    expired = _token(signing_key(), **{**claims, "exp": int(time.time()) - 5})
    response = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_garbage_and_wrong_audience_are_401(client) -> None:
    from services.core.auth import signing_key

    for header in ("Bearer not-a-jwt", "Basic Zm9vOmJhcg==", "Bearer "):
        response = await client.get("/v1/users/me", headers={"Authorization": header})
        assert response.status_code == 401, header
    other_audience = _token(signing_key(), aud="someone-else")
    response = await client.get(
        "/v1/users/me", headers={"Authorization": f"Bearer {other_audience}"}
    )
    assert response.status_code == 401


async def test_service_reached_directly_checks_tokens(
    rolled_back, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    async with http_client(profiles_app(standalone=False)) as direct:
        assert (await direct.get("/v1/users/me")).status_code == 401
        response = await direct.get("/v1/users/me", headers=await tenant.headers("mia@example.com"))
        assert response.status_code == 200
        assert response.json()["email"] == "mia@example.com"
        assert "x-request-id" in response.headers


async def test_deactivated_user_is_refused(client, make_tenant: TenantFactory) -> None:
    from sqlalchemy import update

    from services.core.db import database
    from services.profiles.users.models import User

    tenant = await make_tenant()
    headers = await tenant.headers("gone@example.com")
    async with database.transaction(tenant_id=tenant.id) as session:
        await session.execute(
            update(User).where(User.email == "gone@example.com").values(active=False)
        )
    assert (await client.get("/v1/users/me", headers=headers)).status_code == 401
