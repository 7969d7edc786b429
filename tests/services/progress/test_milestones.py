"""Milestones: achievements the mentee or the mentor shares, optionally tied to a goal of the
same mentorship, never dated in the future."""

import uuid
from datetime import UTC, datetime, timedelta

from tests.conftest import TenantFactory
from tests.services.progress.people import accepted_mentorship
from tests.services.progress.test_goals import (
    add_goal,
    events,
    inactivity_stage,
    set_inactivity_stage,
)

TODAY = datetime.now(UTC).date()


async def test_either_side_shares_milestones_listed_newest_first(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    path = f"/v1/mentorships/{pair.mentorship_id}/milestones"
    goal = (await add_goal(client, pair)).json()
    await set_inactivity_stage(tenant, pair, "notice")

    first = await client.post(
        path,
        json={
            "title": "Talk accepted at the Go meetup",
            "description": "In March",
            "goal_id": goal["id"],
            "achieved_on": (TODAY - timedelta(days=3)).isoformat(),
        },
        headers=pair.mentee,
    )
    assert first.status_code == 201, first.text
    shared = first.json()
    assert first.headers["Location"] == f"{path}/{shared['id']}"
    assert (shared["goal_id"], shared["created_by"]) == (goal["id"], pair.mentee_id)
    assert await inactivity_stage(tenant, pair) is None  # sharing is activity
    second = await client.post(
        path,
        json={"title": "First design review run", "achieved_on": TODAY.isoformat()},
        headers=pair.mentor,
    )
    assert second.status_code == 201, second.text
    assert (second.json()["goal_id"], second.json()["description"]) == (None, "")

    listed = await client.get(path, headers=pair.mentee)
    assert [m["id"] for m in listed.json()["items"]] == [second.json()["id"], shared["id"]]
    one = await client.get(first.headers["Location"], headers=pair.mentor)
    assert one.status_code == 200 and one.json() == shared
    page = await client.get(f"{path}?limit=1", headers=await tenant.admin_headers())
    assert [m["id"] for m in page.json()["items"]] == [second.json()["id"]]
    assert page.json()["next_cursor"] is not None

    announced = await events(tenant, "milestone.shared")
    assert [(e["milestone_id"], e["goal_id"], e["actor_id"]) for e in announced] == [
        (shared["id"], goal["id"], pair.mentee_id),
        (second.json()["id"], None, pair.mentor_id),
    ]
    # The goal is only pointed at, not changed.
    assert (
        await client.get(
            f"/v1/mentorships/{pair.mentorship_id}/goals/{goal['id']}", headers=pair.mentee
        )
    ).headers["ETag"] == '"1"'


async def test_bad_milestones_are_refused_naming_the_field(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    other = await accepted_mentorship(client, tenant, "bo@example.com", "ann@example.com")
    others_goal = (await add_goal(client, other)).json()
    path = f"/v1/mentorships/{pair.mentorship_id}/milestones"
    today = TODAY.isoformat()
    for body, field in (
        ({"title": "Done", "achieved_on": today, "goal_id": others_goal["id"]}, "goal_id"),
        ({"title": "Done", "achieved_on": today, "goal_id": str(uuid.uuid4())}, "goal_id"),
        ({"title": "Done", "achieved_on": today, "goal_id": "goal-1"}, "goal_id"),
        ({"title": "Done", "achieved_on": (TODAY + timedelta(days=2)).isoformat()}, "achieved_on"),
        ({"title": "Done", "achieved_on": "2026-13-01"}, "achieved_on"),
        ({"title": "Done"}, "achieved_on"),
        ({"title": "", "achieved_on": today}, "title"),
        ({"title": "x" * 501, "achieved_on": today}, "title"),
        ({"title": "Done", "achieved_on": today, "description": "x" * 5001}, "description"),
        ({"title": "Done", "achieved_on": today, "praise": "lots"}, "praise"),
    ):
        refused = await client.post(path, json=body, headers=pair.mentee)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["errors"][0]["loc"][:2] == ["body", field], (body, refused.text)
    assert (await client.get(path, headers=pair.mentee)).json()["items"] == []
    assert await events(tenant, "milestone.shared") == []


async def test_only_the_pair_shares_and_only_while_it_runs(
    client, make_tenant: TenantFactory
) -> None:
    tenant, elsewhere = await make_tenant(), await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    other = await accepted_mentorship(client, tenant, "bo@example.com", "ann@example.com")
    path = f"/v1/mentorships/{pair.mentorship_id}/milestones"
    body = {"title": "Shipped the plan", "achieved_on": TODAY.isoformat()}
    kept = await client.post(path, json=body, headers=pair.mentee)
    assert kept.status_code == 201

    for outsider in (other.mentor, await elsewhere.headers("mia@example.com")):
        assert (await client.post(path, json=body, headers=outsider)).status_code == 404
        assert (await client.get(path, headers=outsider)).status_code == 404
        assert (await client.get(kept.headers["Location"], headers=outsider)).status_code == 404
    # Another mentorship's milestone through this one's path is not there either.
    others = await client.post(
        f"/v1/mentorships/{other.mentorship_id}/milestones", json=body, headers=other.mentee
    )
    crossed = f"{path}/{others.json()['id']}"
    assert (await client.get(crossed, headers=pair.mentee)).status_code == 404
    admin = await tenant.admin_headers()
    by_admin = await client.post(path, json=body, headers=admin)
    assert by_admin.status_code == 403, by_admin.text
    assert (await client.get(path, headers=admin)).status_code == 200

    ended = await client.patch(
        f"/v1/mentorships/{pair.mentorship_id}",
        json={"status": "ended", "reason": "Moved teams"},
        headers=pair.mentee,
    )
    assert ended.status_code == 200, ended.text
    late = await client.post(path, json=body, headers=pair.mentor)
    assert late.status_code == 409
    assert (late.json()["reason"], late.json()["current_status"]) == ("mentorship_closed", "ended")
    assert [m["id"] for m in (await client.get(path, headers=pair.mentor)).json()["items"]] == [
        kept.json()["id"]
    ]
