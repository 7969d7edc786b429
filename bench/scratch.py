"""A scratch database for a benchmark: migrated, used, then dropped. Figures do not drift with
what earlier runs left behind, and generated people never stay in the development database."""

import asyncio
import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def in_scratch_database(name: str, run: Callable[[], T]) -> T:
    """Run `run()` with DATABASE_URL pointing at a new, migrated database `name` on the same
    server; the database is dropped afterwards, whatever happens."""
    from sqlalchemy.engine import make_url

    from deploy.migrate import upgrade
    from services.core.settings import get_settings

    get_settings.cache_clear()
    server_url = get_settings().database_url
    asyncio.run(_maintenance(server_url, f'CREATE DATABASE "{name}"'))
    try:
        scratch = make_url(server_url).set(database=name)
        os.environ["DATABASE_URL"] = scratch.render_as_string(hide_password=False)
        get_settings.cache_clear()
        upgrade()
        return run()
    finally:
        os.environ["DATABASE_URL"] = server_url
        get_settings.cache_clear()
        asyncio.run(_maintenance(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _maintenance(url: str, sql: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from services.core.db import async_url

    engine = create_async_engine(async_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(sql))
    finally:
        await engine.dispose()
