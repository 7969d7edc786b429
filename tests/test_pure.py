"""Pure pieces: cursors, request fingerprints, the OpenAPI merge, routing."""

import contextlib
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.openapi import merge_openapi
from services.core.errors import Unprocessable
from services.core.idempotency import request_fingerprint
from services.core.pagination import decode_cursor, encode_cursor
from services.registry import is_public, service_for


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


def test_merge_refuses_duplicate_operation_ids() -> None:
    doc = {"paths": {"/a": {"get": {"operationId": "same"}}}}
    other = {"paths": {"/b": {"get": {"operationId": "same"}}}}
    with pytest.raises(ValueError, match="same"):
        merge_openapi([doc, other])


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/v1/users/me", "profiles"),
        ("/v1/programs", "profiles"),
        ("/v1/programs/123", "profiles"),
        ("/v1/programs/123/report", "progress"),
        ("/v1/programs/123/participants", "profiles"),
        ("/v1/mentorships/1/goals", "progress"),
        ("/v1/matching/recommendations", "matching"),
        ("/v1/requests/1/accept", "proposals"),
        ("/v1/requestsx", None),
        ("/scim/v2/Users", "profiles"),
        ("/v2/users", None),
    ],
)
def test_routes_by_path(path: str, service: str | None) -> None:
    assert service_for(path) == service


def test_only_scim_skips_the_gateway_token_check() -> None:
    assert is_public("/scim/v2/Users")
    assert not is_public("/v1/users/me")
