"""The current principal, established from our own data on every request.

The token proves identity (issuer, subject, tenant: `services.core.auth.verify_token`). Our
tables decide the rest: the user must exist, belong to the tenant the token names (which must
exist) and be active; roles and email are the row's. The gateway does this before routing; a
service reached directly does it in `RequestContextMiddleware`; a service mounted in the
gateway reuses what the gateway established.

The row's state is read from Redis (`services.core.user_state`); on a miss, from the database,
then written to Redis. If Redis cannot be reached, every request reads the database: never the
token's claims.
"""

from dataclasses import dataclass

from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError

from services.core.auth import Identity, Principal, verify_token
from services.core.db import Database, database
from services.core.errors import ServiceUnavailable, Unauthorized
from services.core.logging import get_logger
from services.core.tenancy import bind_tenant
from services.core.user_state import UserState, UserStateCache, user_states
from services.profiles import queries as profiles_queries

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class CacheLookup:
    """What the cache answered for one user: an entry (raw), a miss (None), or nothing at all
    because Redis could not be reached (`reachable` False)."""

    raw: bytes | None
    reachable: bool = True


UNREACHABLE = CacheLookup(None, reachable=False)


def authorise(identity: Identity, state: UserState | None) -> Principal:
    """The principal for this identity, or 401 when our tables do not let it act. The same
    answer for an unknown user and a user of another tenant: a token must not learn which."""
    if state is None or state.tenant_id != identity.tenant_id:
        raise Unauthorized("This account does not exist.")
    if not state.active:
        raise Unauthorized("This account has been deactivated.")
    return Principal(
        tenant_id=identity.tenant_id,
        user_id=identity.user_id,
        email=state.email,
        roles=frozenset(state.roles),
    )


class PrincipalResolver:
    def __init__(self, cache: UserStateCache, db: Database) -> None:
        self.cache = cache
        self.database = db

    async def lookup(self, identity: Identity) -> CacheLookup:
        """Ask the cache alone (a caller without its own round trip to Redis)."""
        try:
            return CacheLookup(await self.cache.get(identity.user_id))
        except (RedisError, OSError) as error:
            log.warning("user_state.unavailable", error=type(error).__name__)
            return UNREACHABLE

    async def resolve(self, identity: Identity, lookup: CacheLookup) -> Principal:
        state = UserState.decode(lookup.raw) if lookup.raw is not None else None
        if state is None:
            state = await self.load(identity)
            if state is not None and lookup.reachable:
                await self.cache.put(identity.user_id, state)
        return authorise(identity, state)

    async def resolve_token(self, token: str) -> Principal:
        identity = verify_token(token)
        return await self.resolve(identity, await self.lookup(identity))

    async def load(self, identity: Identity) -> UserState | None:
        try:
            async with self.database.session(readonly=True) as session:
                bind_tenant(session, identity.tenant_id)
                return await profiles_queries.user_state(
                    session, identity.tenant_id, identity.user_id
                )
        except (OperationalError, InterfaceError, OSError) as error:
            log.warning("user_state.database_unavailable", error=type(error).__name__)
            raise ServiceUnavailable("Your account cannot be checked right now.") from error


# Services reached directly resolve with the process's cache and database.
principals = PrincipalResolver(user_states, database)
