"""Evaluations from both sides: the five ratings, progress per goal and comments, once per
participant per evaluation period, read by both participants and the organisation's admins."""

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from services.core.db import database
from services.progress.evaluations.models import Evaluation
from services.progress.mentorships.models import Mentorship
from tests.conftest import TenantFactory
from tests.events import events_of
from tests.services.progress.people import Pair, accepted_mentorship

RATINGS = {"communication": 4, "engagement": 5, "time_commitment": 3, "goal_fit": 4, "overall": 5}


def _path(pair: Pair) -> str:
    return f"/v1/mentorships/{pair.mentorship_id}/evaluations"


async def _goal_id(client: httpx.AsyncClient, pair: Pair) -> str:
    goals = await client.get(f"/v1/mentorships/{pair.mentorship_id}/goals", headers=pair.mentee)
    assert goals.status_code == 200, goals.text
    return str(goals.json()["items"][0]["id"])


def _body(**changes: Any) -> dict[str, Any]:
    return {"ratings": RATINGS, "comments": "", **changes}


async def test_both_sides_evaluate_and_both_read_both(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    goal_id = await _goal_id(client, pair)
    async with database.transaction(tenant_id=tenant.id) as session:
        await session.execute(
            update(Mentorship)
            .where(Mentorship.id == uuid.UUID(pair.mentorship_id))
            .values(inactivity_stage="warned")
        )

    by_mentee = await client.post(
        _path(pair),
        json=_body(goal_progress={goal_id: 40}, comments="Clear plan; I need to block time."),
        headers=pair.mentee,
    )
    assert by_mentee.status_code == 201, by_mentee.text
    mentee_view = by_mentee.json()
    assert by_mentee.headers["Location"] == f"{_path(pair)}/{mentee_view['id']}"
    today = datetime.now(UTC).date().isoformat()
    assert mentee_view["side"] == "mentee" and mentee_view["author_id"] == pair.mentee_id
    assert mentee_view["period_start"] == today  # a mentorship started today: period 0
    assert mentee_view["goal_progress"] == {goal_id: 40} and mentee_view["ratings"] == RATINGS
    assert mentee_view["comments"] == "Clear plan; I need to block time."

    mentor_ratings = {**RATINGS, "time_commitment": 2}
    by_mentor = await client.post(
        _path(pair),
        json={"ratings": mentor_ratings, "goal_progress": {goal_id: 25}},
        headers=pair.mentor,
    )
    assert by_mentor.status_code == 201, by_mentor.text
    assert by_mentor.json()["side"] == "mentor" and by_mentor.json()["comments"] == ""

    for headers in (pair.mentee, pair.mentor, await tenant.admin_headers()):
        listed = await client.get(_path(pair), headers=headers)
        assert listed.status_code == 200, listed.text
        items = listed.json()["items"]
        assert [item["side"] for item in items] == ["mentor", "mentee"]  # newest first
        assert items[1] == mentee_view
    one = await client.get(f"{_path(pair)}/{mentee_view['id']}", headers=pair.mentor)
    assert one.status_code == 200 and one.json() == mentee_view and one.headers["ETag"]
    paged = await client.get(f"{_path(pair)}?limit=1", headers=pair.mentee)
    assert len(paged.json()["items"]) == 1 and paged.json()["next_cursor"]
    rest = await client.get(
        f"{_path(pair)}?limit=1&cursor={paged.json()['next_cursor']}", headers=pair.mentee
    )
    assert rest.json()["items"][0]["side"] == "mentee" and rest.json()["next_cursor"] is None

    submitted = [p for _, p in await events_of(tenant.id, "evaluation.submitted")]
    assert [(e["side"], e["author_id"]) for e in submitted] == [
        ("mentee", pair.mentee_id),
        ("mentor", pair.mentor_id),
    ]
    assert submitted[1]["ratings"] == mentor_ratings
    assert submitted[0]["evaluation_id"] == mentee_view["id"]
    assert submitted[0]["mentorship_id"] == pair.mentorship_id
    assert submitted[0]["period_start"] == today
    # The goal keeps its own progress: an evaluation is its author's view of it.
    goals = await client.get(f"/v1/mentorships/{pair.mentorship_id}/goals", headers=pair.mentee)
    assert goals.json()["items"][0]["progress"] == 0
    # Evaluating is activity: the inactivity policy counts again from here.
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        stage = await session.scalar(
            select(Mentorship.inactivity_stage).where(
                Mentorship.id == uuid.UUID(pair.mentorship_id)
            )
        )
    assert stage is None


async def test_a_second_evaluation_in_the_same_period_is_409(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    assert (await client.post(_path(pair), json=_body(), headers=pair.mentee)).status_code == 201
    again = await client.post(
        _path(pair), json=_body(comments="changed my mind"), headers=pair.mentee
    )
    assert again.status_code == 409, again.text
    problem = again.json()
    assert problem["reason"] == "already_evaluated"
    assert problem["period_start"] == datetime.now(UTC).date().isoformat()
    assert "evaluated this period already" in problem["detail"]
    # The other side still has theirs to give.
    assert (await client.post(_path(pair), json=_body(), headers=pair.mentor)).status_code == 201
    listed = await client.get(_path(pair), headers=pair.mentee)
    assert [item["comments"] for item in listed.json()["items"]] == ["", ""]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("communication", 0),
        ("engagement", 6),
        ("time_commitment", "3"),
        ("goal_fit", 3.0),
        ("overall", True),
        ("overall", None),
    ],
)
async def test_ratings_are_whole_numbers_from_1_to_5(
    client, make_tenant: TenantFactory, field: str, value: Any
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    refused = await client.post(
        _path(pair), json=_body(ratings={**RATINGS, field: value}), headers=pair.mentee
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["loc"] == ["body", "ratings", field]
    assert (await client.get(_path(pair), headers=pair.mentee)).json()["items"] == []


async def test_hostile_bodies_name_the_field(client, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    other = await accepted_mentorship(client, tenant, "bo@example.com", "ann@example.com")
    goal_id, others_goal = await _goal_id(client, pair), await _goal_id(client, other)
    missing = {k: v for k, v in RATINGS.items() if k != "goal_fit"}
    cases: list[tuple[dict[str, Any], list[str | int]]] = [
        ({"comments": "no ratings"}, ["body", "ratings"]),
        (_body(ratings=missing), ["body", "ratings", "goal_fit"]),
        (_body(ratings={**RATINGS, "kindness": 5}), ["body", "ratings", "kindness"]),
        (_body(goal_progress={goal_id: 101}), ["body", "goal_progress", goal_id]),
        (_body(goal_progress={goal_id: -1}), ["body", "goal_progress", goal_id]),
        (_body(goal_progress={goal_id: "50"}), ["body", "goal_progress", goal_id]),
        (_body(goal_progress={"not-a-goal": 50}), ["body", "goal_progress", "not-a-goal", "[key]"]),
        (_body(goal_progress=[50]), ["body", "goal_progress"]),
        (_body(comments="x" * 5001), ["body", "comments"]),
        (_body(comments="a\u0000b"), ["body", "comments"]),
        (_body(side="mentor"), ["body", "side"]),
    ]
    for body, loc in cases:
        refused = await client.post(_path(pair), json=body, headers=pair.mentee)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["errors"][0]["loc"] == loc, body

    # A goal of another mentorship, or none at all, is not this mentorship's.
    for foreign in (others_goal, str(uuid.uuid4())):
        refused = await client.post(
            _path(pair), json=_body(goal_progress={goal_id: 10, foreign: 90}), headers=pair.mentee
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"] == [
            {"loc": ["body", "goal_progress", foreign], "msg": "not a goal of this mentorship"}
        ]
    assert (await client.get(_path(pair), headers=pair.mentee)).json()["items"] == []
    ok = await client.post(
        _path(pair), json=_body(goal_progress={goal_id: 100}), headers=pair.mentee
    )
    assert ok.status_code == 201, ok.text


async def test_admins_read_but_do_not_evaluate_and_outsiders_see_nothing(
    client, make_tenant: TenantFactory
) -> None:
    tenant, elsewhere = await make_tenant(), await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    admin = await tenant.admin_headers()
    refused = await client.post(_path(pair), json=_body(), headers=admin)
    assert refused.status_code == 403, refused.text
    assert (await client.get(_path(pair), headers=admin)).status_code == 200

    created = await client.post(_path(pair), json=_body(), headers=pair.mentee)
    evaluation_path = f"{_path(pair)}/{created.json()['id']}"
    for outsider in (
        await tenant.headers("sam@example.com"),
        await elsewhere.headers("mia@example.com"),
        await elsewhere.admin_headers(),
    ):
        assert (await client.post(_path(pair), json=_body(), headers=outsider)).status_code == 404
        assert (await client.get(_path(pair), headers=outsider)).status_code == 404
        assert (await client.get(evaluation_path, headers=outsider)).status_code == 404
    # An evaluation is found only under its own mentorship.
    other = await accepted_mentorship(client, tenant, "bo@example.com", "ann@example.com")
    astray = await client.get(f"{_path(other)}/{created.json()['id']}", headers=admin)
    assert astray.status_code == 404
    unknown = f"/v1/mentorships/{uuid.uuid4()}/evaluations"
    assert (await client.post(unknown, json=_body(), headers=pair.mentee)).status_code == 404


async def test_a_closed_mentorship_takes_no_evaluation_but_keeps_its_own(
    client, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    assert (await client.post(_path(pair), json=_body(), headers=pair.mentee)).status_code == 201
    ended = await client.patch(
        f"/v1/mentorships/{pair.mentorship_id}",
        json={"status": "ended", "reason": "The mentee changed teams."},
        headers=pair.mentee,
    )
    assert ended.status_code == 200, ended.text
    refused = await client.post(_path(pair), json=_body(), headers=pair.mentor)
    assert refused.status_code == 409, refused.text
    assert refused.json()["reason"] == "mentorship_closed"
    assert refused.json()["current_status"] == "ended"
    listed = await client.get(_path(pair), headers=pair.mentor)
    assert [item["side"] for item in listed.json()["items"]] == ["mentee"]


async def test_two_evaluations_sent_at_once_keep_one(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    answers = await asyncio.gather(
        *(
            client.post(_path(pair), json=_body(comments=f"take {n}"), headers=pair.mentee)
            for n in range(3)
        )
    )
    assert sorted(a.status_code for a in answers) == [201, 409, 409], [a.text for a in answers]
    assert all(a.json()["reason"] == "already_evaluated" for a in answers if a.status_code == 409)
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        kept = list(
            await session.scalars(
                select(Evaluation.comments).where(
                    Evaluation.mentorship_id == uuid.UUID(pair.mentorship_id)
                )
            )
        )
    winner = next(a for a in answers if a.status_code == 201)
    assert kept == [winner.json()["comments"]]
    assert len([p for _, p in await events_of(tenant.id, "evaluation.submitted")]) == 1
