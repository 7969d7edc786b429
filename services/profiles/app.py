"""The profiles service: tenants, users, programs, profiles, mentor search, skills, imports and
SCIM provisioning."""

from fastapi import FastAPI

from services.core.app import create_service_app
from services.profiles.imports.router import router as imports_router
from services.profiles.mentors.router import router as mentors_router
from services.profiles.profiles.router import router as profiles_router
from services.profiles.programs.router import router as programs_router
from services.profiles.scim.router import router as scim_router
from services.profiles.scim_tokens.router import router as scim_tokens_router
from services.profiles.skills.router import router as skills_router
from services.profiles.tenants.router import router as tenants_router
from services.profiles.users.router import router as users_router


def create_app(*, standalone: bool = True) -> FastAPI:
    return create_service_app(
        "profiles",
        [
            tenants_router,
            users_router,
            programs_router,
            profiles_router,
            mentors_router,
            skills_router,
            imports_router,
            scim_tokens_router,
            # The SCIM router last: it ends with a catch-all under /scim/v2.
            scim_router,
        ],
        description="Tenants, users, programs and rich profiles.",
        standalone=standalone,
    )
