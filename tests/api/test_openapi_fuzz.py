"""Every operation of the gateway's merged OpenAPI, driven by schemathesis with hostile values:
no answer is a 5xx, and every error is a problem (SCIM's own error message under /scim).

Schemathesis generates the requests (valid ones and ones that break the schema, with NUL and
other control characters in strings, plus boundary values we add: timestamps at the ends of
time, integers past 64 bits, our own cursors with wrong contents); the gateway answers them
in-process on this test's event loop, where the database and Redis connections live, so
schemathesis' own (threaded) ASGI client is not used. Each operation gets a tenant of its own,
with an admin's token, a member, a program and a mentorship to aim at, all rolled back at the
end.
"""

import asyncio
import base64
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from api.gateway import Gateway
from services.core.db import database
from services.core.errors import PROBLEM_JSON
from services.progress.goals.models import Goal
from services.progress.mentorships.models import Mentorship
from tests.conftest import TenantFactory, http_client

# Bounded so the whole suite stays well under five minutes on two cores.
EXAMPLES_PER_OPERATION = 30
SCIM_JSON = "application/scim+json"

ENDS_OF_TIME = [
    "0001-01-01T00:00:00+14:00",  # no UTC form within Python's years
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999Z",
    "2026-02-30T00:00:00Z",
    "2026-01-01T00:00:00",
]
HOSTILE_NUMBERS = [2**63, -(2**63) - 1, 2**64, 10**30, -1, 0, 1e308, -0.0]
HOSTILE_TEXT = ["\u0000", "a\u0000b", " ", "\u200b", "\ufeff", "\U0010ffff", "%00", "'; --"]


def _cursor(parts: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


_ROW = "0b0e3b55-6a40-4f0c-9a8e-2b7c1d1e8f00"
HOSTILE_CURSOR_SAMPLES = [
    *(_cursor([value, _ROW]) for value in [*ENDS_OF_TIME, *HOSTILE_NUMBERS, True, None]),
    *(_cursor([kind, value, _ROW]) for kind in ("q", "new") for value in [*ENDS_OF_TIME, 1e308]),
    _cursor(["2026-01-01T00:00:00+00:00", 5]),
    _cursor({"a": 1}),
    _cursor([]),
    "%%%",
    "\u0000",
]

# Boundary values in the generation of the formats the spec uses.
schemathesis.openapi.format(
    "date-time",
    st.sampled_from(ENDS_OF_TIME) | st.datetimes().map(lambda moment: moment.isoformat()),
)
schemathesis.openapi.format(
    "date",
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-29"])
    | st.dates().map(lambda day: day.isoformat()),
)


@pytest.fixture(scope="session")
async def session_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


class Target:
    """One operation's tenant: whose token calls, which real ids a path may name, and the id a
    path parameter of a given name is aimed at (the mentorship of `/v1/mentorships/{id}/...`
    and what is in it, which no other id would reach)."""

    def __init__(
        self, headers: dict[str, str], scim: dict[str, str], ids: list[str], named: dict[str, str]
    ) -> None:
        self.headers = headers
        self.scim = scim
        self.ids = ids
        self.named = named


async def _target(client: httpx.AsyncClient, make_tenant: TenantFactory) -> Target:
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    member = await tenant.headers(f"member-{uuid.uuid4().hex[:6]}@example.com", ["mentor"])
    member_id = (await client.get("/v1/users/me", headers=member)).json()["id"]
    program_id = (await client.get("/v1/programs", headers=admin)).json()["items"][0]["id"]
    token = (await client.post("/v1/tenant/scim-tokens", headers=admin)).json()
    imported = await client.post(
        "/v1/admin/imports",
        content=b'{"email": "imported@example.com"}\n',
        headers={**admin, "Content-Type": "application/x-ndjson"},
    )
    ids = [member_id, program_id, token["id"], imported.json()["id"]]
    mentorship_ids, named = await _mentorship_ids(client, tenant.id, admin, member_id)
    ids += mentorship_ids
    return Target(admin, {"Authorization": f"Bearer {token['token']}"}, ids, named)


async def _mentorship_ids(
    client: httpx.AsyncClient, tenant_id: uuid.UUID, admin: dict[str, str], mentor_id: str
) -> tuple[list[str], dict[str, str]]:
    """A mentorship the calling admin takes part in (as its mentee, so its writes reach their
    handlers too), with a goal, a meeting and a check-in; and the path parameters that name
    the mentorship and the goal."""
    admin_id = (await client.get("/v1/users/me", headers=admin)).json()["id"]
    async with database.transaction(tenant_id=tenant_id) as session:
        mentorship = Mentorship(
            tenant_id=tenant_id,
            mentee_id=uuid.UUID(admin_id),
            mentor_id=uuid.UUID(mentor_id),
            status="active",
            cadence={"interval_days": 14, "session_minutes": 45},
        )
        session.add(mentorship)
        await session.flush()
        goal = Goal(tenant_id=tenant_id, mentorship_id=mentorship.id, title="Fuzzed")
        session.add(goal)
    path = f"/v1/mentorships/{mentorship.id}"
    starts_at = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    meeting = await client.post(
        f"{path}/meetings", json={"starts_at": starts_at, "minutes": 30}, headers=admin
    )
    check_in = await client.post(f"{path}/check-ins", json={"summary": "Hi"}, headers=admin)
    named = {"mentorship_id": str(mentorship.id), "goal_id": str(goal.id)}
    return [str(mentorship.id), meeting.json()["id"], check_in.json()["id"]], named


def _operations(document: dict[str, Any]) -> list[Any]:
    schema = schemathesis.openapi.from_dict(document)
    return [result.ok() for result in schema.get_all_operations()]


def _make_hostile(values: dict[str, Any], aim: Callable[[list[Any]], Any]) -> None:
    """Swap some of the generated texts and numbers for the values that found 500s before."""
    for name, value in values.items():
        if not aim([False, False, True]):
            continue
        if isinstance(value, str):
            values[name] = aim(HOSTILE_TEXT)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            values[name] = aim(HOSTILE_NUMBERS)


def _request(case: Any, target: Target, aim: Callable[[list[Any]], Any]) -> requests.Request:
    """The case as a request, some of its path parameters pointed at real objects and its
    cursor, if it has one, at a hostile one."""
    for name in list(case.path_parameters or {}):
        if aim([True, False]):
            case.path_parameters[name] = target.named.get(name) or aim(target.ids)
    credentials = target.scim if case.path.startswith("/scim/") else target.headers
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    kwargs.pop("cookies", None)
    # Generated credentials would only meet the token check: every case calls as the admin.
    kwargs["headers"].update(credentials)
    params = kwargs.get("params")
    if isinstance(params, dict):
        _make_hostile(params, aim)
        if "cursor" in params and aim([True, False]):
            params["cursor"] = aim(HOSTILE_CURSOR_SAMPLES)
    if isinstance(kwargs.get("json"), dict):
        _make_hostile(kwargs["json"], aim)
    return requests.Request(**kwargs)


def _check(case: Any, response: httpx.Response) -> None:
    what = f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r}"
    assert response.status_code < 500, f"{what} -> {response.status_code} {response.text}"
    if response.status_code >= 400:
        expected = SCIM_JSON if case.path.startswith("/scim/") else PROBLEM_JSON
        content_type = response.headers.get("content-type", "")
        assert content_type.startswith(expected), f"{what} -> {content_type} {response.text}"


def _fuzz(
    operation: Any,
    target: Target,
    client: httpx.AsyncClient,
    run: Callable[[Any], Any],
    answered: dict[str, set[int]],
) -> None:
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, data=st.data())
    def exercise(case: Any, data: st.DataObject) -> None:
        request = _request(case, target, lambda options: data.draw(st.sampled_from(options)))
        try:
            prepared = request.prepare()
        except ValueError:  # a body JSON cannot carry (an infinite float): no request to send
            reject()
        response = run(
            client.request(
                prepared.method or "GET",
                prepared.url or "/",
                headers=dict(prepared.headers),
                content=prepared.body,
            )
        )
        answered.setdefault(case.operation.label, set()).add(response.status_code)
        _check(case, response)

    exercise()


def test_no_operation_answers_hostile_input_with_a_5xx(
    session_loop: asyncio.AbstractEventLoop,
    gateway: Gateway,
    rolled_back: None,
    make_tenant: TenantFactory,
) -> None:
    client = http_client(gateway)
    run = session_loop.run_until_complete
    operations = _operations(run(gateway.openapi()))
    assert len(operations) > 30  # the whole API, not a part of it
    answered: dict[str, set[int]] = {}
    try:
        for operation in operations:
            _fuzz(operation, run(_target(client, make_tenant)), client, run, answered)
    finally:
        run(client.aclose())
    # The cases reached the handlers, not only the checks in front of them.
    succeeded = [label for label, statuses in answered.items() if min(statuses) < 300]
    assert len(succeeded) >= len(operations) // 2, sorted(answered.items())
