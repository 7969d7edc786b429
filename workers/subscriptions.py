"""Collects every service's event handlers: importing a service's `subscriptions.py` registers
them (`services.core.outbox.subscriber`)."""

import importlib
import importlib.util

from services.core.settings import SERVICE_NAMES

# The platform's own reactions live in services/core; each service publishes its own.
OWNERS = ("core", *SERVICE_NAMES)


def collect() -> list[str]:
    """Import each owner's `subscriptions` module; returns the modules found."""
    found = []
    for owner in OWNERS:
        module = f"services.{owner}.subscriptions"
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)
            found.append(module)
    return found
