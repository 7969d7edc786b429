"""A SCIM `userName eq` filter, what Okta and Entra send before every create, reads an index
instead of scanning the tenant's users."""

import uuid

from scim2_models import SearchRequest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from services.core.db import database
from services.profiles.scim.filters import USERS
from services.profiles.scim.repository import live_users
from services.profiles.users.models import User


async def test_a_user_name_filter_is_answered_from_the_user_name_index() -> None:
    ast = SearchRequest(filter='userName eq "Ada@Example.com"').filter.ast  # type: ignore[union-attr]
    assert ast is not None
    # The statement a search runs, with the condition the tenant filter adds.
    search = live_users().where(USERS(ast), User.tenant_id == uuid.uuid4())
    sql = search.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    # The tenant is in the statement already.
    async with database.engine.connect() as plain:
        connection = await plain.execution_options(all_tenants=True)
        # A test tenant is too small for the planner to prefer any index; refusing sequential
        # scans shows whether the index matches the filter's expression at all.
        await connection.execute(text("SET LOCAL enable_seqscan = off"))
        # Nor may the plain tenant index stand in: between the two the planner's choice turns
        # on the statistics of the moment. Dropped inside this transaction, which rolls back.
        await connection.execute(text("DROP INDEX profiles.ix_users_tenant_id"))
        plan = "\n".join(await connection.scalars(text(f"EXPLAIN {sql}")))

    assert "ix_users_tenant_id_lower_user_name" in plan, plan
