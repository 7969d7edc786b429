"""One service as its own process (split mode): `uvicorn services.standalone:create_app --factory`
with SERVICE_NAME set."""

from fastapi import FastAPI

from api.routes import SERVICES
from services.core.settings import get_settings


def create_app() -> FastAPI:
    name = get_settings().service_name
    for spec in SERVICES:
        if spec.name == name:
            return spec.create_app(standalone=True)
    raise RuntimeError(f"SERVICE_NAME must be one of {', '.join(s.name for s in SERVICES)}")
