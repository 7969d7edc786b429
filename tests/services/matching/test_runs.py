"""Reading a cohort matching run."""

import uuid

from services.core.db import database
from services.matching.runs.models import MatchingRun
from tests.conftest import TenantFactory


async def test_admins_read_a_run_of_their_tenant_only(client, make_tenant: TenantFactory) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    admin = await tenant.admin_headers()
    admin_id = uuid.UUID((await client.get("/v1/users/me", headers=admin)).json()["id"])
    run_id = uuid.uuid4()
    async with database.transaction(tenant_id=tenant.id) as session:
        session.add(
            MatchingRun(
                id=run_id,
                tenant_id=tenant.id,
                program_id=uuid.uuid4(),
                mode="cohort",
                created_by=admin_id,
            )
        )
    run = await client.get(f"/v1/matching/runs/{run_id}", headers=admin)
    assert run.status_code == 200
    assert (run.json()["id"], run.json()["status"]) == (str(run_id), "queued")
    elsewhere = await client.get(f"/v1/matching/runs/{run_id}", headers=await other.admin_headers())
    assert elsewhere.status_code == 404
