"""Cutting off a deactivated account at once: tokens already issued stay valid until they
expire, so the gateway also refuses users on a block list kept in Redis.

The block outlives any token issued before it; the database (`users.active`) stays the truth
that a new token or a profile read checks.
"""

import uuid

from redis.asyncio import Redis

from services.core.settings import get_settings

BLOCK_PREFIX = "auth:blocked:"


def block_key(user_id: uuid.UUID) -> str:
    return f"{BLOCK_PREFIX}{user_id}"


class AccessList:
    def __init__(self) -> None:
        self._redis: Redis | None = None

    def redis(self) -> Redis:
        if self._redis is None:
            self._redis = Redis.from_url(
                get_settings().redis_url, socket_timeout=2.0, socket_connect_timeout=2.0
            )
        return self._redis

    async def block(self, user_id: uuid.UUID) -> None:
        # Longer than the longest token the local issuer hands out by default.
        ttl = get_settings().token_ttl_seconds * 24
        await self.redis().set(block_key(user_id), 1, ex=ttl)

    async def unblock(self, user_id: uuid.UUID) -> None:
        await self.redis().delete(block_key(user_id))

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
        self._redis = None


access_list = AccessList()
