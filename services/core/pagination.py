"""Cursor pagination: `?limit=&cursor=` in, `{items, next_cursor}` out.

Keyset over (created_at, id), newest first, so a page never shifts when rows are inserted
while a client walks the list.
"""

import base64
import json
import math
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Self, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.errors import FieldError, Unprocessable

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None

    @classmethod
    def of(cls, rows: Iterable[Any], next_cursor: str | None = None) -> Self:
        """`Page[XRead].of(rows, next_cursor)`: each row (an ORM object, or an item already
        built) read as the page's item type."""
        return cls.model_validate(
            {"items": list(rows), "next_cursor": next_cursor}, from_attributes=True
        )


class PageParams(BaseModel):
    limit: int
    cursor: str | None


async def page_params(
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page."),
    cursor: str | None = Query(None, max_length=200, description="From a previous next_cursor."),
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


PageQuery = Annotated[PageParams, Depends(page_params)]


def encode_position(parts: list[Any]) -> str:
    """An opaque cursor for a keyset position (JSON values)."""
    raw = json.dumps(parts).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Reads one part of a position back, raising ValueError, TypeError or OverflowError for a
# value no cursor of ours holds.
PartReader = Callable[[Any], Any]


def timestamp_part(value: Any) -> datetime:
    """A moment we wrote (aware, ISO 8601), in UTC. One that has no UTC form within Python's
    years (e.g. 0001-01-01T00:00+14:00) is refused here instead of by the driver."""
    if not isinstance(value, str):
        raise TypeError("not a timestamp")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a timestamp without a time zone")
    return moment.astimezone(UTC)


def uuid_part(value: Any) -> uuid.UUID:
    if not isinstance(value, str):
        raise TypeError("not an id")
    return uuid.UUID(value)


def number_part(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("not a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


def tag_part(expected: str) -> PartReader:
    """The name of the ordering a cursor belongs to: a cursor of another one is refused."""

    def read(value: Any) -> str:
        if value != expected:
            raise ValueError("a cursor of another ordering")
        return expected

    return read


def decode_position(cursor: str, *parts: PartReader) -> list[Any]:
    """The position back, each part read by its reader; 422 for anything that is not a cursor
    of this list, whatever is inside it."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(parts):
            raise ValueError("not a position of this list")
        return [read(value) for read, value in zip(parts, values, strict=True)]
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise invalid_cursor() from exc


def invalid_cursor() -> Unprocessable:
    return Unprocessable(
        "The cursor is not valid for this list; start again without one.",
        errors=[FieldError(loc=["query", "cursor"], msg="not a cursor from this list")],
    )


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    return encode_position([created_at.isoformat(), str(row_id)])


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    created_at, row_id = decode_position(cursor, timestamp_part, uuid_part)
    return created_at, row_id


async def paginate(
    session: AsyncSession, stmt: Select[Any], model: Any, params: PageParams
) -> tuple[list[Any], str | None]:
    """Run `stmt` (selecting `model`) one page at a time."""
    if params.cursor:
        created_at, row_id = decode_cursor(params.cursor)
        stmt = stmt.where(
            or_(
                model.created_at < created_at,
                and_(model.created_at == created_at, model.id < row_id),
            )
        )
    stmt = stmt.order_by(model.created_at.desc(), model.id.desc()).limit(params.limit + 1)
    rows = list((await session.scalars(stmt)).all())
    if len(rows) <= params.limit:
        return rows, None
    rows = rows[: params.limit]
    last = rows[-1]
    return rows, encode_cursor(last.created_at, last.id)
