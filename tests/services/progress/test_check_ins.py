"""Written check-ins: a short update from either side, which counts as keeping in touch."""

import uuid
from typing import Any

from sqlalchemy import select

from services.core.db import database
from services.core.outbox.models import OutboxEvent
from services.progress.mentorships.models import Mentorship
from tests.conftest import TenantFactory
from tests.services.progress.people import Pair, accepted_mentorship


def _check_ins(pair: Pair) -> str:
    return f"/v1/mentorships/{pair.mentorship_id}/check-ins"


async def _mentorship(tenant_id: uuid.UUID, mentorship_id: str) -> Mentorship:
    async with database.session(readonly=True, tenant_id=tenant_id) as session:
        mentorship = await session.get(Mentorship, uuid.UUID(mentorship_id))
        assert mentorship is not None
        return mentorship


async def _set(tenant_id: uuid.UUID, mentorship_id: str, **values: Any) -> None:
    async with database.transaction(tenant_id=tenant_id) as session:
        mentorship = await session.get(Mentorship, uuid.UUID(mentorship_id))
        assert mentorship is not None
        for name, value in values.items():
            setattr(mentorship, name, value)


async def test_both_sides_post_check_ins_which_restart_the_inactivity_policy(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    await _set(tenant.id, pair.mentorship_id, inactivity_stage="notice")
    before = await _mentorship(tenant.id, pair.mentorship_id)

    posted = await client.post(
        _check_ins(pair),
        json={
            "summary": "  Sent the design doc for review  ",
            "next_steps": "Walk through the comments",
            "blockers": "Waiting on the platform team",
        },
        headers=pair.mentee,
    )
    assert posted.status_code == 201, posted.text
    check_in = posted.json()
    assert (check_in["author_id"], check_in["side"]) == (pair.mentee_id, "mentee")
    assert check_in["summary"] == "Sent the design doc for review"
    assert check_in["blockers"] == "Waiting on the platform team"
    after = await _mentorship(tenant.id, pair.mentorship_id)
    assert after.inactivity_stage is None and after.updated_at > before.updated_at
    read = await client.get(posted.headers["Location"], headers=pair.mentor)
    assert read.status_code == 200 and read.json() == check_in

    reply = await client.post(
        _check_ins(pair), json={"summary": "Read it, looks good"}, headers=pair.mentor
    )
    assert reply.status_code == 201, reply.text
    assert (reply.json()["side"], reply.json()["next_steps"], reply.json()["blockers"]) == (
        "mentor",
        "",
        None,
    )

    first = await client.get(f"{_check_ins(pair)}?limit=1", headers=pair.mentee)
    assert [c["id"] for c in first.json()["items"]] == [reply.json()["id"]]
    rest = await client.get(
        f"{_check_ins(pair)}?limit=1&cursor={first.json()['next_cursor']}", headers=pair.mentee
    )
    assert [c["id"] for c in rest.json()["items"]] == [check_in["id"]]
    assert rest.json()["next_cursor"] is None
    admin = await tenant.admin_headers()
    assert len((await client.get(_check_ins(pair), headers=admin)).json()["items"]) == 2

    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        events = (
            await session.scalars(
                select(OutboxEvent.payload)
                .where(OutboxEvent.event_type == "check_in.posted")
                .order_by(OutboxEvent.seq)
            )
        ).all()
    assert [(e["side"], e["has_blockers"]) for e in events] == [
        ("mentee", True),
        ("mentor", False),
    ]
    assert events[0]["check_in_id"] == check_in["id"]
    assert events[0]["mentorship_id"] == pair.mentorship_id
    assert "summary" not in events[0]  # what was written stays in the mentorship


async def test_bad_check_ins_are_422_naming_the_field(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "summary"),
        ({"summary": ""}, "summary"),
        ({"summary": "   "}, "summary"),
        ({"summary": "x" * 5001}, "summary"),
        ({"summary": 42}, "summary"),
        ({"summary": "ok", "next_steps": "x" * 5001}, "next_steps"),
        ({"summary": "ok", "blockers": "x" * 5001}, "blockers"),
        ({"summary": "ok", "next_steps": None}, "next_steps"),
        ({"summary": "a\u0000b"}, "summary"),
        ({"summary": "ok", "author_id": pair.mentor_id}, "author_id"),
    ]
    for body, field in cases:
        refused = await client.post(_check_ins(pair), json=body, headers=pair.mentee)
        assert refused.status_code == 422, (body, refused.text)
        assert field in refused.json()["errors"][0]["loc"], (body, refused.json())
    assert (await client.get(_check_ins(pair), headers=pair.mentee)).json()["items"] == []
    longest = await client.post(_check_ins(pair), json={"summary": "x" * 5000}, headers=pair.mentee)
    assert longest.status_code == 201
    bad_cursor = await client.get(f"{_check_ins(pair)}?cursor=nope", headers=pair.mentee)
    assert bad_cursor.status_code == 422


async def test_who_may_read_and_post_check_ins(client, make_tenant: TenantFactory) -> None:
    tenant, elsewhere = await make_tenant(), await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    posted = await client.post(_check_ins(pair), json={"summary": "Hi"}, headers=pair.mentor)
    body = {"summary": "Let me in"}
    for outsider in (await tenant.headers("sam@example.com"), await elsewhere.admin_headers()):
        assert (await client.get(_check_ins(pair), headers=outsider)).status_code == 404
        assert (await client.get(posted.headers["Location"], headers=outsider)).status_code == 404
        refused = await client.post(_check_ins(pair), json=body, headers=outsider)
        assert refused.status_code == 404
    admin = await tenant.admin_headers()
    assert (await client.post(_check_ins(pair), json=body, headers=admin)).status_code == 403
    assert (await client.get(posted.headers["Location"], headers=admin)).status_code == 200
    other = await accepted_mentorship(client, tenant, "noa@example.com", "eli@example.com")
    crossed = f"{_check_ins(other)}/{posted.json()['id']}"
    assert (await client.get(crossed, headers=other.mentee)).status_code == 404
    items = (await client.get(_check_ins(pair), headers=pair.mentee)).json()["items"]
    assert [c["summary"] for c in items] == ["Hi"]


async def test_a_closed_or_held_mentorship_takes_no_check_ins(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    await _set(tenant.id, pair.mentorship_id, on_hold=True)
    held = await client.post(_check_ins(pair), json={"summary": "Hello?"}, headers=pair.mentee)
    assert held.status_code == 409 and held.json()["reason"] == "on_hold"
    await _set(tenant.id, pair.mentorship_id, on_hold=False)
    ended = await client.patch(
        f"/v1/mentorships/{pair.mentorship_id}",
        json={"status": "ended", "reason": "Changed roles"},
        headers=pair.mentee,
    )
    assert ended.status_code == 200, ended.text
    late = await client.post(_check_ins(pair), json={"summary": "One more"}, headers=pair.mentor)
    assert late.status_code == 409
    assert (late.json()["reason"], late.json()["current_status"]) == ("mentorship_closed", "ended")
    assert (await client.get(_check_ins(pair), headers=pair.mentee)).json()["items"] == []
