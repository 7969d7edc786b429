"""`mentorship outbox`: deliveries the workers gave up on, listed and sent again."""

import asyncio
import json
import uuid
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

outbox_app = typer.Typer(
    help="Event deliveries: those parked after every try, and sending them again.",
    no_args_is_help=True,
)

TenantOption = Annotated[str | None, typer.Option("--tenant", help="Only this tenant (slug).")]


def _prepare() -> None:
    from deploy.environment import prepare
    from services.core.logging import configure_logging

    prepare()
    configure_logging()


async def _tenant_id(session: Any, slug: str | None) -> uuid.UUID | None:
    from services.core.errors import ProblemError
    from services.profiles.tenants.service import tenant_by_slug

    if slug is None:
        return None
    try:
        return (await tenant_by_slug(session, slug)).id
    except ProblemError as error:
        raise typer.BadParameter(f"no tenant {slug!r}", param_hint="--tenant") from error


async def _parked(slug: str | None, limit: int) -> list[dict[str, Any]]:
    from services.core.db import database
    from services.core.outbox import service

    try:
        # An operator's view: across tenants, or narrowed to one by the option.
        async with database.session(readonly=True, all_tenants=True) as session:
            tenant_id = await _tenant_id(session, slug)
            rows = await service.parked_deliveries(session, tenant_id, limit)
    finally:
        await database.dispose()
    return [
        {
            "event_id": str(row.event_id),
            "event_type": row.event_type,
            "tenant_id": str(row.tenant_id),
            "subscriber": row.subscriber,
            "attempts": row.attempts,
            "parked_at": row.parked_at.isoformat(),
            "last_error": row.last_error,
            "payload": row.payload,
        }
        for row in rows
    ]


@outbox_app.command("parked")
def parked(
    tenant: TenantOption = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
) -> None:
    """List deliveries parked after every try: which subscriber, which event, the last error.
    Fix the cause, then `mentorship outbox retry`."""
    _prepare()
    rows = asyncio.run(_parked(tenant, limit))
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("no parked deliveries")
        return
    table = Table("parked at", "subscriber", "event", "tenant", "tries", "last error")
    for row in rows:
        table.add_row(
            row["parked_at"][:19],
            row["subscriber"],
            f"{row['event_type']} {row['event_id']}",
            row["tenant_id"],
            str(row["attempts"]),
            row["last_error"] or "",
        )
    Console(width=200).print(table)


async def _retry(slug: str | None, subscriber: str | None, events: list[uuid.UUID]) -> int:
    from services.core.db import database
    from services.core.outbox import service
    from services.core.outbox.tasks import resend_due
    from services.core.queue import queue

    try:
        async with database.transaction(all_tenants=True) as session:
            tenant_id = await _tenant_id(session, slug)
            count = await service.retry_parked(
                session, tenant_id=tenant_id, subscriber=subscriber, event_ids=events or None
            )
        if count:
            await resend_due()
        return count
    finally:
        await queue.close()
        await database.dispose()


@outbox_app.command("retry")
def retry(
    tenant: TenantOption = None,
    subscriber: Annotated[str | None, typer.Option(help="Only this subscriber.")] = None,
    event: Annotated[
        list[uuid.UUID] | None, typer.Option(help="Only this event id; repeatable.")
    ] = None,
) -> None:
    """Send parked deliveries again, each with a fresh set of tries (all of them, or those
    matching the options)."""
    _prepare()
    count = asyncio.run(_retry(tenant, subscriber, event or []))
    typer.echo(f"{count} parked deliveries sent again")
