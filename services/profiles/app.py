"""The profiles service: tenants, users, programs (and, as they grow, profiles and SCIM)."""

from fastapi import FastAPI

from services.core.app import create_service_app
from services.profiles.imports.router import router as imports_router
from services.profiles.profile_router import router as profile_router
from services.profiles.router import router
from services.profiles.scim.router import router as scim_router
from services.profiles.scim.tokens import router as scim_tokens_router


def create_app(*, standalone: bool = True) -> FastAPI:
    return create_service_app(
        "profiles",
        # The SCIM router last: it ends with a catch-all under /scim/v2.
        [router, profile_router, imports_router, scim_tokens_router, scim_router],
        description="Tenants, users, programs and rich profiles.",
        standalone=standalone,
    )
