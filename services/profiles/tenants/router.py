"""HTTP routes of the tenant: the caller's organisation."""

from fastapi import APIRouter, Response

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.etags import set_etag
from services.profiles.tenants import service
from services.profiles.tenants.schemas import TenantRead

router = APIRouter(prefix="/v1", responses=problem_responses(401, 422))


@router.get("/tenant", tags=["tenant"], response_model=TenantRead)
async def get_tenant(
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
) -> TenantRead:
    """The caller's organisation."""
    tenant = await service.get_tenant(session, principal)
    set_etag(response, tenant.version)
    return TenantRead.model_validate(tenant)
