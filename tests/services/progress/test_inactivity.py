"""The inactivity policy and meeting reminders: the pure rule at its edges, and the worker's
sweeps on real commits with a moved clock, each step announced once."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import update

from services.core.db import database
from services.progress import inactivity
from services.progress.mentorships.models import Mentorship
from services.progress.tasks import remind_meetings, sweep_inactivity
from tests.conftest import TenantFactory, TenantHandle
from tests.events import events_of
from tests.services.progress.people import Pair, accepted_mentorship

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def _due(days: float, stage: str | None = None, close: int | None = None, notice_day=None):
    return inactivity.step_due(
        last_activity_at=T0,
        now=T0 + days * DAY,
        stage=stage,
        close_after_days=close,
        notice_at=T0 + notice_day * DAY if notice_day is not None else None,
    )


def test_the_rule_at_its_edges() -> None:
    assert _due(44.9) is None
    assert _due(45) == inactivity.Due("warn", None)
    assert _due(400, stage="warned") is None  # warned once; no program closes it
    assert _due(52.9, stage="warned", close=60) is None
    notice = _due(53, stage="warned", close=60)
    assert notice == inactivity.Due("notice", T0 + 60 * DAY)
    assert _due(59.9, stage="notice", close=60, notice_day=53) is None
    assert _due(60, stage="notice", close=60, notice_day=53) == inactivity.Due("close", None)
    # A notice given late still gives its week: closed no sooner than 7 days after it.
    late = _due(100, stage="warned", close=60)
    assert late == inactivity.Due("notice", T0 + 107 * DAY)
    assert _due(106, stage="notice", close=60, notice_day=100) is None
    assert _due(107, stage="notice", close=60, notice_day=100) is not None


@given(
    days=st.floats(0, 400),
    stage=st.sampled_from([None, "warned", "notice"]),
    close=st.one_of(st.none(), st.integers(60, 365)),
)
def test_no_step_before_its_time_and_closing_only_after_a_notice(
    days: float, stage: str | None, close: int | None
) -> None:
    due = _due(days, stage, close, notice_day=max(0.0, days - 7) if stage == "notice" else None)
    if due is None:
        return
    if due.step == "close":
        assert stage == "notice" and close is not None and days >= close
    elif due.step == "notice":
        assert close is not None and days >= close - inactivity.NOTICE_DAYS and stage != "notice"
        assert due.closes_at is not None and due.closes_at >= T0 + days * DAY + 7 * DAY - DAY
    else:
        assert stage is None and days >= inactivity.WARN_AFTER_DAYS


async def _quiet_since(tenant: TenantHandle, pair: Pair, days: int) -> datetime:
    started = datetime.now(UTC) - days * DAY
    async with database.transaction(tenant_id=tenant.id) as session:
        await session.execute(
            update(Mentorship)
            .where(Mentorship.id == uuid.UUID(pair.mentorship_id))
            .values(created_at=started)
        )
    return started


async def test_a_quiet_mentorship_is_warned_noticed_and_closed_once_each(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    admin = await tenant.admin_headers()
    pair = await accepted_mentorship(client, tenant)
    program = (await client.get("/v1/programs", headers=admin)).json()["items"][0]
    read = await client.get(f"/v1/programs/{program['id']}", headers=admin)
    closes = await client.patch(
        f"/v1/programs/{program['id']}",
        json={"close_inactive_after_days": 60},
        headers={**admin, "If-Match": read.headers["ETag"]},
    )
    assert closes.status_code == 200, closes.text
    kinds = ("mentorship.inactive", "mentorship.closing_soon", "mentorship.status_changed")
    now = datetime.now(UTC)

    await _quiet_since(tenant, pair, 46)
    await sweep_inactivity(None, now)
    await sweep_inactivity(None, now)
    assert [kind for kind, _ in await events_of(tenant.id, *kinds)] == ["mentorship.inactive"]

    # A check-in is activity: the count starts again, and the warning can come back later.
    posted = await client.post(
        f"/v1/mentorships/{pair.mentorship_id}/check-ins",
        json={"summary": "Back on track after the release"},
        headers=pair.mentee,
    )
    assert posted.status_code == 201, posted.text
    await sweep_inactivity(None, now + 10 * DAY)
    assert len(await events_of(tenant.id, *kinds)) == 1

    # Sixty days on from the check-in the program closes it, after a week's notice.
    later = now + 54 * DAY
    await sweep_inactivity(None, later)
    await sweep_inactivity(None, later)
    events = await events_of(tenant.id, *kinds)
    assert [kind for kind, _ in events] == ["mentorship.inactive", "mentorship.closing_soon"]
    assert datetime.fromisoformat(events[1][1]["closes_at"]) >= later + 6 * DAY
    await sweep_inactivity(None, later + 3 * DAY)
    assert len(await events_of(tenant.id, *kinds)) == 2
    await sweep_inactivity(None, later + 8 * DAY)
    await sweep_inactivity(None, later + 9 * DAY)
    events = await events_of(tenant.id, *kinds)
    assert [kind for kind, _ in events][2:] == ["mentorship.status_changed"]
    assert (events[2][1]["to_status"], events[2][1]["actor_id"]) == ("ended", None)
    ended = (await client.get(f"/v1/mentorships/{pair.mentorship_id}", headers=pair.mentee)).json()
    assert ended["status"] == "ended" and "No held meeting or check-in" in ended["end_reason"]
    profile = (await client.get(f"/v1/profiles/{pair.mentor_id}", headers=pair.mentee)).json()
    assert profile["mentor"]["active_mentees"] == 0


async def test_a_meeting_is_reminded_of_once_a_day_ahead_and_again_when_moved(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    client = committing_client
    tenant = await make_tenant()
    pair = await accepted_mentorship(client, tenant)
    path = f"/v1/mentorships/{pair.mentorship_id}/meetings"
    soon = datetime.now(UTC) + timedelta(hours=30)
    meeting = await client.post(
        path, json={"starts_at": soon.isoformat(), "minutes": 45}, headers=pair.mentee
    )
    assert meeting.status_code == 201, meeting.text

    await remind_meetings(None)  # 30 hours ahead: not yet
    assert await events_of(tenant.id, "meeting.reminder") == []
    await remind_meetings(None, soon - timedelta(hours=20))
    await remind_meetings(None, soon - timedelta(hours=19))
    reminded = await events_of(tenant.id, "meeting.reminder")
    assert [payload["meeting_id"] for _, payload in reminded] == [meeting.json()["id"]]
    assert {reminded[0][1]["mentee_id"], reminded[0][1]["mentor_id"]} == {
        pair.mentee_id,
        pair.mentor_id,
    }

    moved = await client.patch(
        f"{path}/{meeting.json()['id']}",
        json={"starts_at": (soon + DAY).isoformat()},
        headers={**pair.mentor, "If-Match": meeting.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text
    await remind_meetings(None, soon + DAY - timedelta(hours=2))
    assert len(await events_of(tenant.id, "meeting.reminder")) == 2
