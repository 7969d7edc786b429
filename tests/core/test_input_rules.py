"""The rules every piece of client input obeys, as properties: storable text, strict types,
cursors that are ours or a 422, import lines bounded in depth and number size."""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field, ValidationError

from services.core.errors import Unprocessable
from services.core.pagination import (
    decode_cursor,
    decode_position,
    encode_position,
    number_part,
    tag_part,
    timestamp_part,
    uuid_part,
)
from services.core.schemas import RequestBody, unstorable
from services.profiles.imports.formats import MAX_JSON_DEPTH, JsonLinesParser, RowError


class Inner(RequestBody):
    count: int = 0
    flag: bool = False
    ratio: float = 0.0


class Body(RequestBody):
    name: str = ""
    tags: dict[str, str] = Field(default_factory=dict)
    free: Any = None
    inner: Inner | None = None
    items: list[Inner] = Field(default_factory=list)


json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)


@given(st.text())
def test_text_is_accepted_exactly_when_postgresql_can_store_it(text: str) -> None:
    for body in ({"name": text}, {"tags": {text: "v"}}, {"free": [{"k": text}]}):
        try:
            Body.model_validate(body)
            accepted = True
        except ValidationError:
            accepted = False
        assert accepted is not unstorable(text)


@given(st.text(min_size=1).filter(lambda t: not unstorable(t)), st.sampled_from(["\x00", "\ud800"]))
def test_a_nul_or_surrogate_anywhere_is_refused_at_its_place(text: str, bad: str) -> None:
    hostile = text[: len(text) // 2] + bad + text[len(text) // 2 :]
    with pytest.raises(ValidationError) as refused:
        Body.model_validate({"items": [{}, {}], "inner": {}, "tags": {"ok": hostile}})
    assert [error["loc"] for error in refused.value.errors()] == [("tags", "ok")]


@given(json_scalars)
def test_numbers_and_booleans_are_taken_only_as_themselves(value: Any) -> None:
    def accepted(field: str) -> bool:
        try:
            Inner.model_validate({field: value})
            return True
        except ValidationError:
            return False

    is_bool = isinstance(value, bool)
    assert accepted("flag") is is_bool
    assert accepted("count") is (isinstance(value, int) and not is_bool)
    assert accepted("ratio") is (isinstance(value, int | float) and not is_bool)


def test_json_natural_forms_still_read() -> None:
    class Natural(RequestBody):
        id: uuid.UUID
        at: datetime

    row_id = uuid.uuid4()
    parsed = Natural.model_validate({"id": str(row_id), "at": "2026-01-01T00:00:00Z"})
    assert parsed.id == row_id and parsed.at.tzinfo is not None


def test_text_cells_may_be_read_leniently() -> None:
    assert Inner.model_validate({"count": "3", "flag": "yes"}, strict=False).count == 3


def test_response_models_are_not_strict() -> None:
    class Read(BaseModel):
        count: int

    assert Read.model_validate({"count": "3"}).count == 3


@given(st.datetimes(timezones=st.just(UTC)), st.uuids())
def test_cursors_round_trip(created_at: datetime, row_id: uuid.UUID) -> None:
    assert decode_cursor(encode_position([created_at.isoformat(), str(row_id)])) == (
        created_at,
        row_id,
    )


@given(json_values)
def test_any_json_in_a_cursor_is_a_position_or_a_422(value: Any) -> None:
    cursor = encode_position(value if isinstance(value, list) else [value])
    for readers in (
        (timestamp_part, uuid_part),
        (tag_part("q"), number_part, uuid_part),
        (tag_part("new"), timestamp_part, uuid_part),
    ):
        try:
            parts = decode_position(cursor, *readers)
        except Unprocessable:
            continue
        assert len(parts) == len(readers)


@given(st.integers(min_value=0, max_value=3 * MAX_JSON_DEPTH), st.integers(1, 6000))
def test_an_import_line_is_a_record_or_row_errors(depth: int, digits: int) -> None:
    nested = "[" * depth + "9" * digits + "]" * depth
    line = json.dumps({"email": "a@example.com"})[:-1] + f', "x": {nested}}}'
    parsed = JsonLinesParser().parse(1, line.encode())
    if isinstance(parsed, list):
        assert all(isinstance(error, RowError) and error.row == 1 for error in parsed)
        assert depth + 1 > MAX_JSON_DEPTH or digits > 40
    else:
        assert parsed["email"] == "a@example.com"
