"""A mentorship's statuses and the changes between them, as data. Pure.

    active <-> paused
    active, paused --> completed (the goals were reached, or the agreed time is over)
    active, paused --> ended (stopped early, with a reason)

Completed and ended are final: the mentorship's record stays readable, nothing is added to it.
"""

from typing import Final, Literal

Status = Literal["active", "paused", "completed", "ended"]

RUNNING: Final = ("active", "paused")
CLOSED: Final = ("completed", "ended")

CHANGES: Final[dict[str, frozenset[str]]] = {
    "active": frozenset({"paused", "completed", "ended"}),
    "paused": frozenset({"active", "completed", "ended"}),
    "completed": frozenset(),
    "ended": frozenset(),
}


def may_change(source: str, target: str) -> bool:
    """Whether a mentorship in `source` may move to `target` (staying put is no change)."""
    return target in CHANGES.get(source, frozenset())
