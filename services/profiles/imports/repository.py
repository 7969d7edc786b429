"""Every SQL statement of imports. Rows are written a batch at a time, set-based: a batch is one
JSON array parameter unpacked by `json_to_recordset`, so two thousand people cost a handful of
statements, not thousands of round trips.

Text statements are not tenant-filtered by the session, so each names its tenant as a
`:tenant_id` parameter (`services.core.tenancy` refuses one that does not).
"""

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from services.core.pagination import PageParams, paginate
from services.profiles.imports.models import Import

# The profile columns an import writes (`profiles.service.profile_columns`), with their SQL types.
PROFILE_COLUMNS: dict[str, str] = {
    "headline": "text",
    "bio": "text",
    "timezone": "text",
    "years_experience": "integer",
    "seniority": "text",
    "details": "jsonb",
    "is_mentor": "boolean",
    "accepting_requests": "boolean",
    "mentor_capacity": "integer",
    "openness": "double precision",
    "expertise_keys": "text[]",
    "learning_keys": "text[]",
    "industry_keys": "text[]",
    "language_keys": "text[]",
    "value_keys": "text[]",
    "search_text": "text",
    "completeness": "integer",
}


def _json(rows: Sequence[dict[str, Any]]) -> str:
    return json.dumps(rows, separators=(",", ":"), default=str)


# --- the import row ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportState:
    tenant_id: uuid.UUID
    status: str
    format: str
    total: int
    done: int
    created: int
    updated: int

    @property
    def failed(self) -> int:
        return self.done - self.created - self.updated


async def tenant_of_import(session: AsyncSession, import_id: uuid.UUID) -> uuid.UUID | None:
    tenant_id: uuid.UUID | None = await session.scalar(
        select(Import.tenant_id)
        .where(Import.id == import_id)
        .execution_options(all_tenants=True)  # the lookup that finds the tenant to bind
    )
    return tenant_id


async def lock_import(session: AsyncSession, import_id: uuid.UUID) -> ImportState | None:
    """The import's counters, its row locked to the end of the transaction: two runs of one
    import (jobs are at-least-once) take turns, and each sees where the other stopped."""
    row = (
        await session.execute(
            select(
                Import.tenant_id,
                Import.status,
                Import.format,
                Import.total,
                Import.done,
                Import.created,
                Import.updated,
            )
            .where(Import.id == import_id)
            .with_for_update()
        )
    ).first()
    return None if row is None else ImportState(*row)


async def load_source(session: AsyncSession, import_id: uuid.UUID) -> bytes | None:
    source: bytes | None = await session.scalar(select(Import.source).where(Import.id == import_id))
    return source


async def set_status(
    session: AsyncSession,
    import_id: uuid.UUID,
    status: str,
    *,
    finished: bool = False,
    error: dict[str, Any] | None = None,
) -> None:
    values: dict[str, Any] = {"status": status, "updated_at": func.now()}
    if finished:
        # The file holds personal data; once the import has run nobody needs it.
        values |= {"finished_at": func.now(), "source": None}
    if error is not None:
        values["errors"] = Import.errors.op("||")(bindparam("new_errors", [error], type_=JSONB))
    await session.execute(update(Import).where(Import.id == import_id).values(**values))


async def record_progress(
    session: AsyncSession,
    import_id: uuid.UUID,
    *,
    done: int,
    created: int,
    updated: int,
    errors: list[dict[str, Any]],
) -> None:
    values: dict[str, Any] = {
        "done": Import.done + done,
        "created": Import.created + created,
        "updated": Import.updated + updated,
        "updated_at": func.now(),
    }
    if errors:
        values["errors"] = Import.errors.op("||")(bindparam("new_errors", errors, type_=JSONB))
    await session.execute(update(Import).where(Import.id == import_id).values(**values))


def without_payload() -> Any:
    """Loader options for reading imports: never the uploaded file (up to 128 MiB)."""
    return defer(Import.source, raiseload=True)


async def get_import(session: AsyncSession, import_id: uuid.UUID) -> Import | None:
    found: Import | None = await session.scalar(
        select(Import).options(without_payload()).where(Import.id == import_id)
    )
    return found


async def list_imports(
    session: AsyncSession, params: PageParams
) -> tuple[list[Import], str | None]:
    stmt = select(Import).options(without_payload(), defer(Import.errors, raiseload=True))
    return await paginate(session, stmt, Import, params)


async def stale_imports(
    session: AsyncSession, *, queued_before: datetime, running_before: datetime
) -> list[uuid.UUID]:
    """Imports nobody works on: still queued (the wake-up was lost, e.g. Redis was down), or
    running without progress (the worker died). Across tenants: the sweeper serves all."""
    rows = await session.scalars(
        select(Import.id)
        .where(
            ((Import.status == "queued") & (Import.updated_at < queued_before))
            | ((Import.status == "running") & (Import.updated_at < running_before))
        )
        .order_by(Import.created_at)
        .limit(100)
        .execution_options(all_tenants=True)
    )
    return list(rows)


async def refresh_statistics(session: AsyncSession, *, profiles: bool) -> None:
    """ANALYZE the tables an import fills (PostgreSQL's advice after a bulk load). Until
    autovacuum gets to it, the planner believes a tenant that just gained 100,000 people has
    none, and picks plans that scan the whole tenant once per row looked up.

    `profiles` costs seconds, not milliseconds: ANALYZE also merges the GIN indexes' pending
    entries. If autovacuum holds the table, it is doing this already: give up rather than wait."""
    # Statistics are of whole tables, every tenant's rows: across tenants by nature.
    across = {"all_tenants": True}
    await session.execute(text("SET LOCAL lock_timeout = '2s'"), execution_options=across)
    tables = "profiles.users, profiles.profiles" if profiles else "profiles.users"
    await session.execute(text(f"ANALYZE {tables}"), execution_options=across)


# --- people ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExistingUser:
    id: uuid.UUID
    display_name: str
    roles: tuple[str, ...]
    profile: dict[str, Any] | None  # PROFILE_COLUMNS, None when no profile was written yet


_LOCK_USERS = text(
    """
    SELECT id, email, display_name, roles FROM profiles.users
    WHERE tenant_id = CAST(:tenant_id AS uuid) AND email = ANY(CAST(:emails AS text[]))
    ORDER BY email
    FOR UPDATE
    """
)
_PROFILES_OF = text(
    f"""
    SELECT user_id, {", ".join(PROFILE_COLUMNS)} FROM profiles.profiles
    WHERE tenant_id = CAST(:tenant_id AS uuid) AND user_id = ANY(CAST(:user_ids AS uuid[]))
    """
)


async def lock_users(
    session: AsyncSession, tenant_id: uuid.UUID, emails: Sequence[str]
) -> dict[str, ExistingUser]:
    """The people with these emails and their profiles' columns. Their user rows stay locked to
    the end of the transaction, as a profile write through the API locks them, so neither
    overwrites the other unseen. Locked in email order, so two imports cannot deadlock.

    Two plain lookups by unique key rather than a join: while a new tenant's first import runs,
    the planner's statistics still say the tenant is empty, and with a join it chose to scan the
    tenant's profiles once per person (5 s a batch at 20,000 people instead of 20 ms)."""
    if not emails:
        return {}
    users = (
        await session.execute(_LOCK_USERS, {"tenant_id": tenant_id, "emails": list(emails)})
    ).all()
    if not users:
        return {}
    profiles = {
        row[0]: dict(zip(PROFILE_COLUMNS, row[1:], strict=True))
        for row in await session.execute(
            _PROFILES_OF, {"tenant_id": tenant_id, "user_ids": [u[0] for u in users]}
        )
    }
    return {
        email: ExistingUser(user_id, display_name, tuple(roles), profiles.get(user_id))
        for user_id, email, display_name, roles in users
    }


_INSERT_USERS = text(
    """
    INSERT INTO profiles.users (id, tenant_id, email, display_name, roles, active,
                                created_at, updated_at)
    SELECT gen_random_uuid(), CAST(:tenant_id AS uuid), r.email, r.display_name, r.roles, true,
           now(), now()
    FROM json_to_recordset(CAST(:rows AS json)) AS r(email text, display_name text, roles text[])
    ORDER BY r.email
    ON CONFLICT (tenant_id, email) DO NOTHING
    RETURNING id, email
    """
)


async def insert_users(
    session: AsyncSession, tenant_id: uuid.UUID, users: Sequence[dict[str, Any]]
) -> dict[str, uuid.UUID]:
    """Create these users (`email, display_name, roles`); returns the ones created. An
    email someone else created meanwhile is skipped, not overwritten."""
    if not users:
        return {}
    rows = await session.execute(_INSERT_USERS, {"tenant_id": tenant_id, "rows": _json(users)})
    return {email: user_id for user_id, email in rows}


_UPDATE_USERS = text(
    """
    UPDATE profiles.users AS u
    SET display_name = r.display_name, roles = r.roles, updated_at = now(),
        version = u.version + 1
    FROM json_to_recordset(CAST(:rows AS json))
         AS r(user_id uuid, display_name text, roles text[])
    WHERE u.id = r.user_id AND u.tenant_id = CAST(:tenant_id AS uuid)
    """
)


async def update_users(
    session: AsyncSession, tenant_id: uuid.UUID, users: Sequence[dict[str, Any]]
) -> None:
    """Rename and re-role these users (`user_id, display_name, roles`)."""
    if users:
        await session.execute(_UPDATE_USERS, {"tenant_id": tenant_id, "rows": _json(users)})


_COLUMN_LIST = ", ".join(PROFILE_COLUMNS)
_UPSERT_PROFILES = text(
    f"""
    INSERT INTO profiles.profiles (id, tenant_id, user_id, version, active_mentees,
                                   created_at, updated_at, {_COLUMN_LIST})
    SELECT gen_random_uuid(), CAST(:tenant_id AS uuid), r.user_id, 1, 0, now(), now(),
           {", ".join(f"r.{name}" for name in PROFILE_COLUMNS)}
    FROM json_to_recordset(CAST(:rows AS json)) AS r(
        user_id uuid, {", ".join(f"{n} {t}" for n, t in PROFILE_COLUMNS.items())})
    ORDER BY r.user_id
    ON CONFLICT (user_id) DO UPDATE SET
        {", ".join(f"{name} = EXCLUDED.{name}" for name in PROFILE_COLUMNS)},
        version = profiles.version + 1,
        updated_at = now()
    WHERE profiles.tenant_id = EXCLUDED.tenant_id
    RETURNING user_id, version
    """
)


async def upsert_profiles(
    session: AsyncSession, tenant_id: uuid.UUID, profiles: Sequence[dict[str, Any]]
) -> dict[uuid.UUID, int]:
    """Write these profiles (`user_id` and PROFILE_COLUMNS): new ones at version 1, existing
    ones replaced with their version raised by one. Returns each profile's version."""
    if not profiles:
        return {}
    rows = await session.execute(
        _UPSERT_PROFILES, {"tenant_id": tenant_id, "rows": _json(profiles)}
    )
    return {user_id: version for user_id, version in rows}
