"""The profiles service: tenants, users, programs (and, as they grow, profiles and SCIM)."""

from fastapi import FastAPI

from services.core.app import create_service_app
from services.profiles.profile_router import router as profile_router
from services.profiles.router import router


def create_app(*, standalone: bool = True) -> FastAPI:
    return create_service_app(
        "profiles",
        [router, profile_router],
        description="Tenants, users, programs and rich profiles.",
        standalone=standalone,
    )
