"""Rate limits per user, per tenant and (for requests without a valid credential) per client
address, counted in Redis so every gateway process shares them;
the same round trip reads the caller's cached authority (`services.core.user_state`).

A fixed one-minute window: one pipelined round trip per request. If Redis cannot be reached the
request goes through (an outage of the counter must not become an outage of the API), and the
caller's authority is read from the database instead.
"""

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from services.core.logging import get_logger
from services.core.principal import UNREACHABLE, CacheLookup
from services.core.user_state import user_state_key

log = get_logger(__name__)
WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0
    # What the cache holds on the caller (`check` only).
    user_state: CacheLookup = UNREACHABLE


class RateLimiter:
    def __init__(
        self,
        redis: Redis,
        *,
        per_user: int,
        per_tenant: int,
        per_address: int = 300,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis
        self.per_user = per_user
        self.per_tenant = per_tenant
        self.per_address = per_address
        self.clock = clock

    async def check(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> Verdict:
        now = self.clock()
        window = int(now // WINDOW_SECONDS)
        user_key = f"rl:u:{user_id}:{window}"
        tenant_key = f"rl:t:{tenant_id}:{window}"
        try:
            # SET NX EX then INCR: a counter that expires with its window (works on Redis 6 too).
            pipe = self.redis.pipeline(transaction=False)
            pipe.set(user_key, 0, ex=WINDOW_SECONDS + 1, nx=True)
            pipe.incr(user_key)
            pipe.set(tenant_key, 0, ex=WINDOW_SECONDS + 1, nx=True)
            pipe.incr(tenant_key)
            pipe.get(user_state_key(user_id))
            _, user_count, _, tenant_count, user_state = await pipe.execute()
        except (RedisError, OSError) as error:
            log.warning("rate_limit.unavailable", error=type(error).__name__)
            return Verdict(True)
        cached = CacheLookup(user_state)
        if user_count > self.per_user or tenant_count > self.per_tenant:
            return Verdict(False, _seconds_left(window, now), user_state=cached)
        return Verdict(True, user_state=cached)

    async def check_integration(self, credential: str, address: str = "") -> Verdict:
        """Callers without an access token (SCIM clients, event senders) are counted by the
        credential they present, at the tenant rate: an identity provider syncing thousands of
        users is a bulk integration. An address that has used up its budget of refusals
        (`count_refusal`) is refused too: a fresh made-up credential per request gets no fresh
        budget."""
        now = self.clock()
        window = int(now // WINDOW_SECONDS)
        digest = hashlib.sha256(credential.encode()).hexdigest()[:32]
        key = f"rl:i:{digest}:{window}"
        try:
            pipe = self.redis.pipeline(transaction=False)
            pipe.set(key, 0, ex=WINDOW_SECONDS + 1, nx=True)
            pipe.incr(key)
            pipe.get(_address_key(address, window))
            _, count, refusals = await pipe.execute()
        except (RedisError, OSError) as error:
            log.warning("rate_limit.unavailable", error=type(error).__name__)
            return Verdict(True)
        if count > self.per_tenant or int(refusals or 0) >= self.per_address:
            return Verdict(False, _seconds_left(window, now))
        return Verdict(True)

    async def count_refusal(self, address: str) -> Verdict:
        """One more request from this client address refused for want of a valid credential.
        Past the per-address budget the verdict is 429: guessing tokens, or flooding the
        gateway with requests it must check and refuse, is slowed down per address."""
        now = self.clock()
        window = int(now // WINDOW_SECONDS)
        key = _address_key(address, window)
        try:
            pipe = self.redis.pipeline(transaction=False)
            pipe.set(key, 0, ex=WINDOW_SECONDS + 1, nx=True)
            pipe.incr(key)
            _, count = await pipe.execute()
        except (RedisError, OSError) as error:
            log.warning("rate_limit.unavailable", error=type(error).__name__)
            return Verdict(True)
        if count > self.per_address:
            return Verdict(False, _seconds_left(window, now))
        return Verdict(True)


def _address_key(address: str, window: int) -> str:
    return f"rl:a:{address}:{window}"


def _seconds_left(window: int, now: float) -> int:
    return max(1, int((window + 1) * WINDOW_SECONDS - now) + 1)
