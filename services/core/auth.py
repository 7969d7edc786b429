"""Access tokens: the local issuer (development and tests) and verification of every request.

Tokens are EdDSA-signed JWTs. The local issuer's key is generated into the data folder on first
use; every process of one deployment reads the same key file. A token proves who is calling
(`Identity`); what they may do is decided by our tables (`services.core.principal`).
"""

import os
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from services.core.errors import Unauthorized
from services.core.logging import get_logger
from services.core.settings import get_settings

log = get_logger(__name__)

Role = Literal["mentee", "mentor", "admin"]
ROLES: tuple[Role, ...] = ("mentee", "mentor", "admin")
ALGORITHM = "EdDSA"


@dataclass(frozen=True, slots=True)
class Identity:
    """What a verified token proves: which user of which tenant is calling. Nothing more: the
    token's other claims (roles, email) may be out of date or wrong and are never trusted."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling and what they may do: the identity a token proves, with the tenant,
    roles and email as our tables hold them now (`services.core.principal`)."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    roles: frozenset[str]

    def has_role(self, role: Role) -> bool:
        return role in self.roles


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise RuntimeError(f"{path} does not hold an Ed25519 private key")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Created with 0600 and renamed into place, so two processes starting at once agree on one key.
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    try:
        os.link(tmp, path)  # fails if another process won the race; then its key is used
        # Said out loud: a process of a deployment that does not see the shared key file makes
        # its own, and then refuses everyone else's tokens.
        log.warning("auth.signing_key_created", path=str(path))
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return load_or_create_key(path)


@lru_cache(maxsize=1)
def signing_key() -> Ed25519PrivateKey:
    return load_or_create_key(get_settings().key_path)


def verification_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def issue_token(
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    email: str,
    roles: list[str] | tuple[str, ...],
    ttl_seconds: int | None = None,
) -> str:
    settings = get_settings()
    now = int(time.time())
    claims = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": str(user_id),
        "tid": str(tenant_id),
        "email": email,
        "roles": sorted(set(roles)),
        "iat": now,
        "exp": now + (ttl_seconds if ttl_seconds is not None else settings.token_ttl_seconds),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, signing_key(), algorithm=ALGORITHM)


class _VerifiedTokens:
    """Remembers recently verified tokens until they expire: the gateway and a service both
    check each request, and a client sends the same token many times."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self.entries: OrderedDict[str, tuple[Identity, float]] = OrderedDict()

    def get(self, token: str) -> Identity | None:
        entry = self.entries.get(token)
        if entry is None:
            return None
        identity, expires_at = entry
        if expires_at <= time.time():
            del self.entries[token]
            return None
        return identity

    def put(self, token: str, identity: Identity, expires_at: float) -> None:
        self.entries[token] = (identity, expires_at)
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)

    def clear(self) -> None:
        self.entries.clear()


verified_tokens = _VerifiedTokens()


def verify_token(token: str) -> Identity:
    """The identity a token of our issuer proves (signature, issuer, audience, expiry)."""
    cached = verified_tokens.get(token)
    if cached is not None:
        return cached
    settings = get_settings()
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            verification_key(),
            algorithms=[ALGORITHM],
            audience=settings.token_audience,
            issuer=settings.token_issuer,
            options={"require": ["exp", "sub", "tid", "iss", "aud"]},
        )
        identity = Identity(tenant_id=uuid.UUID(claims["tid"]), user_id=uuid.UUID(claims["sub"]))
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The access token has expired.") from exc
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise Unauthorized("The access token is not valid.") from exc
    verified_tokens.put(token, identity, float(claims["exp"]))
    return identity


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
