"""A transaction PostgreSQL aborts for another one's sake (a deadlock) is the client's to send
again: 409 `concurrent_change`, never a 500."""

import asyncio
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.core.db import database
from services.core.errors import database_problem


async def test_a_real_deadlock_is_a_409_to_send_again() -> None:
    key = uuid.uuid4().hex  # locks of this test alone
    first, second = await database.engine.connect(), await database.engine.connect()
    try:

        async def take(connection: AsyncConnection, a: str, b: str) -> None:
            await connection.execute(text(f"SELECT pg_advisory_xact_lock(hashtext('{a}'))"))
            await asyncio.sleep(0.2)
            await connection.execute(text(f"SELECT pg_advisory_xact_lock(hashtext('{b}'))"))

        results = await asyncio.gather(
            take(first, f"{key}-a", f"{key}-b"),
            take(second, f"{key}-b", f"{key}-a"),
            return_exceptions=True,
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == 1 and isinstance(errors[0], DBAPIError), results
        problem = database_problem(errors[0])
        assert problem is not None
        status, body = problem
        assert (status, body["reason"]) == (409, "concurrent_change")
        assert "send the request again" in body["detail"]
    finally:
        await first.close()
        await second.close()


@pytest.mark.parametrize("sqlstate", ["23505", "42P01"])
async def test_other_failures_are_not_called_concurrent(sqlstate: str) -> None:
    class Orig(Exception):
        pass

    orig = Orig()
    orig.sqlstate = sqlstate  # type: ignore[attr-defined]
    problem = database_problem(DBAPIError("SELECT 1", {}, orig))
    assert problem is None or problem[1].get("reason") != "concurrent_change"
