"""ETag and If-Match: clients update a resource only if it is still the version they read."""

from fastapi import Response

from services.core.errors import PreconditionFailed
from services.core.models import Versioned


def etag(version: int) -> str:
    """The ETag of a resource at `version` (0: not written yet; a write with it creates it)."""
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def check_if_match(if_match: str | None, current: str) -> None:
    """`current` is the resource's ETag now. No header: the client accepts last-writer-wins.
    A header that names none of the current version: someone changed the resource since the
    client read it."""
    if if_match is None:
        return
    candidates = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" in candidates or current in candidates:
        return
    raise PreconditionFailed(
        "The resource was changed since you read it; fetch it again and reapply your change.",
        current_etag=current,
    )


def bump_version(obj: Versioned) -> None:
    obj.version = obj.version + 1
