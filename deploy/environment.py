"""Settles where PostgreSQL and Redis are before anything reads the settings."""

from deploy.embedded import ensure_environment
from services.core.settings import Settings, get_settings


def prepare() -> Settings:
    """Use DATABASE_URL/REDIS_URL when set, else start (or join) the embedded servers."""
    ensure_environment(get_settings().data_dir)
    get_settings.cache_clear()
    return get_settings()
