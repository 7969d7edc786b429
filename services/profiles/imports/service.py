"""Use cases of bulk imports: accept a file, report on it, and apply one batch of its rows.
Flushes, never commits: the request, the job or the CLI owns the transaction.

An import's counters obey `done == created + updated + failed`: every row that is not skipped
is counted once, when the batch holding it commits, as the person it created, the person it
updated, or a failed row listed in `errors` (the first 1,000 failed rows are listed, the rest
only counted).
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.db import after_commit
from services.core.errors import FieldError, NotFound, ProblemError, Unprocessable
from services.core.logging import get_logger
from services.core.models import utcnow
from services.core.outbox import emit, emit_many
from services.core.pagination import PageParams
from services.core.queue import Lane, queue
from services.core.user_state import forget_after_commit
from services.profiles.imports import IMPORT_JOB, import_job_id, repository
from services.profiles.imports.formats import MEDIA_TYPES, FileError, Format, RowError, open_file
from services.profiles.imports.models import Import
from services.profiles.imports.people import Outcome, Person, changed_fields
from services.profiles.imports.repository import ExistingUser, ImportState
from services.profiles.skills.repository import remember_tenant_skills
from services.profiles.users import repository as users
from services.profiles.users.models import User
from services.profiles.users.service import normalise_email

log = get_logger(__name__)

# Why 128 MiB: a person with a rich profile is about 1.1 KB of JSON (the benchmark's 100,000
# are 109 MB), so one file carries some 120,000 people, more with leaner HR exports. The body
# is buffered whole before the route runs and briefly exists two or three times over (request
# buffer, driver encoding), so a larger limit costs the serving process far more memory than it
# buys. Bigger organisations split the export: people are matched by email, so where a file is
# cut does not matter.
MAX_IMPORT_BYTES: Final = 128 * 1024 * 1024
# Failed rows listed in full; later failed rows are only counted.
MAX_LISTED_ROWS: Final = 1000
# An import nobody works on is woken again after this long.
QUEUED_GRACE: Final = timedelta(minutes=1)
RUNNING_GRACE: Final = timedelta(minutes=5)

# Each person's events are the API's (`user.created`, `user.updated`, `profile.updated`),
# written with one statement per thousand (`outbox.emit` per event cost ~110 us each, ~22 s
# on 100,000 people). Besides, one event per batch (up to 2,000 rows) with its counts lets a
# consumer (a search or matching index) react once per batch.
IMPORTED_EVENT: Final = "users.imported"

ROW_REFUSED: Final = "the database refused this row"

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
FINISHED: Final = frozenset({SUCCEEDED, FAILED})


class UnsupportedMediaType(ProblemError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported file type"


class PayloadTooLarge(ProblemError):
    status, slug, title = 413, "payload-too-large", "The file is too large"


# Bytes of no declared format: JSON Lines starts with an object, and no CSV header can
# (a column named "{..." is refused anyway).
UNTYPED: Final = "application/octet-stream"
_UTF8_BOM: Final = b"\xef\xbb\xbf"


def _sniffed(source: bytes) -> Format:
    return "jsonl" if source.removeprefix(_UTF8_BOM).lstrip().startswith(b"{") else "csv"


def part_type(content_type: str | None) -> str:
    """The type a form's file part is read as. Browsers label a file by what the machine
    associates with its extension (a .csv is often `application/vnd.ms-excel` or `text/plain`),
    so a part of a type that is not ours is read by its content, like untyped bytes."""
    media_type = (content_type or "").partition(";")[0].strip().lower()
    return content_type if content_type and media_type in MEDIA_TYPES else UNTYPED


def format_of(content_type: str | None, source: bytes = b"") -> Format:
    media_type, _, parameters = (content_type or "").partition(";")
    media_type = media_type.strip().lower()
    fmt = _sniffed(source) if media_type == UNTYPED else MEDIA_TYPES.get(media_type)
    charset = next(
        (
            value.strip().strip('"').lower()
            for name, _, value in (p.partition("=") for p in parameters.split(";"))
            if name.strip().lower() == "charset"
        ),
        "utf-8",
    )
    if fmt is None or charset not in {"utf-8", "utf8"}:
        raise UnsupportedMediaType(
            "Send the file as JSON Lines (Content-Type: application/x-ndjson) or as CSV "
            "(Content-Type: text/csv), in UTF-8, raw or as the `file` part of a "
            "multipart/form-data form."
        )
    return fmt


def _file_problem(message: str) -> Unprocessable:
    return Unprocessable(
        f"The file cannot be imported: {message}.",
        errors=[FieldError(loc=["body"], msg=message)],
    )


async def create_import(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    created_by: uuid.UUID,
    source: bytes,
    content_type: str | None,
    enqueue: bool = True,
) -> Import:
    """Accept a file for import: checked as a whole here (type, size, encoding, CSV header),
    row by row by the job. With `enqueue`, the job is queued once this transaction commits; if
    that fails (Redis down), `stale_imports` finds the import and the sweeper queues it."""
    fmt = format_of(content_type, source)
    if len(source) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(
            f"A file may have at most {MAX_IMPORT_BYTES // (1024 * 1024)} MiB; "
            f"this one has {len(source) / (1024 * 1024):.1f} MiB. Split it into several "
            "imports (people are matched by email, so any split works)."
        )
    if not source.strip():
        raise _file_problem("the file is empty")
    try:
        total = sum(1 for _ in open_file(fmt, source).rows())
    except FileError as exc:
        raise _file_problem(str(exc)) from exc
    if total == 0:
        raise _file_problem("the file has no rows with people")
    record = Import(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        created_by=created_by,
        status=QUEUED,
        format=fmt,
        source=source,
        total=total,
    )
    session.add(record)
    await session.flush()
    if enqueue:
        import_id = record.id

        async def wake_worker() -> None:
            job_id = import_job_id(import_id)
            await queue.enqueue(IMPORT_JOB, str(import_id), lane=Lane.INTERACTIVE, job_id=job_id)

        after_commit(session, wake_worker)
    return record


async def get_import(session: AsyncSession, import_id: uuid.UUID) -> Import:
    found = await repository.get_import(session, import_id)
    if found is None:
        raise NotFound("No such import.")
    return found


async def list_imports(
    session: AsyncSession, params: PageParams
) -> tuple[list[Import], str | None]:
    return await repository.list_imports(session, params)


async def creator_for_cli(session: AsyncSession, email: str | None) -> User:
    """Whom an import started from the command line is recorded as created by: the admin with
    this email, or else the session's tenant's first active admin."""
    admin = await users.first_active_admin(
        session, normalise_email(email) if email is not None else None
    )
    if admin is None:
        raise NotFound(
            f"{email} is not an active admin of this tenant."
            if email
            else "This tenant has no active admin to record the import under."
        )
    return admin


# --- running an import (called by the job, one transaction each) -----------------------------


@dataclass(frozen=True, slots=True)
class Run:
    import_id: uuid.UUID
    tenant_id: uuid.UUID
    format: Format
    source: bytes
    done: int
    total: int


async def tenant_of_import(session: AsyncSession, import_id: uuid.UUID) -> uuid.UUID | None:
    """Whose import this is, for a job that was handed only its id (to bind the tenant)."""
    return await repository.tenant_of_import(session, import_id)


async def start_run(session: AsyncSession, import_id: uuid.UUID) -> Run | None:
    """Mark the import running and hand out its file and where to continue; None when there
    is nothing to do (finished already, or gone)."""
    state = await repository.lock_import(session, import_id)
    if state is None or state.status in FINISHED:
        return None
    source = await repository.load_source(session, import_id)
    if source is None:
        await fail_run(session, import_id, state, "the uploaded file is no longer available")
        return None
    if state.status != RUNNING:
        await repository.set_status(session, import_id, RUNNING)
    fmt: Format = "csv" if state.format == "csv" else "jsonl"
    return Run(import_id, state.tenant_id, fmt, source, state.done, state.total)


async def fail_run(
    session: AsyncSession, import_id: uuid.UUID, state: ImportState | None, message: str
) -> None:
    state = state or await repository.lock_import(session, import_id)
    if state is None or state.status in FINISHED:
        return
    await repository.set_status(
        session,
        import_id,
        FAILED,
        finished=True,
        error=RowError(None, None, message).as_json(),
    )
    _emit_finished(session, import_id, state, FAILED)


async def finish_run(session: AsyncSession, run: Run, position: int) -> bool:
    """Mark the import succeeded if this run is the one that got to the end."""
    state = await repository.lock_import(session, run.import_id)
    if state is None or state.status != RUNNING or state.done != position:
        return False
    await repository.set_status(session, run.import_id, SUCCEEDED, finished=True)
    _emit_finished(session, run.import_id, state, SUCCEEDED)
    return True


def _emit_finished(
    session: AsyncSession, import_id: uuid.UUID, state: ImportState, status: str
) -> None:
    emit(
        session,
        f"import.{'completed' if status == SUCCEEDED else 'failed'}",
        {
            "import_id": str(import_id),
            "status": status,
            "total": state.total,
            "done": state.done,
            "created": state.created,
            "updated": state.updated,
            "failed": state.failed,
        },
        tenant_id=state.tenant_id,
    )


@dataclass(slots=True)
class BatchResult:
    applied: bool
    created: int = 0
    updated: int = 0
    failed: int = 0


async def apply_batch(
    session: AsyncSession,
    run: Run,
    position: int,
    outcomes: Sequence[Outcome],
    *,
    one_by_one: bool = False,
) -> BatchResult:
    """Write the next rows of an import, which start after `position` rows. Nothing happens if
    the import is no longer at `position`: another run of the same import got there first
    (jobs are at-least-once), and its work stands.

    `one_by_one` writes each person in a savepoint of their own, for a batch the database
    refused as a whole: the rows it refuses again are reported, the others are saved."""
    state = await repository.lock_import(session, run.import_id)
    if state is None or state.status != RUNNING or state.done != position:
        return BatchResult(applied=False)
    people = [o for o in outcomes if isinstance(o, Person)]
    failures = [o for o in outcomes if not isinstance(o, Person)]
    writer = _BatchWriter(session, run.tenant_id)
    if one_by_one:
        refused = await writer.write_each(people)
        failures = sorted([*failures, *refused], key=lambda errors: errors[0].row or 0)
    else:
        for round_ in _rounds(people):
            await writer.write(round_)
    await writer.emit_events(run.import_id, outcomes)
    room = max(0, MAX_LISTED_ROWS - state.failed)
    listed = [error.as_json() for errors in failures[:room] for error in errors]
    await repository.record_progress(
        session,
        run.import_id,
        done=len(outcomes),
        created=writer.created,
        updated=writer.updated,
        errors=listed,
    )
    return BatchResult(True, writer.created, writer.updated, len(failures))


def _rounds(people: list[Person]) -> list[list[Person]]:
    """Split rows so no email occurs twice in a round: one statement cannot write a row twice,
    and a later row about the same person must see what the earlier one wrote."""
    rounds: list[list[Person]] = []
    seen: dict[str, int] = {}
    for person in people:
        index = seen.get(person.email, 0)
        seen[person.email] = index + 1
        if index == len(rounds):
            rounds.append([])
        rounds[index].append(person)
    return rounds


@dataclass
class _BatchWriter:
    """Writes a batch's people and gathers what happened to them for the batch's event."""

    session: AsyncSession
    tenant_id: uuid.UUID
    users_created: list[dict[str, Any]] = field(default_factory=list)
    users_updated: list[dict[str, Any]] = field(default_factory=list)
    profiles_updated: list[dict[str, Any]] = field(default_factory=list)
    updated: int = 0

    @property
    def created(self) -> int:
        return len(self.users_created)

    async def write_each(self, people: list[Person]) -> list[list[RowError]]:
        refused: list[list[RowError]] = []
        for person in people:
            try:
                async with self.session.begin_nested():
                    await self.write([person])
            except DBAPIError as exc:
                if is_transient(exc):
                    raise
                log.warning("import.row_refused", row=person.row, error=type(exc.orig).__name__)
                refused.append([RowError(person.row, None, ROW_REFUSED)])
        return refused

    async def write(self, people: list[Person]) -> None:
        """Write people whose emails differ. What happened is recorded only once all of it
        worked, so a refused savepoint leaves no trace."""
        emails = [p.email for p in people]
        existing = await repository.lock_users(self.session, self.tenant_id, emails)
        missing = [p for p in people if p.email not in existing]
        new_users = [
            {"email": p.email, "display_name": p.new_display_name(), "roles": list(p.new_roles())}
            for p in missing
        ]
        inserted = await repository.insert_users(self.session, self.tenant_id, new_users)
        raced = [p.email for p in missing if p.email not in inserted]
        if raced:  # created by someone else since we looked: update them instead
            existing |= await repository.lock_users(self.session, self.tenant_id, raced)

        created: list[dict[str, Any]] = []
        renamed: list[dict[str, Any]] = []
        updated = 0
        profiles: list[dict[str, Any]] = []
        fields_by_user: dict[uuid.UUID, list[str]] = {}
        unknown_skills: dict[str, str] = {}
        for person in people:
            user_id = inserted.get(person.email)
            before: dict[str, Any] | None = None
            if user_id is not None:
                roles = person.new_roles()
                created.append(
                    {"user_id": str(user_id), "email": person.email, "roles": list(roles)}
                )
            else:
                user = existing[person.email]
                user_id, before = user.id, user.profile
                roles = _roles_after(person, user)
                display_name = person.display_name or user.display_name
                if roles != tuple(sorted(user.roles)) or display_name != user.display_name:
                    renamed.append(
                        {"user_id": user_id, "display_name": display_name, "roles": list(roles)}
                    )
                updated += 1
            write = person.profile_write(roles)
            if write is None or write.columns == before:
                continue
            unknown_skills |= write.unknown_skills
            fields_by_user[user_id] = changed_fields(before, write.columns)
            profiles.append({"user_id": user_id, **write.columns})

        await repository.update_users(self.session, self.tenant_id, renamed)
        # Raw SQL, so the ORM's hook does not see it; `user.updated` repairs a failed drop.
        forget_after_commit(self.session, [change["user_id"] for change in renamed])
        versions = await repository.upsert_profiles(self.session, self.tenant_id, profiles)
        await remember_tenant_skills(self.session, self.tenant_id, unknown_skills)
        self.users_created += created
        self.users_updated += [{**change, "user_id": str(change["user_id"])} for change in renamed]
        self.profiles_updated += [
            {"user_id": str(user_id), "fields": fields_by_user[user_id], "version": version}
            for user_id, version in versions.items()
        ]
        self.updated += updated

    async def emit_events(self, import_id: uuid.UUID, outcomes: Sequence[Outcome]) -> None:
        """The same events the API emits for each person (`user.created`, `user.updated`,
        `profile.updated`), written in bulk, and one `IMPORTED_EVENT` for the batch."""
        if not (self.users_created or self.users_updated or self.profiles_updated):
            return
        await emit_many(
            self.session,
            [("user.created", data) for data in self.users_created]
            + [("user.updated", data) for data in self.users_updated]
            + [("profile.updated", data) for data in self.profiles_updated],
            tenant_id=self.tenant_id,
        )
        rows = [o.row if isinstance(o, Person) else o[0].row for o in outcomes]
        emit(
            self.session,
            IMPORTED_EVENT,
            {
                "import_id": str(import_id),
                "rows": [min(r for r in rows if r is not None), max(r for r in rows if r)],
                "users_created": len(self.users_created),
                "users_updated": len(self.users_updated),
                "profiles_updated": len(self.profiles_updated),
            },
            tenant_id=self.tenant_id,
        )


def _roles_after(person: Person, user: ExistingUser) -> tuple[str, ...]:
    """The roles an existing user ends with. Roles in the file replace mentee and mentor; an
    admin stays an admin, as an HR export does not know who administers this platform (and
    must not lock everyone out of it)."""
    if person.roles is None:
        return tuple(sorted(user.roles))
    return tuple(sorted(set(person.roles) | ({"admin"} & set(user.roles))))


def is_transient(exc: DBAPIError) -> bool:
    """Trouble with the connection, not with the data: worth trying the same work again."""
    return bool(exc.connection_invalidated) or isinstance(exc, OperationalError | InterfaceError)


def stale_cutoffs() -> dict[str, Any]:
    now = utcnow()
    return {"queued_before": now - QUEUED_GRACE, "running_before": now - RUNNING_GRACE}
