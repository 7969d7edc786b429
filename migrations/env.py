"""Alembic environment: one linear history for every service's schema."""

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

import migrations.all_tables  # noqa: F401 - registers every service's tables on the metadata
from services.core.db import async_url
from services.core.models import SCHEMAS, Base
from services.core.settings import get_settings

target_metadata = Base.metadata


def include_name(name: str | None, type_: str, _parent: Any) -> bool:
    if type_ == "schema":
        return name in SCHEMAS
    return True


def run_sync(connection: Connection) -> None:
    context.configure(
        # Migrations work on every tenant's rows by nature (services/core/tenancy.py).
        connection=connection.execution_options(all_tenants=True),
        target_metadata=target_metadata,
        include_schemas=True,
        include_name=include_name,
        compare_type=True,
        compare_server_default=False,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    url = context.config.attributes.get("database_url") or get_settings().database_url
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(run_sync)
        await connection.commit()
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_sync(connection)
else:
    asyncio.run(run_online())
