"""The matching change feed (profiles.queries.matching_changes): every write path stamps the
person's profile row in the database, and a position taken while a writer is in flight still
catches that writer once it commits. Real commits: each test has its own tenant."""

import uuid

import httpx
from sqlalchemy import text, update

from services.core.db import database
from services.profiles import queries
from services.profiles.profiles.models import Profile
from services.profiles.users.models import User
from tests.conftest import TenantFactory, TenantHandle

MENTOR = {
    "headline": "Staff engineer",
    "timezone": "Europe/Berlin",
    "languages": ["en"],
    "skills": [{"name": "Python", "level": 5, "kind": "expertise"}],
    "mentor": {"capacity": 2, "accepting_requests": True, "openness": 0.5},
}


async def _put_profile(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, object]
) -> dict[str, object]:
    response = await client.put("/v1/profiles/me", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _user_id(client: httpx.AsyncClient, headers: dict[str, str]) -> uuid.UUID:
    return uuid.UUID((await client.get("/v1/users/me", headers=headers)).json()["id"])


async def _changes(
    tenant: TenantHandle, since: queries.FeedPosition = queries.FEED_START
) -> tuple[queries.FeedPosition, dict[uuid.UUID, str]]:
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        position, rows = await queries.matching_changes(session, tenant.id, since)
    return position, {row.user_id: row.headline for row in rows}


async def test_a_full_load_then_only_what_changed(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    ada = await tenant.headers("ada@example.com", ["mentor"])
    ben = await tenant.headers("ben@example.com", ["mentor"])
    await _put_profile(committing_client, ada, MENTOR)
    await _put_profile(committing_client, ben, {**MENTOR, "headline": "Designer"})
    ada_id, ben_id = (
        await _user_id(committing_client, ada),
        await _user_id(committing_client, ben),
    )

    position, everyone = await _changes(tenant)
    assert everyone == {ada_id: "Staff engineer", ben_id: "Designer"}
    # Nothing changed since: nothing comes (the usual case), and the position stays usable.
    later, nothing = await _changes(tenant, position)
    assert nothing == {} and later.xmax >= position.xmax

    await _put_profile(committing_client, ben, {**MENTOR, "headline": "Design lead"})
    _, changed = await _changes(tenant, later)
    assert changed == {ben_id: "Design lead"}


async def test_user_and_program_changes_reach_the_feed(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    ada = await tenant.headers("ada@example.com", ["mentor"])
    await _put_profile(committing_client, ada, MENTOR)
    ada_id = await _user_id(committing_client, ada)
    admin = await tenant.admin_headers()

    position, _ = await _changes(tenant)
    deactivated = await committing_client.patch(
        f"/v1/users/{ada_id}", json={"active": False}, headers=admin
    )
    assert deactivated.status_code == 200, deactivated.text
    position_after, changed = await _changes(tenant, position)
    assert list(changed) == [ada_id]
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        _, rows = await queries.matching_changes(session, tenant.id, position)
    assert rows[0].active is False

    # A manager named by an admin (a conflict of interest for matching).
    boss = await _user_id(committing_client, await tenant.headers("boss@example.com"))
    managed = await committing_client.patch(
        f"/v1/users/{ada_id}", json={"manager_id": str(boss)}, headers=admin
    )
    assert managed.status_code == 200, managed.text
    next_position, changed = await _changes(tenant, position_after)
    assert list(changed) == [ada_id]
    position_after = next_position

    # A place in a program, given and taken away (raw SQL: as SCIM groups and imports do).
    async with database.session(readonly=True, tenant_id=tenant.id) as session:
        program_id = await queries.default_program_id(session, tenant.id)
    for statement in (
        "INSERT INTO profiles.program_participants (id, tenant_id, program_id, user_id, role,"
        " created_at, updated_at) VALUES (gen_random_uuid(), :tenant_id, :program_id, :user_id,"
        " 'mentor', now(), now())",
        "DELETE FROM profiles.program_participants WHERE tenant_id = :tenant_id"
        " AND program_id = :program_id AND user_id = :user_id",
    ):
        async with database.transaction(tenant_id=tenant.id) as session:
            await session.execute(
                text(statement),
                {"tenant_id": tenant.id, "program_id": program_id, "user_id": ada_id},
            )
        next_position, changed = await _changes(tenant, position_after)
        assert list(changed) == [ada_id], statement
        position_after = next_position


async def test_a_writer_in_flight_during_a_read_is_caught_by_the_next_read(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    ada = await tenant.headers("ada@example.com", ["mentor"])
    ben = await tenant.headers("ben@example.com", ["mentor"])
    await _put_profile(committing_client, ada, MENTOR)
    await _put_profile(committing_client, ben, MENTOR)
    ada_id, ben_id = (
        await _user_id(committing_client, ada),
        await _user_id(committing_client, ben),
    )
    position, _ = await _changes(tenant)

    async with database.transaction(tenant_id=tenant.id) as writer:
        await writer.execute(
            update(Profile).where(Profile.user_id == ada_id).values(headline="Principal")
        )
        # The writer holds its xid and has not committed: a read now does not see it...
        during, unseen = await _changes(tenant, position)
        assert unseen == {}
        # ...and a transaction that started after the writer commits before it (a newer xid
        # committed while an older one is still running).
        async with database.transaction(tenant_id=tenant.id) as other:
            await other.execute(update(User).where(User.id == ben_id).values(display_name="B"))
        after_other, seen = await _changes(tenant, during)
        assert list(seen) == [ben_id]
    # The writer has committed: reads from either position taken while it ran now see it.
    _, changed = await _changes(tenant, during)
    assert changed[ada_id] == "Principal"
    _, changed = await _changes(tenant, after_other)
    assert changed[ada_id] == "Principal"


async def test_a_long_transaction_elsewhere_does_not_make_reads_fetch_everything_again(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    """The position is the snapshot itself, not its oldest running transaction: what a read
    saw finish does not come again, however long another transaction on the server runs."""
    tenant, elsewhere = await make_tenant(), await make_tenant()
    ada = await tenant.headers("ada@example.com", ["mentor"])
    await _put_profile(committing_client, ada, MENTOR)
    ada_id = await _user_id(committing_client, ada)
    async with database.transaction(tenant_id=elsewhere.id) as long_running:
        # Holds an xid: every snapshot's xmin stays at or below it until it ends.
        await long_running.execute(
            update(User).where(User.tenant_id == elsewhere.id).values(display_name="Long")
        )
        position, _ = await _changes(tenant)
        await _put_profile(committing_client, ada, {**MENTOR, "headline": "Principal"})
        position, changed = await _changes(tenant, position)
        assert changed == {ada_id: "Principal"}
        _, again = await _changes(tenant, position)
        assert again == {}


async def test_the_feed_is_the_tenants_own(
    committing_client: httpx.AsyncClient, make_tenant: TenantFactory
) -> None:
    ours, theirs = await make_tenant(), await make_tenant()
    await _put_profile(committing_client, await theirs.headers("eve@example.com"), MENTOR)
    _, rows = await _changes(ours)
    assert rows == {}
