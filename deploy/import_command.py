"""`mentorship import FILE --tenant SLUG`: a bulk import of people with profiles from a file.

The same use case as `POST /v1/admin/imports`, without HTTP: the file is checked and stored as
an import of the tenant, then processed in this process (the default) or by the worker
(`--use-worker`) while a progress bar follows it. It is an ordinary import either way:
`GET /v1/admin/imports/{id}` shows it, and if this command is interrupted the worker's sweeper
finishes it. `--help` lists the CSV columns and the exit statuses; docs/api.md has the whole
format.
"""

import asyncio
import os
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}
CONTENT_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv"}
POLL_SECONDS = 0.5


EXIT_STATUS = (
    "Exit status: 0 every row was imported; 2 the import finished but some rows were not "
    "(they are listed); 1 the file was refused or the import failed."
)


def import_help() -> str:
    """The formats, as `mentorship import --help` shows them (paragraphs, blank-line apart)."""
    from services.profiles.imports.formats import COLUMNS, LIST_SEPARATOR

    return "\n\n".join(
        [
            "JSON Lines (.jsonl, .ndjson, .json): one object a line, "
            '{"email", "display_name", "roles", "profile"}; only email is required, profile is '
            "the body of PUT /v1/profiles/me.",
            "CSV (.csv): the first row names the columns, in any order and any case; only email "
            f"is required; an empty cell means not given; lists are separated by "
            f"'{LIST_SEPARATOR}'. Columns: {', '.join(COLUMNS)}.",
            "skills: name:level:kind, kind expertise (the default) or wants_to_learn, e.g. "
            "Python:5:expertise;Go:3:wants_to_learn. availability_weekly: weekday HH:MM-HH:MM, "
            "weekday 0 being Monday, e.g. 1 17:00-19:00;3 08:00-09:30. Booleans: true/false, "
            "yes/no or 1/0.",
            EXIT_STATUS,
            "Every column and field: docs/api.md.",
        ]
    )


class ImportRefused(Exception):
    pass


def import_file(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="JSON Lines or CSV."),
    ],
    tenant: Annotated[str, typer.Option(help="Slug of the tenant the people belong to.")],
    file_format: Annotated[
        str | None,
        typer.Option("--format", help="jsonl or csv. Default: from the file's extension."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(help="Email of the admin the import is recorded under. Default: the first."),
    ] = None,
    use_worker: Annotated[
        bool,
        typer.Option("--use-worker", help="Queue it for the worker and watch, not run it here."),
    ] = False,
    show_errors: Annotated[int, typer.Option(help="Problems to list at the end.")] = 20,
) -> None:
    """Import people with their profiles (an HR export) into a tenant, with a progress bar."""
    fmt = file_format or FORMATS.get(file.suffix.lower())
    if fmt not in CONTENT_TYPES:
        typer.echo("error: say --format jsonl or --format csv", err=True)
        raise typer.Exit(1)
    # The job's own log lines would tear the progress bar apart; problems are still shown.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from deploy.environment import prepare

    prepare()
    from services.core.logging import configure_logging

    configure_logging()
    try:
        report = asyncio.run(
            _run(file.read_bytes(), CONTENT_TYPES[fmt], tenant, by, use_worker=use_worker)
        )
    except ImportRefused as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
    _summarise(report, show_errors)
    if report["status"] != "succeeded":
        raise typer.Exit(1)
    if report["failed"]:
        raise typer.Exit(2)


async def _run(
    source: bytes, content_type: str, slug: str, by: str | None, *, use_worker: bool
) -> dict[str, Any]:
    from services.core.db import database
    from services.core.errors import ProblemError
    from services.core.queue import queue
    from services.core.user_state import user_states

    try:
        import_id, tenant_id, total = await _create(source, content_type, slug, by, use_worker)
        del source  # the stored copy is the one that counts; the job reads it back
        return await _follow(import_id, tenant_id, total, run_here=not use_worker)
    except ProblemError as error:
        raise ImportRefused(error.detail or error.title) from error
    finally:
        await queue.close()
        await user_states.close()
        await database.dispose()


async def _create(
    source: bytes, content_type: str, slug: str, by: str | None, enqueue: bool
) -> tuple[uuid.UUID, uuid.UUID, int]:
    """The import, created as the endpoint creates it; only its ids leave, so the file's bytes
    held by the session's objects are freed before the rows are processed."""
    from services.core.db import database
    from services.core.tenancy import bind_tenant
    from services.profiles.imports import service
    from services.profiles.tenants.service import tenant_by_slug

    async with database.transaction() as session:
        tenant = await tenant_by_slug(session, slug)
        bind_tenant(session, tenant.id)  # the command's boundary: the tenant it was given
        admin = await service.creator_for_cli(session, by)
        record = await service.create_import(
            session,
            tenant_id=tenant.id,
            created_by=admin.id,
            source=source,
            content_type=content_type,
            enqueue=enqueue,
        )
    return record.id, tenant.id, record.total


async def _follow(
    import_id: uuid.UUID, tenant_id: uuid.UUID, total: int, *, run_here: bool
) -> dict[str, Any]:
    from services.profiles.imports.tasks import run_import

    job = asyncio.ensure_future(run_import({}, str(import_id))) if run_here else None
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    console = Console(stderr=True)
    waiting = "waiting for the worker" if not run_here else "importing"
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task(waiting, total=total)
            while True:
                report = await _report(import_id, tenant_id)
                progress.update(task, completed=report["done"], description=report["status"])
                if report["status"] in ("succeeded", "failed"):
                    break
                if job is not None and job.done():
                    job.result()  # an exception of the job surfaces here
                    report = await _report(import_id, tenant_id)
                    break
                await asyncio.sleep(POLL_SECONDS)
        if job is not None:
            await job  # statistics are refreshed after the import reported success
        return report
    finally:
        if job is not None and not job.done():
            job.cancel()  # the import stays resumable: the sweeper queues it for the worker


async def _report(import_id: uuid.UUID, tenant_id: uuid.UUID) -> dict[str, Any]:
    from services.core.db import database
    from services.profiles.imports import service
    from services.profiles.imports.schemas import ImportRead

    async with database.session(readonly=True, tenant_id=tenant_id) as session:
        return ImportRead.of(await service.get_import(session, import_id)).model_dump(mode="json")


def _summarise(report: dict[str, Any], show_errors: int) -> None:
    typer.echo(
        f"import {report['id']}: {report['status']}; {report['total']} rows: "
        f"{report['created']} created, {report['updated']} updated, {report['failed']} failed"
    )
    errors = report["errors"]
    if not errors:
        return
    table = Table("row", "field", "problem", title="Rows not imported")
    for error in errors[:show_errors]:
        row = "-" if error["row"] is None else str(error["row"])
        table.add_row(row, error["field"] or "", error["message"])
    Console().print(table)
    unlisted = len(errors) - min(len(errors), show_errors)
    if unlisted or report["errors_omitted"]:
        typer.echo(
            f"... and {unlisted} more problems listed by GET /v1/admin/imports/{report['id']}"
            + (
                f", plus {report['errors_omitted']} failed rows only counted"
                if report["errors_omitted"]
                else ""
            )
        )
