"""The request lifecycle as data: which action moves a request from which status to which, and
who may take it. Pure: the service looks up a step here before it writes anything.

    draft --send--> pending --accept--> accepted
                            --decline--> declined
                            --withdraw--> withdrawn
                            --expire--> expired
                            --counter--> countered --accept--> accepted (the mentee takes it)
                                                   --withdraw--> withdrawn
                                                   --expire--> expired
    draft --withdraw--> withdrawn (a draft the mentee gives up)

The platform (`system`) expires requests, withdraws a mentee's other requests when one is
accepted in a program that allows one mentor at a time, and sends the requests an admin's
cohort run creates.
"""

from dataclasses import dataclass
from typing import Final, Literal

Status = Literal["draft", "pending", "countered", "accepted", "declined", "withdrawn", "expired"]
Action = Literal["send", "accept", "decline", "counter", "withdraw", "expire"]
Party = Literal["mentee", "mentor", "system"]

STATUSES: Final[tuple[Status, ...]] = (
    "draft",
    "pending",
    "countered",
    "accepted",
    "declined",
    "withdrawn",
    "expired",
)
FINAL: Final = frozenset({"accepted", "declined", "withdrawn", "expired"})


@dataclass(frozen=True, slots=True)
class Step:
    to: Status
    by: frozenset[Party]


def _step(to: Status, *by: Party) -> Step:
    return Step(to, frozenset(by))


TRANSITIONS: Final[dict[tuple[Status, Action], Step]] = {
    ("draft", "send"): _step("pending", "mentee", "system"),
    ("draft", "withdraw"): _step("withdrawn", "mentee"),
    ("pending", "accept"): _step("accepted", "mentor"),
    ("pending", "decline"): _step("declined", "mentor"),
    ("pending", "counter"): _step("countered", "mentor"),
    ("pending", "withdraw"): _step("withdrawn", "mentee", "system"),
    ("pending", "expire"): _step("expired", "system"),
    ("countered", "accept"): _step("accepted", "mentee"),
    ("countered", "withdraw"): _step("withdrawn", "mentee", "system"),
    ("countered", "expire"): _step("expired", "system"),
}


class IllegalTransition(Exception):
    """No such step from this status."""

    def __init__(self, status: Status, action: Action) -> None:
        super().__init__(f"A {status} request cannot be {action}ed.")
        self.status = status
        self.action = action


class WrongParty(Exception):
    """The step exists, but this party may not take it."""

    def __init__(self, status: Status, action: Action, party: Party) -> None:
        super().__init__(f"The {party} cannot {action} a {status} request.")
        self.status = status
        self.action = action
        self.party = party


def step(status: Status, action: Action, party: Party) -> Status:
    """The status `action` by `party` leads to from `status`. Raises IllegalTransition when
    the action does not exist from this status, WrongParty when another party takes it."""
    found = TRANSITIONS.get((status, action))
    if found is None:
        raise IllegalTransition(status, action)
    if party not in found.by:
        raise WrongParty(status, action, party)
    return found.to


def allowed_actions(status: Status, party: Party) -> list[Action]:
    """What `party` may do with a request in `status`, in a stable order (for clients' buttons)."""
    return [
        action
        for (source, action), found in TRANSITIONS.items()
        if source == status and party in found.by
    ]
