"""If-Match parsing: the one dependency every PATCH/PUT takes its expected version from."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.core.errors import BadRequest, PreconditionFailed
from services.core.etags import MAX_VERSION, etag, expected_version
from tests.conftest import TenantFactory


@given(st.integers(min_value=0, max_value=MAX_VERSION))
def test_an_etag_we_gave_out_names_its_version(version: int) -> None:
    assert expected_version(etag(version)) == version
    assert expected_version(f" {etag(version)} , {etag(version)}") == version


@given(st.text())
def test_any_header_is_a_version_no_condition_or_a_4xx(header: str) -> None:
    try:
        version = expected_version(header)
    except (BadRequest, PreconditionFailed) as refused:
        assert refused.status in (400, 412)
    else:
        assert version is None or 0 <= version <= MAX_VERSION


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("*", None), (" * ", None), ('"0"', 0), ('"17"', 17)],
)
def test_headers_that_set_a_version_or_none(header: str | None, expected: int | None) -> None:
    assert expected_version(header) == expected


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("3", 400),  # not quoted
        ("", 400),
        ('"3', 400),
        ('"1", "2"', 400),  # one request, one version
        ('W/"3"', 412),  # weak tags never match (RFC 9110 13.1.1)
        ('"abc"', 412),
        ('"-1"', 412),
        ('"007"', 412),
        ('"99999999999999999999"', 412),
        ('"¹"', 412),  # a digit to Python, but not one of ours
    ],
)
def test_headers_refused(header: str, status: int) -> None:
    with pytest.raises((BadRequest, PreconditionFailed)) as refused:
        expected_version(header)
    assert refused.value.status == status


async def test_if_match_over_http(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    member = (
        await client.get("/v1/users/me", headers=await tenant.headers("bo@example.com"))
    ).json()
    url = f"/v1/users/{member['id']}"
    assert (await client.get(url, headers=admin)).headers["etag"] == '"1"'

    for header, status in (("garbage", 400), ('"1", "2"', 400), ('W/"1"', 412), ('"2"', 412)):
        refused = await client.patch(
            url, json={"display_name": "Never"}, headers={**admin, "If-Match": header}
        )
        assert refused.status_code == status, header
        assert refused.headers["content-type"] == "application/problem+json"
    stale = await client.patch(
        url, json={"display_name": "Never"}, headers={**admin, "If-Match": '"7"'}
    )
    assert stale.json()["current_etag"] == '"1"'

    fresh = await client.patch(
        url, json={"display_name": "Bo A"}, headers={**admin, "If-Match": '"1"'}
    )
    assert (fresh.status_code, fresh.headers["etag"]) == (200, '"2"')
    anything = await client.patch(
        url, json={"display_name": "Bo B"}, headers={**admin, "If-Match": "*"}
    )
    assert (anything.status_code, anything.headers["etag"]) == (200, '"3"')
    unconditional = await client.patch(url, json={"display_name": "Bo C"}, headers=admin)
    assert (unconditional.status_code, unconditional.headers["etag"]) == (200, '"4"')
    assert (await client.get(url, headers=admin)).json()["display_name"] == "Bo C"
