"""A mentorship as the product makes one: a mentee's careful request to a mentor, sent and
accepted through the gateway. The progress tests start from it."""

from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import TenantHandle
from tests.services.proposals.people import careful_draft, put_mentor


@dataclass(frozen=True)
class Pair:
    mentee: dict[str, str]  # headers
    mentor: dict[str, str]
    mentee_id: str
    mentor_id: str
    mentorship_id: str
    request: dict[str, Any]  # the draft it was accepted from


async def accepted_mentorship(
    client: httpx.AsyncClient,
    tenant: TenantHandle,
    mentee_email: str = "mia@example.com",
    mentor_email: str = "dev@example.com",
    **mentor: Any,
) -> Pair:
    mentor_headers, mentor_id = await put_mentor(client, tenant, mentor_email, **mentor)
    mentee = await tenant.headers(mentee_email)
    draft = careful_draft(mentor_id)
    created = await client.post("/v1/requests", json=draft, headers=mentee)
    assert created.status_code == 201, created.text
    path = f"/v1/requests/{created.json()['id']}"
    assert (await client.post(f"{path}/send", headers=mentee)).status_code == 200
    accepted = await client.post(f"{path}/accept", headers=mentor_headers)
    assert accepted.status_code == 200, accepted.text
    return Pair(
        mentee=mentee,
        mentor=mentor_headers,
        mentee_id=accepted.json()["request"]["mentee_id"],
        mentor_id=mentor_id,
        mentorship_id=accepted.json()["mentorship_id"],
        request=draft,
    )
