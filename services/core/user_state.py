"""A user's current authority (tenant, roles, active, email) cached in Redis, so that checking
it on every request costs no database read.

The database stays the truth. An entry is dropped when the row changes, twice over: right
after the commit (`forget_after_commit`: the very next request reads the database), and when
the change's outbox event is relayed (`forget_on_event`: repairs a drop that failed because
Redis was unreachable at that moment). An entry also expires after `user_state_ttl_seconds`.

Dropping writes a short-lived marker rather than deleting, and a request that missed writes
only where there is no entry at all (SET NX): a request that read the row just before the
change cannot put the old state back after the drop.
"""

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from services.core.db import on_commit
from services.core.logging import get_logger
from services.core.outbox import OutboxEvent
from services.core.settings import get_settings

log = get_logger(__name__)

KEY_PREFIX = "auth:user:"
# What a dropped entry holds: read as a miss, and not overwritten by a miss's write. Longer than
# any request takes from its database read to its cache write.
FORGOTTEN = b"-"
FORGOTTEN_SECONDS = 10
# The events that announce a change of a user's authority (their `user_id` is in the payload).
USER_STATE_EVENTS = ("user.updated", "user.deactivated", "user.reactivated")


@dataclass(frozen=True, slots=True)
class UserState:
    """What our tables say about a user, as far as authority goes."""

    tenant_id: uuid.UUID
    roles: tuple[str, ...]
    active: bool
    email: str

    def encode(self) -> bytes:
        return json.dumps(
            [str(self.tenant_id), list(self.roles), self.active, self.email],
            separators=(",", ":"),
        ).encode()

    @classmethod
    def decode(cls, raw: bytes | str) -> "UserState | None":
        """The state in a cache entry, or None for an entry this code cannot read (written by
        another version): it is then treated as a miss."""
        try:
            tenant_id, roles, active, email = json.loads(raw)
            if not (
                isinstance(roles, list)
                and all(isinstance(r, str) for r in roles)
                and isinstance(active, bool)
                and isinstance(email, str)
            ):
                return None
            return cls(uuid.UUID(tenant_id), tuple(roles), active, email)
        except (ValueError, TypeError, AttributeError):
            return None


def user_state_key(user_id: uuid.UUID) -> str:
    return f"{KEY_PREFIX}{user_id}"


class UserStateCache:
    """The cache's reads and writes. Reads on the hot path may also be made by whoever already
    holds a round trip to Redis (the gateway's rate limiter) with `user_state_key`."""

    def __init__(self, redis: Redis | None = None) -> None:
        self._redis = redis
        self._owned = redis is None

    def redis(self) -> Redis:
        if self._redis is None:
            self._redis = Redis.from_url(
                get_settings().redis_url, socket_timeout=1.0, socket_connect_timeout=1.0
            )
        return self._redis

    async def get(self, user_id: uuid.UUID) -> bytes | None:
        """The raw entry, None on a miss; raises RedisError or OSError if Redis cannot be asked."""
        raw: bytes | None = await self.redis().get(user_state_key(user_id))
        return raw

    async def put(self, user_id: uuid.UUID, state: UserState) -> None:
        """Cache what a miss read, unless the entry was dropped meanwhile. Best effort: a failed
        write only costs the next request a database read."""
        try:
            await self.redis().set(
                user_state_key(user_id),
                state.encode(),
                ex=get_settings().user_state_ttl_seconds,
                nx=True,
            )
        except (RedisError, OSError) as error:
            log.warning("user_state.write_failed", error=type(error).__name__)

    async def forget(self, user_ids: Iterable[uuid.UUID]) -> None:
        """Drop these users' entries; raises if Redis cannot be reached (callers decide)."""
        keys = [user_state_key(user_id) for user_id in user_ids]
        if not keys:
            return
        pipe = self.redis().pipeline(transaction=False)
        for key in keys:
            pipe.set(key, FORGOTTEN, ex=FORGOTTEN_SECONDS)
        await pipe.execute()

    async def close(self) -> None:
        if self._owned and self._redis is not None:
            await self._redis.aclose()
            self._redis = None


# The process's cache, on the configured Redis (services reached directly, workers, the CLI).
user_states = UserStateCache()


class _ForgetUsers:
    """One after-commit drop per transaction, however many users it changed."""

    __name__ = "forget_user_states"  # what a failure is logged as

    def __init__(self) -> None:
        self.user_ids: set[uuid.UUID] = set()

    async def __call__(self) -> None:
        await user_states.forget(self.user_ids)


def forget_after_commit(session: AsyncSession | Session, user_ids: Iterable[uuid.UUID]) -> None:
    """Drop these users' cached state as soon as this transaction commits. Whoever changes a
    user's authority also emits one of `USER_STATE_EVENTS`, whose handler drops it again."""
    pending: _ForgetUsers | None = session.info.get("forget_users")
    if pending is None or pending not in session.info.get("on_commit", {}):
        pending = _ForgetUsers()
        session.info["forget_users"] = pending
        on_commit(session, pending)
    pending.user_ids.update(user_ids)


async def forget_on_event(_session: AsyncSession, event: OutboxEvent) -> None:
    """Outbox handler of `USER_STATE_EVENTS`: the durable drop. Raises while Redis is
    unreachable, so the event is delivered again later."""
    await user_states.forget([uuid.UUID(event.payload["user_id"])])
