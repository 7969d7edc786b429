"""The read queries profiles publishes to other services see only the session's tenant."""

import uuid

import pytest
from sqlalchemy import update

from services.core.db import database
from services.core.tenancy import TenancyError
from services.profiles import queries
from services.profiles.users.models import User
from tests.conftest import TenantFactory


async def _user_id(tenant, email: str) -> uuid.UUID:
    from jwt import decode

    return uuid.UUID(decode(await tenant.token(email), options={"verify_signature": False})["sub"])


async def test_queries_are_tenant_scoped(rolled_back, make_tenant: TenantFactory) -> None:
    ours, theirs = await make_tenant(), await make_tenant()
    mia, gone = await _user_id(ours, "mia@example.com"), await _user_id(ours, "gone@example.com")
    eve = await _user_id(theirs, "eve@example.com")
    async with database.transaction(tenant_id=ours.id) as session:
        await session.execute(update(User).where(User.id == gone).values(active=False))

    async with database.session(readonly=True, tenant_id=ours.id) as session:
        # Eve exists, but not for us.
        assert await queries.active_user_ids(session, ours.id, [mia, gone, eve]) == {mia}
        ours_default = await queries.default_program_id(session, ours.id)
    async with database.session(readonly=True, tenant_id=theirs.id) as session:
        theirs_default = await queries.default_program_id(session, theirs.id)
    assert ours_default is not None and theirs_default is not None
    assert ours_default != theirs_default


async def test_a_second_tenant_sees_nothing_through_the_queries(
    rolled_back, make_tenant: TenantFactory
) -> None:
    ours, theirs = await make_tenant(), await make_tenant()
    mia = await _user_id(ours, "mia@example.com")
    async with database.session(readonly=True, tenant_id=theirs.id) as session:
        # Even asking for our tenant by name: the session is theirs, and filters by it
        # (column-only selects included).
        assert await queries.active_user_ids(session, ours.id, [mia]) == set()
        assert await queries.default_program_id(session, ours.id) is None
        assert await queries.active_user_ids(session, theirs.id, [mia]) == set()


async def test_queries_refuse_a_session_with_no_tenant(
    rolled_back, make_tenant: TenantFactory
) -> None:
    """A handler or job that forgot to bind its tenant gets an error, not some tenant's row."""
    ours = await make_tenant()
    async with database.session(readonly=True) as session:
        with pytest.raises(TenancyError):
            await queries.default_program_id(session, ours.id)
