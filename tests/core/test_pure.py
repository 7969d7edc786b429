"""Pure pieces of the core: cursors and request fingerprints."""

import contextlib
import uuid
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from services.core.errors import Unprocessable
from services.core.idempotency import request_fingerprint
from services.core.pagination import decode_cursor, encode_cursor


@given(st.datetimes(timezones=st.just(UTC)), st.uuids())
def test_cursor_round_trips(created_at: datetime, row_id: uuid.UUID) -> None:
    assert decode_cursor(encode_cursor(created_at, row_id)) == (created_at, row_id)


@given(st.text(max_size=40))
def test_any_string_is_a_cursor_or_a_clear_error(text: str) -> None:
    with contextlib.suppress(Unprocessable):
        decode_cursor(text)


@given(st.binary(), st.binary())
def test_fingerprints_differ_when_bodies_differ(a: bytes, b: bytes) -> None:
    same = request_fingerprint("POST", "/v1/x", b"", a) == request_fingerprint(
        "POST", "/v1/x", b"", b
    )
    assert same == (a == b)


def test_fingerprint_separates_fields() -> None:
    assert request_fingerprint("POST", "/v1/ab", b"", b"c") != request_fingerprint(
        "POST", "/v1/a", b"", b"bc"
    )
