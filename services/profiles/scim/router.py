"""/scim/v2: the SCIM protocol for identity providers, authenticated by a tenant's SCIM token.

Every request, whatever its path, is served by scim2-server over `PostgresStorage`, and every
error leaves as a SCIM error (`application/scim+json`), never as problem+json: that is the
only error format identity providers read. The routes are listed one by one for the OpenAPI
document; a last, hidden route sends any other path to scim2-server too, which answers 404 or
405 in SCIM form.
"""

import json
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from scim2_models import (
    Context,
    InvalidValueException,
    NotFoundException,
    PreconditionFailedException,
    Resource,
    ResponseParameters,
    SCIMException,
    UnauthorizedException,
    UniquenessException,
)
from scim2_server.handler import AsyncScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.responses import SCIM_MEDIA_TYPE, ScimResponse
from scim2_server.routing import Operation
from scim2_server.service import ScimService
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from services.core.auth import bearer_token
from services.core.dependencies import Session
from services.core.errors import ProblemError, database_problem
from services.core.logging import get_logger
from services.core.settings import get_settings
from services.profiles.scim.resources import PROVIDER
from services.profiles.scim.service import Caller, scim_principal
from services.profiles.scim.storage import PostgresStorage
from services.profiles.scim_tokens import service as token_service
from services.profiles.tenants import repository as tenants

log = get_logger(__name__)

PREFIX = "/scim/v2"


class _Service(ScimService):
    def patch_response(
        self,
        base_url: str,
        resource: Resource[Any],
        response_parameters: ResponseParameters[Any],
    ) -> ScimResponse:
        # RFC 7644 §3.5.2 allows a bare 204, but Okta reads the patched user back from the
        # response: always send it.
        return self.resource_response(
            self.publish(base_url, resource),
            Context.RESOURCE_REPLACEMENT_RESPONSE,
            response_parameters,
        )


SERVICE = _Service(PROVIDER)


def _scim_error(error: Exception) -> Exception:
    """Our own errors, raised by the use cases, in SCIM's terms."""
    if isinstance(error, ProblemError):
        detail = error.detail or error.title
        if error.status == 404:
            return NotFoundException(detail=detail)
        if error.status == 409:
            return UniquenessException(detail=detail)
        if error.status == 412:
            return PreconditionFailedException(detail=detail)
        if error.status in (400, 422):
            return InvalidValueException(detail=detail)
    if isinstance(error, StaleDataError):
        # A versioned UPDATE found the row changed by a concurrent request.
        return PreconditionFailedException(detail="The resource was changed meanwhile.")
    if isinstance(error, DBAPIError):
        problem = database_problem(error)
        if problem is not None and problem[0] == 409:
            # Two requests raced for the same userName or group name; the constraint decided.
            return UniquenessException(detail="This conflicts with existing data.")
        if problem is not None:
            return InvalidValueException(detail=problem[1]["detail"])
    return error


def _error_response(error: Exception) -> ScimResponse:
    error = _scim_error(error)
    if isinstance(error, SCIMException):
        log.info("scim.request_refused", status=error.status, scim_type=error.scim_type)
    else:
        log.error("scim.request_failed", exc_info=error)
    return SERVICE.error_response(error)


async def _caller(session: AsyncSession, scim_request: ScimRequest) -> Caller:
    tenant_id = await token_service.authenticate(
        session, bearer_token(scim_request.header("Authorization"))
    )
    tenant = await tenants.get_tenant(session, tenant_id) if tenant_id is not None else None
    if tenant is None:
        raise UnauthorizedException(
            detail="Send a SCIM token of your organisation: Authorization: Bearer scim_..."
        )
    return Caller(tenant, scim_principal(tenant.id))


def _needs_token(scim_request: ScimRequest) -> bool:
    # RFC 7643 §5: the configuration tells a client how to authenticate, so it is public.
    try:
        operation = SERVICE.match(scim_request).operation
    except SCIMException:
        return True
    return operation is not Operation.service_provider_config


async def _serve(request: Request, session: AsyncSession) -> Response:
    scim_request = ScimRequest(
        method=request.method,
        base_url=get_settings().base_url + PREFIX,
        path=request.url.path.partition(PREFIX)[2] or "/",
        query=dict(request.query_params),
        headers=list(request.headers.items()),
        body=await request.body(),
    )
    try:
        if _needs_token(scim_request):
            storage = PostgresStorage(session, await _caller(session, scim_request))
            scim_response = await AsyncScimHandler(SERVICE, storage).handle(scim_request)
        else:
            with SERVICE.provider:
                scim_response = SERVICE.service_provider_config(
                    scim_request.url, scim_request.query
                )
    except Exception as error:  # every failure answers in SCIM's error format
        scim_response = _error_response(error)
    headers = {"Cache-Control": "no-cache", **scim_response.headers}
    if scim_response.body is None:
        headers.pop("Content-Type", None)
        return Response(status_code=int(scim_response.status), headers=headers)
    return Response(
        content=json.dumps(scim_response.body),
        status_code=int(scim_response.status),
        headers=headers,
        media_type=SCIM_MEDIA_TYPE,
    )


router = APIRouter(prefix=PREFIX, tags=["scim"])

_JSON_BODY: dict[str, Any] = {
    "requestBody": {"required": True, "content": {SCIM_MEDIA_TYPE: {"schema": {"type": "object"}}}}
}
_SCIM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "default": {
        "description": "A SCIM resource, list or error (RFC 7644)",
        "content": {SCIM_MEDIA_TYPE: {"schema": {"type": "object"}}},
    }
}


# Declares the scheme in OpenAPI; `_caller` checks the token.
scim_bearer = HTTPBearer(
    auto_error=False, scheme_name="ScimToken", description="A SCIM token (scim_...)."
)


async def _collection(
    request: Request,
    session: Session,
    _credentials: HTTPAuthorizationCredentials | None = Depends(scim_bearer),
) -> Response:
    return await _serve(request, session)


async def _resource(
    resource_id: str,
    request: Request,
    session: Session,
    _credentials: HTTPAuthorizationCredentials | None = Depends(scim_bearer),
) -> Response:
    return await _serve(request, session)


_ROUTES = (
    (
        "GET",
        "/ServiceProviderConfig",
        "scim_get_service_provider_config",
        "What this server supports (no token needed)",
    ),
    ("GET", "/ResourceTypes", "scim_list_resource_types", "The resource types: User and Group"),
    ("GET", "/ResourceTypes/{resource_id}", "scim_get_resource_type", "One resource type"),
    ("GET", "/Schemas", "scim_list_schemas", "The attributes of users and groups"),
    ("GET", "/Schemas/{resource_id}", "scim_get_schema", "One schema"),
    ("GET", "/Users", "scim_list_users", "Users, filtered on userName, externalId, emails..."),
    ("POST", "/Users", "scim_create_user", "Create a user; the sign-in email comes from emails"),
    ("POST", "/Users/.search", "scim_search_users", "Search users with a SearchRequest body"),
    ("GET", "/Users/{resource_id}", "scim_get_user", "One user"),
    ("PUT", "/Users/{resource_id}", "scim_replace_user", "Replace a user"),
    ("PATCH", "/Users/{resource_id}", "scim_patch_user", "Change a user; active=false deactivates"),
    ("DELETE", "/Users/{resource_id}", "scim_delete_user", "Deactivate a user, hidden from SCIM"),
    ("GET", "/Groups", "scim_list_groups", "Groups, filtered on displayName, members..."),
    ("POST", "/Groups", "scim_create_group", "Create a group; its name may grant a role"),
    ("POST", "/Groups/.search", "scim_search_groups", "Search groups with a SearchRequest body"),
    ("GET", "/Groups/{resource_id}", "scim_get_group", "One group"),
    ("PUT", "/Groups/{resource_id}", "scim_replace_group", "Replace a group and its members"),
    ("PATCH", "/Groups/{resource_id}", "scim_patch_group", "Rename a group, add or remove members"),
    ("DELETE", "/Groups/{resource_id}", "scim_delete_group", "Delete a group; its grants end"),
)

for _method, _path, _name, _summary in _ROUTES:
    router.add_api_route(
        _path,
        _resource if "{resource_id}" in _path else _collection,
        methods=[_method],
        name=_name,
        summary=_summary,
        response_class=Response,
        responses=_SCIM_RESPONSES,
        openapi_extra=_JSON_BODY if _method in ("POST", "PUT", "PATCH") else None,
    )

router.add_api_route(
    "/{path:path}",
    _collection,
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    name="scim_other",
    include_in_schema=False,
)
