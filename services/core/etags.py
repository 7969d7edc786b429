"""ETag and If-Match: clients update a resource only if it is still the version they read.

A resource's ETag is its version column (`services.core.models.Versioned`), `"<version>"`.
Routes take the client's If-Match through the `IfMatch` dependency, which hands the service the
version it expects (None: no precondition). The service refuses a version that is already
stale at once (`expect_version`); the ORM's UPDATE then checks it again, atomically, in its
WHERE clause, so of many clients holding one ETag exactly one writes and the others get 412.
"""

import re
from typing import Annotated

from fastapi import Depends, Header, Response

from services.core.errors import BadRequest, PreconditionFailed

# The largest version the column holds (a PostgreSQL integer).
MAX_VERSION = 2**31 - 1
_ENTITY_TAG = re.compile(r'(W/)?"([\x21\x23-\x7e\x80-\xff]*)"')


def etag(version: int) -> str:
    """The ETag of a resource at `version` (0: not written yet; a write with it creates it)."""
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def stale(current: int | None = None) -> PreconditionFailed:
    extra = {"current_etag": etag(current)} if current is not None else {}
    return PreconditionFailed(
        "The resource was changed since you read it; fetch it again and reapply your change.",
        **extra,
    )


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match header asks for; None when it sets no condition (absent, or `*`:
    any current version). A header that is not a list of entity tags is 400; a tag that names
    no version we ever give out (weak, not a number, out of range) cannot match: 412. One
    request names one version, so several different tags are 400."""
    if if_match is None or if_match.strip() == "*":
        return None
    tags = [tag.strip() for tag in if_match.split(",")]
    matches = [_ENTITY_TAG.fullmatch(tag) for tag in tags]
    if not tags or any(match is None for match in matches):
        raise BadRequest('If-Match must be the ETag you read, such as If-Match: "3", or *.')
    opaque = {match.group(2) for match in matches if match is not None and not match.group(1)}
    if len(set(tags)) > 1:
        raise BadRequest("Send the one ETag you read in If-Match.")
    (value,) = opaque or {""}  # a weak tag never matches (RFC 9110 §13.1.1)
    if not value.isascii() or not value.isdigit() or value != str(int(value)):
        raise stale()
    version = int(value)
    if version > MAX_VERSION:
        raise stale()
    return version


async def if_match_header(
    if_match: str | None = Header(
        default=None,
        alias="If-Match",
        description='The ETag you read (e.g. "3"); a stale one is refused with 412. `*` or no '
        "header: write whatever the current version is.",
    ),
) -> int | None:
    return expected_version(if_match)


IfMatch = Annotated[int | None, Depends(if_match_header)]


def expect_version(current: int, expected: int | None) -> None:
    """Refuse at once a version that is already stale. Passing this is not enough: the write's
    UPDATE checks the version again (see `Versioned`), since another writer may get in between."""
    if expected is not None and current != expected:
        raise stale(current)
