"""When a failed delivery is tried again. Pure."""

from datetime import timedelta
from typing import Final

# However many tries came before, a retry is never further off than this.
LONGEST_WAIT: Final = timedelta(minutes=15)


def retry_delay(attempts: int, first: float) -> timedelta:
    """The wait after the `attempts`-th try failed: `first` seconds, doubling with each try,
    at most `LONGEST_WAIT`."""
    longest = LONGEST_WAIT.total_seconds()
    exponent = min(max(attempts, 1) - 1, 32)  # 2**32 seconds is past any cap already
    return timedelta(seconds=min(first * 2**exponent, longest))


def gives_up(attempts: int, max_attempts: int) -> bool:
    """After this many tries, the delivery is parked for an operator instead of retried."""
    return attempts >= max_attempts
