"""FastAPI dependencies every service uses: the request's session and the verified caller."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal, Role
from services.core.errors import Forbidden, Unauthorized

# Declares the scheme in OpenAPI; the token itself was verified by the request context.
bearer_scheme = HTTPBearer(auto_error=False, description="An access token (JWT).")


async def get_session(request: Request) -> AsyncSession:
    session: AsyncSession = request.state.session
    return session


async def get_principal(
    request: Request, _credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)
) -> Principal:
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is not None:
        return principal
    error = getattr(request.state, "auth_error", None)
    raise (
        error
        if error is not None
        else Unauthorized("Send an access token: Authorization: Bearer <token>.")
    )


def require_role(role: Role) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: Principal = Depends(get_principal)) -> Principal:
        if not principal.has_role(role):
            raise Forbidden(f"This needs the {role} role.")
        return principal

    return check


# What a route declares instead of repeating `= Depends(...)`: `session: Session`,
# `principal: CurrentPrincipal`, `principal: Admin` (403 for anyone else).
Session = Annotated[AsyncSession, Depends(get_session)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
Admin = Annotated[Principal, Depends(require_role("admin"))]
