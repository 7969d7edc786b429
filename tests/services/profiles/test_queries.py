"""The read queries profiles publishes to other services see only the session's tenant."""

import uuid

from sqlalchemy import update

from services.core.db import database
from services.core.tenancy import bind_tenant
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
    async with database.transaction() as session:
        await session.execute(update(User).where(User.id == gone).values(active=False))

    async with database.session(readonly=True) as session:
        bind_tenant(session, ours.id)
        # Column-only selects are filtered by tenant too: Eve exists, but not for us.
        assert await queries.active_user_ids(session, [mia, gone, eve]) == {mia}
        ours_default = await queries.default_program_id(session)
        bind_tenant(session, theirs.id)
        theirs_default = await queries.default_program_id(session)
    assert ours_default is not None and theirs_default is not None
    assert ours_default != theirs_default
