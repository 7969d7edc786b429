"""The outbox's state as Prometheus gauges, read from PostgreSQL when /metrics is scraped (the
gateway serves them; the workers have no HTTP port)."""

from prometheus_client import Gauge

from services.core.db import Database
from services.core.outbox import repository
from services.core.queue import Lane

PARKED = Gauge(
    "mentorship_outbox_parked_deliveries",
    "Event deliveries given up after every try, waiting for an operator "
    "(`mentorship outbox parked`).",
    ["subscriber"],
)
OWED = Gauge(
    "mentorship_outbox_owed_deliveries",
    "Event deliveries queued or waiting for a retry.",
    ["lane"],
)
UNRELAYED = Gauge(
    "mentorship_outbox_unrelayed_events",
    "Committed events the relay has not yet taken.",
    ["lane"],
)


async def refresh(database: Database) -> None:
    async with database.session(readonly=True, all_tenants=True) as session:
        counts = await repository.counts(session)
    PARKED.clear()  # a subscriber whose deliveries were all sent again shows no stale count
    for name, count in counts["parked"].items():
        PARKED.labels(subscriber=name).set(count)
    for lane in Lane:
        OWED.labels(lane=lane.value).set(counts["owed"].get(lane.value, 0))
        UNRELAYED.labels(lane=lane.value).set(counts["unrelayed"].get(lane.value, 0))
