"""Idempotency-Key for POST: a retried request gets the first response instead of a second effect.

The key row is inserted in the same transaction as the work it guards. A concurrent duplicate
blocks on the unique index until the first transaction ends, then finds the stored response:
two requests with one key create one resource.

A response that carries a secret shown once (a SCIM token, a webhook or inbound secret) is
stored without it: the route declares `Depends(shown_once("token"))`, and a replay answers the
first response with those fields null. A plaintext secret never reaches the database.
"""

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from sqlalchemy import DateTime, Integer, LargeBinary, String, UniqueConstraint, delete, select
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.core.auth import Principal
from services.core.models import Base, TenantScoped, utcnow
from services.core.settings import get_settings

MAX_KEY_LENGTH = 255
KEPT_HEADERS = ("content-type", "etag", "location")
# Request state naming the response fields a stored response leaves out (see `shown_once`).
WITHHELD_FIELDS = "withheld_from_replay"

# For the OpenAPI description of a route that uses `shown_once`.
SHOWN_ONCE_NOTE = (
    "The secret is in this response only: it is stored nowhere in plaintext. A replay of this "
    "request with the same `Idempotency-Key` answers the first response without it (the field "
    "is null); create a new one if it was lost."
)


def shown_once(*fields: str) -> Callable[[Request], Awaitable[None]]:
    """A route dependency for a response whose top-level `fields` are secrets: the stored copy
    that a replay answers has them set to null."""

    async def withhold(request: Request) -> None:
        setattr(request.state, WITHHELD_FIELDS, fields)

    return withhold


def _without(body: bytes, fields: Sequence[str]) -> bytes:
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        # Storing it as it is could store the secret; failing the request stores nothing.
        raise RuntimeError("a response marked shown_once must be a JSON object")
    for name in fields:
        if name in document:
            document[name] = None
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


class IdempotencyKey(Base, TenantScoped):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id", "key"),
        {"schema": "platform"},
    )

    user_id: Mapped[uuid.UUID] = mapped_column(PgUUID(as_uuid=True), nullable=False)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, index=True
    )
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)


@dataclass(frozen=True)
class Claimed:
    """This request owns the key: run it, then `record` its response."""

    key_id: uuid.UUID


@dataclass(frozen=True)
class Replay:
    status_code: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Mismatch:
    """The key was used for a different request."""


def request_fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


async def claim(
    session: AsyncSession, principal: Principal, key: str, fingerprint: str
) -> Claimed | Replay | Mismatch:
    ttl = timedelta(hours=get_settings().idempotency_ttl_hours)
    for _ in range(2):
        now = utcnow()
        inserted = await session.scalar(
            insert(IdempotencyKey)
            .values(
                id=uuid.uuid4(),
                tenant_id=principal.tenant_id,
                user_id=principal.user_id,
                key=key,
                request_hash=fingerprint,
                expires_at=now + ttl,
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "user_id", "key"])
            .returning(IdempotencyKey.id)
        )
        if inserted is not None:
            return Claimed(inserted)
        existing = await session.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.tenant_id == principal.tenant_id,
                IdempotencyKey.user_id == principal.user_id,
                IdempotencyKey.key == key,
            )
        )
        if existing is None:
            continue  # removed between our insert and select: try again
        if existing.expires_at <= now:
            await session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == existing.id))
            continue
        if existing.request_hash != fingerprint:
            return Mismatch()
        assert existing.status_code is not None  # stored in the transaction that inserted it
        return Replay(
            existing.status_code, existing.response_headers or {}, existing.response_body or b""
        )
    raise RuntimeError("idempotency key could not be claimed")


async def record(
    session: AsyncSession,
    claimed: Claimed,
    status_code: int,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    *,
    withheld: Sequence[str] = (),
) -> None:
    """Store the response a replay answers; `withheld` fields are secrets it leaves out."""
    if withheld:
        body = _without(body, withheld)
    kept = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in headers
        if name.decode("latin-1").lower() in KEPT_HEADERS
    }
    row = await session.get(IdempotencyKey, claimed.key_id)
    assert row is not None
    row.status_code = status_code
    row.response_headers = kept
    row.response_body = body
    await session.flush()


async def purge_expired(session: AsyncSession) -> int:
    result: Any = await session.execute(
        delete(IdempotencyKey)
        .where(IdempotencyKey.expires_at < utcnow())
        .execution_options(all_tenants=True)
    )
    return int(result.rowcount or 0)
