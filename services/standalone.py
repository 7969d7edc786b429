"""One service as its own process (split mode): `uvicorn services.standalone:create_app --factory`
with SERVICE_NAME set. It answers only requests forwarded by the gateway (and /healthz)."""

from fastapi import FastAPI

from api.routes import SERVICES
from services.core.gateway_secret import GatewayOnlyMiddleware, gateway_secret
from services.core.settings import get_settings


def create_app(name: str | None = None) -> FastAPI:
    name = name or get_settings().service_name
    for spec in SERVICES:
        if spec.name == name:
            app = spec.create_app(standalone=True)
            app.add_middleware(GatewayOnlyMiddleware, secret=gateway_secret())
            return app
    raise RuntimeError(f"SERVICE_NAME must be one of {', '.join(s.name for s in SERVICES)}")
