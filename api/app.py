"""Builds the gateway from the settings; `uvicorn api.app:create_app --factory` serves it."""

from redis.asyncio import Redis

from api.gateway import Gateway
from services.core.db import database
from services.core.logging import configure_logging
from services.core.settings import get_settings


def create_app() -> Gateway:
    settings = get_settings()
    configure_logging()
    redis = Redis.from_url(settings.redis_url, socket_timeout=1.0, socket_connect_timeout=1.0)
    return Gateway(settings, database=database, redis=redis)
