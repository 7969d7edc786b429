"""Goals: added and changed by either side while the mentorship runs, each redefinition kept as
a revision, and nothing for anyone who may not see the mentorship."""

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from services.core.db import database
from services.core.outbox.models import OutboxEvent
from services.progress.mentorships.models import Mentorship
from tests.conftest import TenantFactory, TenantHandle
from tests.services.progress.people import Pair, accepted_mentorship

SOON = (date.today() + timedelta(days=90)).isoformat()
LATER = (date.today() + timedelta(days=180)).isoformat()


def goals_path(pair: Pair) -> str:
    return f"/v1/mentorships/{pair.mentorship_id}/goals"


async def add_goal(client: httpx.AsyncClient, pair: Pair, **fields: Any) -> httpx.Response:
    body = {"title": "Give a conference talk", **fields}
    created = await client.post(goals_path(pair), json=body, headers=pair.mentee)
    assert created.status_code == 201, created.text
    return created


async def events(tenant: TenantHandle, event_type: str) -> list[dict[str, Any]]:
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        rows = await session.scalars(
            select(OutboxEvent.payload)
            .where(OutboxEvent.event_type == event_type)
            .order_by(OutboxEvent.seq)
        )
        return list(rows.all())


async def inactivity_stage(tenant: TenantHandle, pair: Pair) -> str | None:
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        mentorship = await session.get(Mentorship, uuid.UUID(pair.mentorship_id))
        assert mentorship is not None
        return mentorship.inactivity_stage


async def set_inactivity_stage(tenant: TenantHandle, pair: Pair, stage: str) -> None:
    async with database.transaction(tenant_id=tenant.id) as session:
        mentorship = await session.get(Mentorship, uuid.UUID(pair.mentorship_id))
        assert mentorship is not None
        mentorship.inactivity_stage = stage


async def test_a_goal_is_added_read_and_changed_under_its_etag(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    await set_inactivity_stage(tenant, pair, "warned")
    created = await add_goal(
        client, pair, success_criteria="Accepted at one meetup", target_date=SOON, progress=10
    )
    goal = created.json()
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == f"{goals_path(pair)}/{goal['id']}"
    assert (goal["status"], goal["progress"], goal["target_date"]) == ("active", 10, SOON)
    assert goal["created_by"] == pair.mentee_id
    assert await inactivity_stage(tenant, pair) is None  # adding a goal is activity

    read = await client.get(created.headers["Location"], headers=pair.mentor)
    assert read.status_code == 200 and read.json() == goal and read.headers["ETag"] == '"1"'
    listed = await client.get(goals_path(pair), headers=pair.mentor)
    titles = [g["title"] for g in listed.json()["items"]]
    assert titles == ["Give a conference talk", *pair.request["goals"]]  # newest first

    moved = await client.patch(
        created.headers["Location"],
        json={"progress": 60},
        headers={**pair.mentor, "If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["progress"] == 60 and moved.headers["ETag"] == '"2"'
    stale = await client.patch(
        created.headers["Location"],
        json={"progress": 80},
        headers={**pair.mentee, "If-Match": '"1"'},
    )
    assert stale.status_code == 412 and stale.json()["current_etag"] == '"2"'
    assert (await client.get(created.headers["Location"], headers=pair.mentee)).json()[
        "progress"
    ] == 60

    achieved = await client.patch(
        created.headers["Location"], json={"status": "achieved"}, headers=pair.mentee
    )
    assert (achieved.json()["status"], achieved.json()["progress"]) == ("achieved", 100)
    lowered = await client.patch(
        created.headers["Location"], json={"progress": 90}, headers=pair.mentee
    )
    assert lowered.status_code == 422
    assert lowered.json()["errors"][0]["loc"] == ["body", "progress"]
    reopened = await client.patch(
        created.headers["Location"], json={"status": "active", "progress": 90}, headers=pair.mentee
    )
    assert (reopened.json()["status"], reopened.json()["progress"]) == ("active", 90)

    admin = await tenant.admin_headers()
    await set_inactivity_stage(tenant, pair, "warned")
    by_admin = await client.post(goals_path(pair), json={"title": "Mentor a junior"}, headers=admin)
    assert by_admin.status_code == 201, by_admin.text
    # An admin's change is not the pair's activity: the inactivity policy keeps counting.
    assert await inactivity_stage(tenant, pair) == "warned"

    updates = await events(tenant, "goal.updated")
    assert [(u["fields"], u["progress"], u["status"]) for u in updates] == [
        (["progress"], 60, "active"),
        (["progress", "status"], 100, "achieved"),
        (["progress", "status"], 90, "active"),
    ]
    created_events = await events(tenant, "goal.created")
    assert [e["goal_id"] for e in created_events] == [goal["id"], by_admin.json()["id"]]
    assert created_events[0]["actor_id"] == pair.mentee_id
    assert await events(tenant, "goal.revised") == []


async def test_each_redefinition_is_kept_newest_first_with_what_changed(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    created = await add_goal(client, pair, success_criteria="One talk", target_date=SOON)
    path = created.headers["Location"]

    async def patch(body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        response = await client.patch(path, json=body, headers=headers)
        assert response.status_code == 200, response.text
        return response

    await patch({"title": "Give two conference talks"}, pair.mentee)
    await patch(
        {"success_criteria": "Two talks", "target_date": LATER, "progress": 30}, pair.mentor
    )
    await patch({"title": "Give two conference talks", "target_date": None}, pair.mentee)
    # Neither a description nor progress redefines the goal, nor does a value sent unchanged.
    await patch({"description": "Start with a meetup", "progress": 40}, pair.mentor)
    same = await patch({"success_criteria": "Two talks"}, pair.mentee)
    assert same.headers["ETag"] == '"5"'  # four changes; the last one was none

    revisions = await client.get(f"{path}/revisions", headers=pair.mentee)
    assert revisions.status_code == 200
    items = revisions.json()["items"]
    assert [(r["changed_by"], r["before"], r["after"]) for r in items] == [
        (pair.mentee_id, {"target_date": LATER}, {"target_date": None}),
        (
            pair.mentor_id,
            {"success_criteria": "One talk", "target_date": SOON},
            {"success_criteria": "Two talks", "target_date": LATER},
        ),
        (
            pair.mentee_id,
            {"title": "Give a conference talk"},
            {"title": "Give two conference talks"},
        ),
    ]
    assert items[0]["changed_at"] > items[1]["changed_at"] > items[2]["changed_at"]
    assert revisions.json()["next_cursor"] is None

    first = await client.get(f"{path}/revisions?limit=2", headers=pair.mentor)
    assert [r["id"] for r in first.json()["items"]] == [r["id"] for r in items[:2]]
    rest = await client.get(
        f"{path}/revisions", params={"cursor": first.json()["next_cursor"]}, headers=pair.mentor
    )
    assert [r["id"] for r in rest.json()["items"]] == [items[2]["id"]]

    revised = await events(tenant, "goal.revised")
    assert [(e["revision_id"], e["before"], e["after"]) for e in revised] == [
        (r["id"], r["before"], r["after"]) for r in reversed(items)
    ]
    assert [e["actor_id"] for e in revised] == [pair.mentee_id, pair.mentor_id, pair.mentee_id]
    assert len(await events(tenant, "goal.created")) == 1
    assert [e["fields"] for e in await events(tenant, "goal.updated")] == [
        ["progress"],
        ["description", "progress"],
    ]


async def test_bad_goals_and_changes_are_refused_naming_the_field(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    for body, field in (
        ({"title": "Talk", "progress": 101}, "progress"),
        ({"title": "Talk", "progress": -1}, "progress"),
        ({"title": "Talk", "progress": "50"}, "progress"),
        ({"title": "Talk", "progress": 50.0}, "progress"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"title": "Tal\u0000k"}, "title"),
        ({"title": "Talk", "success_criteria": "x" * 5001}, "success_criteria"),
        ({"title": "Talk", "target_date": "2026-02-30"}, "target_date"),
        ({"title": "Talk", "target_date": "2000-01-01"}, "target_date"),  # before it started
        ({"title": "Talk", "status": "achieved"}, "status"),  # a new goal is active
        ({"description": "no title"}, "title"),
    ):
        refused = await client.post(goals_path(pair), json=body, headers=pair.mentee)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["errors"][0]["loc"][:2] == ["body", field], (body, refused.text)

    created = await add_goal(client, pair)
    path = created.headers["Location"]
    for body, field in (
        ({"progress": 101}, "progress"),
        ({"progress": None}, "progress"),
        ({"title": None}, "title"),
        ({"status": None}, "status"),
        ({"status": "done"}, "status"),
        ({"title": ""}, "title"),
        ({"target_date": "1999-12-31"}, "target_date"),
        ({"status": "achieved", "progress": 50}, "progress"),
        ({"owner": "me"}, "owner"),
    ):
        refused = await client.patch(path, json=body, headers=pair.mentee)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["errors"][0]["loc"][:2] == ["body", field], (body, refused.text)
    unchanged = await client.get(path, headers=pair.mentee)
    assert unchanged.json() == created.json() and unchanged.headers["ETag"] == '"1"'
    listed = await client.get(goals_path(pair), headers=pair.mentee)
    assert len(listed.json()["items"]) == 1 + len(pair.request["goals"])
    assert (await client.get(f"{path}/revisions", headers=pair.mentee)).json()["items"] == []


async def test_only_those_who_see_the_mentorship_reach_its_goals(
    client, make_tenant: TenantFactory
) -> None:
    tenant, elsewhere = await make_tenant(), await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    other = await accepted_mentorship(client, tenant, "bo@example.com", "ann@example.com")
    goal = (await add_goal(client, pair)).json()
    others_goal = (await add_goal(client, other)).json()

    # Another mentorship's goal, or none at all, through this mentorship: 404 on every path.
    for goal_id in (others_goal["id"], str(uuid.uuid4())):
        path = f"{goals_path(pair)}/{goal_id}"
        assert (await client.get(path, headers=pair.mentee)).status_code == 404
        assert (await client.get(f"{path}/revisions", headers=pair.mentee)).status_code == 404
        patched = await client.patch(path, json={"progress": 5}, headers=pair.mentee)
        assert patched.status_code == 404
    assert (
        await client.get(f"{goals_path(pair)}/not-an-id", headers=pair.mentee)
    ).status_code == 422

    path = f"{goals_path(pair)}/{goal['id']}"
    for outsider in (
        other.mentee,
        await elsewhere.headers("mia@example.com"),
        await elsewhere.admin_headers(),
    ):
        assert (await client.get(goals_path(pair), headers=outsider)).status_code == 404
        assert (await client.get(path, headers=outsider)).status_code == 404
        assert (await client.get(f"{path}/revisions", headers=outsider)).status_code == 404
        added = await client.post(goals_path(pair), json={"title": "Mine"}, headers=outsider)
        assert added.status_code == 404
        patched = await client.patch(path, json={"progress": 5}, headers=outsider)
        assert patched.status_code == 404
    admin = await tenant.admin_headers()
    assert (await client.get(path, headers=admin)).json()["progress"] == 0
    assert (await client.patch(path, json={"progress": 5}, headers=admin)).status_code == 200
    assert (await client.get(path, headers=pair.mentee)).json()["progress"] == 5
    assert (
        await client.get(f"{goals_path(other)}/{others_goal['id']}", headers=other.mentee)
    ).json()["progress"] == 0


async def test_a_closed_mentorship_keeps_its_goals_readable_and_takes_no_change(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    goal = (await add_goal(client, pair)).json()
    path = f"{goals_path(pair)}/{goal['id']}"
    done = await client.patch(
        f"/v1/mentorships/{pair.mentorship_id}", json={"status": "completed"}, headers=pair.mentor
    )
    assert done.status_code == 200, done.text

    added = await client.post(goals_path(pair), json={"title": "One more"}, headers=pair.mentee)
    patched = await client.patch(path, json={"status": "achieved"}, headers=pair.mentee)
    for refused in (added, patched):
        assert refused.status_code == 409, refused.text
        assert (refused.json()["reason"], refused.json()["current_status"]) == (
            "mentorship_closed",
            "completed",
        )
    assert (await client.get(path, headers=pair.mentee)).json() == goal
    assert len((await client.get(goals_path(pair), headers=pair.mentor)).json()["items"]) == 2
    assert len(await events(tenant, "goal.created")) == 1


async def test_a_mentorship_holds_at_most_twenty_goals(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    for n in range(20 - len(pair.request["goals"])):
        await add_goal(client, pair, title=f"Goal {n}")
    refused = await client.post(
        goals_path(pair), json={"title": "One too many"}, headers=pair.mentee
    )
    assert refused.status_code == 409, refused.text
    assert (refused.json()["reason"], refused.json()["limit"]) == ("too_many_goals", 20)
    page = await client.get(f"{goals_path(pair)}?limit=100", headers=pair.mentee)
    assert len(page.json()["items"]) == 20
