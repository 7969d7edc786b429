"""Pure pieces of the gateway: the OpenAPI merge and routing."""

import pytest

from api.openapi import merge_openapi
from api.routes import is_public, service_for


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
