"""Admin API for SCIM tokens: create (shown once), list, revoke. Rotating is creating a new
token, switching the identity provider to it, then revoking the old one."""

import uuid

from fastapi import APIRouter, Depends, Response, status

from services.core.dependencies import Admin, Session
from services.core.errors import problem_responses
from services.core.idempotency import SHOWN_ONCE_NOTE, shown_once
from services.core.pagination import Page, PageQuery
from services.profiles.scim_tokens import service
from services.profiles.scim_tokens.schemas import ScimTokenCreated, ScimTokenRead

router = APIRouter(prefix="/v1/tenant", tags=["scim"], responses=problem_responses(401, 403, 422))


@router.post(
    "/scim-tokens",
    status_code=status.HTTP_201_CREATED,
    response_model=ScimTokenCreated,
    dependencies=[Depends(shown_once("token"))],
    description="A new token for the organisation's identity provider to call /scim/v2 with; "
    "store it in the identity provider right away. " + SHOWN_ONCE_NOTE,
)
async def create_scim_token(
    response: Response,
    principal: Admin,
    session: Session,
) -> ScimTokenCreated:
    issued = await service.create_token(session, principal)
    response.headers["Cache-Control"] = "no-store"
    return ScimTokenCreated(
        id=issued.row.id,
        token=issued.token,
        prefix=issued.row.prefix,
        created_at=issued.row.created_at,
    )


@router.get("/scim-tokens", response_model=Page[ScimTokenRead])
async def list_scim_tokens(
    _principal: Admin,
    params: PageQuery,
    session: Session,
) -> Page[ScimTokenRead]:
    """Tokens not yet revoked, newest first, without the secrets."""
    rows, next_cursor = await service.list_tokens(session, params)
    return Page[ScimTokenRead].of(rows, next_cursor)


@router.delete(
    "/scim-tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404),
)
async def revoke_scim_token(
    token_id: uuid.UUID,
    _principal: Admin,
    session: Session,
) -> Response:
    """Revoke a token: the identity provider's next request with it gets 401."""
    await service.revoke_token(session, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
