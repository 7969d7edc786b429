"""One linear migration history, and models that match it."""

import asyncio

from alembic import command
from alembic.script import ScriptDirectory

from deploy.migrate import alembic_config


def test_exactly_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    revisions = list(script.walk_revisions())
    assert sum(1 for r in revisions if r.down_revision is None) == 1


async def test_models_and_migrations_do_not_drift() -> None:
    # `alembic check` fails if autogenerate would write any operation.
    await asyncio.to_thread(command.check, alembic_config())
