"""The `mentorship` command: tenants, tokens, migrations, the worker and the servers."""

import asyncio
import json
from typing import Annotated

import typer

from deploy.import_command import import_file
from services.core.auth import ROLES

app = typer.Typer(help="Operate the mentoring platform.", no_args_is_help=True)
tenant_app = typer.Typer(help="Organisations.", no_args_is_help=True)
app.add_typer(tenant_app, name="tenant")


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


app.command("import")(import_file)


@app.command("migrate")
def migrate() -> None:
    """Bring the database schema up to date."""
    _prepare()
    from deploy.migrate import upgrade

    upgrade()
    typer.echo("database is up to date")


@app.command("worker")
def worker() -> None:
    """Run the background worker (outbox relay and every job)."""
    _prepare()
    from workers.main import run_worker

    run_worker()


@app.command("serve")
def serve(
    service: Annotated[
        str | None,
        typer.Argument(help="profiles, matching, proposals or progress; none: the gateway."),
    ] = None,
    port: Annotated[int | None, typer.Option(help="Default: PORT.")] = None,
) -> None:
    """Serve the gateway, or one service on its own (split mode)."""
    settings_env = _prepare_service(service)
    import uvicorn

    target = "services.standalone:create_app" if service else "api.app:create_app"
    uvicorn.run(
        target,
        factory=True,
        host="0.0.0.0",
        port=port or settings_env,
        access_log=False,
        log_level="warning",
        loop="uvloop",
        http="httptools",
    )


def _prepare_service(service: str | None) -> int:
    import os

    if service:
        os.environ["SERVICE_NAME"] = service
    _prepare()
    from services.core.settings import get_settings

    return get_settings().port


if __name__ == "__main__":
    app()
