"""The `mentorship` command: tenants, tokens, migrations, the worker and the servers."""

import asyncio
import json
from typing import Annotated

import typer

from deploy.import_command import import_file, import_help
from deploy.outbox_command import outbox_app
from services.core.auth import ROLES

app = typer.Typer(
    help="Operate the mentoring platform.",
    epilog=(
        "Exit status: 0 done; 1 refused or failed (an unknown tenant, a file that cannot be "
        "imported); 2 a usage error, or an import with rows that were not imported. "
        "Commands and the API: docs/api.md."
    ),
    no_args_is_help=True,
)
tenant_app = typer.Typer(help="Organisations.", no_args_is_help=True)
app.add_typer(tenant_app, name="tenant")
app.add_typer(outbox_app, name="outbox")


def _prepare() -> None:
    from deploy.environment import prepare
    from services.core.logging import configure_logging

    prepare()
    configure_logging()


@tenant_app.command("create")
def tenant_create(
    slug: Annotated[str, typer.Argument(help="Short name used in URLs, e.g. acme.")],
    name: Annotated[str, typer.Option(help="Display name of the organisation.")],
    admin_email: Annotated[str, typer.Option(help="Email of the first administrator.")],
) -> None:
    """Create a tenant with its default program and an admin; prints the tenant as JSON."""
    _prepare()
    from deploy import admin

    try:
        tenant = asyncio.run(admin.create_tenant(slug, name, admin_email))
    except admin.AdminError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(json.dumps(tenant, indent=2))


@tenant_app.command("list")
def tenant_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List every tenant: slug, name, id and when it was created."""
    _prepare()
    from deploy import admin

    tenants = asyncio.run(admin.list_tenants())
    if as_json:
        typer.echo(json.dumps(tenants, indent=2))
        return
    if not tenants:
        typer.echo("no tenants yet; create one with `mentorship tenant create`", err=True)
        return
    width = max(len(t["slug"]) for t in tenants)
    for tenant in tenants:
        created = tenant["created_at"][:10]
        typer.echo(f"{tenant['slug']:<{width}}  {tenant['id']}  {created}  {tenant['name']}")


@app.command("reset")
def reset(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete the embedded PostgreSQL and Redis data (every tenant, user and queued job), so the
    next `make run` starts from an empty database. Servers named by DATABASE_URL/REDIS_URL are
    not touched. The signing key stays."""
    from deploy.embedded import embedded_data, running_embedded_servers
    from services.core.settings import get_settings

    data_dir = get_settings().data_dir
    folders = embedded_data(data_dir)
    if not folders:
        typer.echo(f"nothing to reset: no embedded data in {data_dir}")
        return
    running = running_embedded_servers(data_dir)
    if running:
        typer.echo(
            f"error: the embedded {' and '.join(running)} still run on this data; stop them first"
            " (Ctrl-C in `make run`, or wait for a test run to finish)",
            err=True,
        )
        raise typer.Exit(1)
    listed = ", ".join(str(folder) for folder in folders)
    if not yes and not typer.confirm(f"Delete {listed}? All their data is lost."):
        typer.echo("nothing deleted", err=True)
        raise typer.Exit(1)
    import shutil

    for folder in folders:
        shutil.rmtree(folder)
    typer.echo(f"deleted {listed}; the next `make run` starts with an empty database")


@app.command("token")
def token(
    tenant: Annotated[str, typer.Option(help="Tenant slug.")],
    email: Annotated[str, typer.Option(help="The user; created on first use.")],
    role: Annotated[
        list[str] | None,
        typer.Option(help=f"Role to grant ({', '.join(ROLES)}); repeatable. Default: mentee."),
    ] = None,
    ttl: Annotated[int | None, typer.Option(help="Lifetime in seconds.")] = None,
) -> None:
    """Print an access token for a user of a tenant."""
    _prepare()
    from deploy import admin

    try:
        typer.echo(asyncio.run(admin.issue_user_token(tenant, email, role or [], ttl)))
    except admin.AdminError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error


app.command("import", epilog=import_help())(import_file)


@app.command("demo")
def demo(
    mentors: Annotated[int, typer.Option(min=2, help="Generated mentors.")] = 200,
    mentees: Annotated[int, typer.Option(min=1, help="Generated mentees.")] = 300,
    seed: Annotated[int, typer.Option(help="The same seed gives the same people.")] = 7,
) -> None:
    """Seed the demo tenant `demo` with generated mentors and mentees in a program, then print
    tokens and curl commands to try matching. Run again: the same people, new tokens."""
    import os

    # The import's own log lines would bury the instructions; problems are still shown.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _prepare()
    from deploy import demo as seeding

    try:
        result = asyncio.run(seeding.run(mentors, mentees, seed))
    except seeding.DemoError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(result.instructions())


@app.command("migrate")
def migrate() -> None:
    """Bring the database schema up to date."""
    _prepare()
    from deploy.migrate import upgrade

    upgrade()
    typer.echo("database is up to date")


@app.command("worker")
def worker(
    lane: Annotated[
        list[str] | None,
        typer.Option(
            help="interactive (what people wait for: imports, holds) or bulk (large event "
            "volumes); repeatable. Default: both, in this one process."
        ),
    ] = None,
) -> None:
    """Run the background workers: every job, the outbox relay, the sweepers."""
    from services.core.queue import Lane

    known = {item.value for item in Lane}
    for name in lane or []:
        if name not in known:
            raise typer.BadParameter(f"{name!r} is not a lane ({', '.join(sorted(known))})")
    _prepare()
    from workers.main import run_worker

    run_worker([Lane(name) for name in lane] if lane else list(Lane))


@app.command("serve")
def serve(
    service: Annotated[
        str | None,
        typer.Argument(help="profiles, matching, proposals or progress; none: the gateway."),
    ] = None,
    port: Annotated[int | None, typer.Option(help="Default: PORT.")] = None,
) -> None:
    """Serve the gateway, or one service on its own (split mode)."""
    host, default_port = _prepare_service(service)
    import uvicorn

    target = "services.standalone:create_app" if service else "api.app:create_app"
    uvicorn.run(
        target,
        factory=True,
        host=host,
        port=port or default_port,
        access_log=False,
        log_level="warning",
        loop="uvloop",
        http="httptools",
    )


def _prepare_service(service: str | None) -> tuple[str, int]:
    import os

    if service:
        os.environ["SERVICE_NAME"] = service
    _prepare()
    from services.core.settings import get_settings

    settings = get_settings()
    return settings.host, settings.port


if __name__ == "__main__":
    app()
