"""The transactional outbox: an event is a row written in the caller's transaction.

- `events`: `emit` / `emit_many`, the rows and the wake-up of the relay after commit.
- `subscribers`: `@subscriber(...)`, how a service reacts to events (its `subscriptions.py`).
- `tasks`: the relay, the per-subscriber delivery and the sweeper (the worker runs them).
- `service`: what operators see and do: parked deliveries, listed and sent again.
- `metrics`: the outbox's gauges on the gateway's /metrics.

If Redis or the worker is down, the rows wait; nothing is lost.
"""

from services.core.outbox.events import RELAY_JOB, emit, emit_many
from services.core.outbox.models import Delivery, OutboxEvent
from services.core.outbox.subscribers import SUBSCRIBERS, Handler, Subscriber, subscriber

__all__ = [
    "RELAY_JOB",
    "SUBSCRIBERS",
    "Delivery",
    "Handler",
    "OutboxEvent",
    "Subscriber",
    "emit",
    "emit_many",
    "subscriber",
]
