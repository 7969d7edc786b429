"""Who reacts to which event. A service declares its reactions in its `subscriptions.py`:

    @subscriber("user.deactivated", "user.reactivated", name="proposals.sync_holds")
    async def sync_holds(session: AsyncSession, event: OutboxEvent) -> None: ...

The worker collects those modules (`workers/subscriptions.py`). Each subscriber gets each event
on its own: it runs in its own transaction, bound to the event's tenant, and its completion is
recorded in that same transaction, so a write it makes happens exactly once and a failure
retries this subscriber alone. Effects outside PostgreSQL (Redis, HTTP) happen at least once.
Deliveries of one subscriber may run in any order and concurrently: a handler reads the current
state rather than trusting the order of events. To retry, raise.

The name is stored with every delivery: keep it stable (`"<service>.<what_it_does>"`).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.outbox.models import OutboxEvent

Handler = Callable[[AsyncSession, OutboxEvent], Awaitable[None]]


@dataclass(frozen=True)
class Subscriber:
    name: str
    event_types: frozenset[str]
    handle: Handler


class Subscribers:
    def __init__(self) -> None:
        self._by_name: dict[str, Subscriber] = {}

    def add(self, entry: Subscriber) -> None:
        known = self._by_name.get(entry.name)
        if known is not None and known.handle is not entry.handle:
            raise ValueError(f"two subscribers are named {entry.name!r}")
        self._by_name[entry.name] = entry

    def remove(self, name: str) -> None:
        self._by_name.pop(name, None)

    def get(self, name: str) -> Subscriber | None:
        return self._by_name.get(name)

    def of(self, event_type: str) -> list[Subscriber]:
        return [s for s in self._by_name.values() if event_type in s.event_types]


SUBSCRIBERS = Subscribers()


def subscriber(*event_types: str, name: str) -> Callable[[Handler], Handler]:
    """Register the decorated handler for these event types under a stable name."""
    if not event_types:
        raise ValueError("a subscriber needs at least one event type")

    def register(handle: Handler) -> Handler:
        SUBSCRIBERS.add(Subscriber(name, frozenset(event_types), handle))
        return handle

    return register
