"""Listing mentorships: participants see their own, admins the organisation's."""

import uuid

from sqlalchemy import select

from services.core.db import database
from services.core.outbox.models import OutboxEvent
from services.progress.mentorships.models import Mentorship
from tests.conftest import TenantFactory
from tests.services.progress.people import Pair, accepted_mentorship


async def _user_id(client, headers: dict[str, str]) -> uuid.UUID:
    return uuid.UUID((await client.get("/v1/users/me", headers=headers)).json()["id"])


async def test_participants_see_their_own_and_admins_all(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    mia = await tenant.headers("mia@example.com")
    dev = await tenant.headers("dev@example.com", ["mentor"])
    bo = await tenant.headers("bo@example.com")
    mia_id, dev_id, bo_id = [await _user_id(client, h) for h in (mia, dev, bo)]
    async with database.transaction(tenant_id=tenant.id) as session:
        session.add(
            Mentorship(tenant_id=tenant.id, mentee_id=mia_id, mentor_id=dev_id, status="active")
        )
        session.add(
            Mentorship(tenant_id=tenant.id, mentee_id=bo_id, mentor_id=dev_id, status="completed")
        )

    async def mentees(headers: dict[str, str], query: str = "") -> list[str]:
        response = await client.get(f"/v1/mentorships?{query}", headers=headers)
        assert response.status_code == 200
        return sorted(m["mentee_id"] for m in response.json()["items"])

    assert await mentees(mia) == [str(mia_id)]
    assert await mentees(bo) == [str(bo_id)]
    assert await mentees(dev) == sorted([str(mia_id), str(bo_id)])
    assert await mentees(dev, "status=completed") == [str(bo_id)]
    assert await mentees(await tenant.admin_headers()) == sorted([str(mia_id), str(bo_id)])


async def _places_taken(client, pair: Pair) -> int:
    profile = await client.get(f"/v1/profiles/{pair.mentor_id}", headers=pair.mentee)
    return int(profile.json()["mentor"]["active_mentees"])


async def test_a_mentorship_pauses_resumes_and_ends_with_a_reason(
    client, make_tenant: TenantFactory
) -> None:
    tenant, elsewhere = await make_tenant(), await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    path = f"/v1/mentorships/{pair.mentorship_id}"
    read = await client.get(path, headers=pair.mentee)
    assert read.headers["ETag"] == '"1"' and await _places_taken(client, pair) == 1

    stale = await client.patch(
        path, json={"status": "paused"}, headers={**pair.mentee, "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    paused = await client.patch(
        path, json={"status": "paused"}, headers={**pair.mentee, "If-Match": read.headers["ETag"]}
    )
    assert paused.status_code == 200, paused.text
    assert paused.json()["status"] == "paused" and paused.headers["ETag"] == '"2"'
    cadence = {"interval_days": 21, "session_minutes": 30}
    resumed = await client.patch(
        path, json={"status": "active", "cadence": cadence}, headers=pair.mentor
    )
    assert (resumed.json()["status"], resumed.json()["cadence"]) == ("active", cadence)

    no_reason = await client.patch(path, json={"status": "ended"}, headers=pair.mentor)
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["loc"] == ["body", "reason"]
    for outsider in (await tenant.headers("sam@example.com"), await elsewhere.headers("x@y.z")):
        refused = await client.patch(path, json={"status": "paused"}, headers=outsider)
        assert refused.status_code == 404
    ended = await client.patch(
        path, json={"status": "ended", "reason": "Moved to another team"}, headers=pair.mentor
    )
    assert ended.status_code == 200, ended.text
    assert (ended.json()["status"], ended.json()["end_reason"]) == (
        "ended",
        "Moved to another team",
    )
    assert ended.json()["status_changed_at"] is not None
    assert await _places_taken(client, pair) == 0  # the mentor's place is given back

    for change in ({"status": "active"}, {"status": "completed"}, {"cadence": cadence}):
        late = await client.patch(path, json=change, headers=pair.mentee)
        assert late.status_code == 409, late.text
        assert late.json()["current_status"] == "ended"
    assert await _places_taken(client, pair) == 0
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        changes = (
            await session.scalars(
                select(OutboxEvent.payload)
                .where(OutboxEvent.event_type == "mentorship.status_changed")
                .order_by(OutboxEvent.seq)
            )
        ).all()
    assert [(c["from_status"], c["to_status"]) for c in changes] == [
        ("active", "paused"),
        ("paused", "active"),
        ("active", "ended"),
    ]
    assert changes[-1]["reason"] == "Moved to another team"


async def test_bad_changes_are_refused_and_change_nothing(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    path = f"/v1/mentorships/{pair.mentorship_id}"
    for body in (
        {"status": "finished"},
        {"cadence": {"interval_days": 0, "session_minutes": 30}},
        {"reason": "why not"},
        {"mood": "great"},
        {"status": "ended", "reason": "x" * 2001},
    ):
        response = await client.patch(path, json=body, headers=pair.mentee)
        assert response.status_code == 422, (body, response.text)
    read = await client.get(path, headers=pair.mentee)
    assert read.json()["status"] == "active" and read.headers["ETag"] == '"1"'
    done = await client.patch(path, json={"status": "completed"}, headers=pair.mentee)
    assert done.json()["status"] == "completed" and await _places_taken(client, pair) == 0
