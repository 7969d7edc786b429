"""HTTP routes of the tenant: the caller's organisation."""

from fastapi import APIRouter, Response

from services.core.dependencies import Admin, CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.etags import IfMatch, set_etag
from services.profiles.tenants import service
from services.profiles.tenants.schemas import TenantRead, TenantUpdate

router = APIRouter(prefix="/v1", responses=problem_responses(401, 422))


@router.get("/tenant", tags=["tenant"], response_model=TenantRead)
async def get_tenant(
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
) -> TenantRead:
    """The caller's organisation, with the settings in effect (defaults where none is stored)."""
    tenant = await service.get_tenant(session, principal)
    set_etag(response, tenant.version)
    return TenantRead.model_validate(tenant)


@router.patch(
    "/tenant",
    tags=["tenant"],
    response_model=TenantRead,
    responses=problem_responses(400, 403, 412),
)
async def update_tenant(
    body: TenantUpdate,
    response: Response,
    principal: Admin,
    session: Session,
    if_match: IfMatch,
) -> TenantRead:
    """Rename the organisation or change its settings: single sign-on (`sso`, or `sso: null` to
    remove it), the request policy and the evaluation policy. Each part of `settings` sent is
    merged key by key into what is stored; parts not sent are kept. SSO settings are stored and
    validated; verifying tokens from that issuer is not wired yet. Send the ETag you read as
    If-Match so as not to undo someone else's change."""
    tenant = await service.update_tenant(session, principal, body, if_match)
    set_etag(response, tenant.version)
    return TenantRead.model_validate(tenant)
