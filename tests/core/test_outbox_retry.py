"""Pure pieces of the outbox: when a failed delivery is tried again, when it is given up, and
who subscribes to what."""

from hypothesis import given
from hypothesis import strategies as st

from services.core.outbox.retry import LONGEST_WAIT, gives_up, retry_delay
from services.core.outbox.subscribers import Subscriber, Subscribers

tries = st.integers(min_value=1, max_value=10_000)
first_waits = st.floats(min_value=0.1, max_value=600)


@given(tries, first_waits)
def test_a_retry_waits_longer_each_time_but_never_past_the_longest_wait(
    attempts: int, first: float
) -> None:
    delay = retry_delay(attempts, first)
    # (timedelta keeps microseconds)
    assert delay.total_seconds() >= min(first, LONGEST_WAIT.total_seconds()) - 1e-6
    assert delay <= LONGEST_WAIT
    assert retry_delay(attempts + 1, first) >= delay


def test_the_first_retry_waits_the_configured_time_then_doubles() -> None:
    assert [retry_delay(n, 10).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]


@given(tries, st.integers(min_value=1, max_value=100))
def test_a_delivery_is_given_up_exactly_from_the_cap_on(attempts: int, cap: int) -> None:
    assert gives_up(attempts, cap) == (attempts >= cap)


async def _handle(_session: object, _event: object) -> None:
    return None


async def _other(_session: object, _event: object) -> None:
    return None


def test_subscribers_are_found_by_event_type_and_names_are_unique() -> None:
    registry = Subscribers()
    registry.add(Subscriber("a.one", frozenset({"x.done", "y.done"}), _handle))  # type: ignore[arg-type]
    registry.add(Subscriber("a.one", frozenset({"x.done", "y.done"}), _handle))  # type: ignore[arg-type]
    registry.add(Subscriber("b.two", frozenset({"y.done"}), _other))  # type: ignore[arg-type]
    assert [s.name for s in registry.of("y.done")] == ["a.one", "b.two"]
    assert [s.name for s in registry.of("x.done")] == ["a.one"]
    assert registry.of("z.done") == []
    try:
        registry.add(Subscriber("a.one", frozenset({"z.done"}), _other))  # type: ignore[arg-type]
    except ValueError as error:
        assert "a.one" in str(error)
    else:
        raise AssertionError("a second subscriber took a name already in use")
