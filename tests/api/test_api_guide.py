"""docs/api.md, the API guide in the repository, and what the system really offers stay in
step: the operations of /openapi.json, the CSV columns of imports and the CLI's commands."""

import re
from pathlib import Path
from typing import Any

import httpx
import typer.main
from typer.testing import CliRunner

from deploy.cli import app as cli
from services.profiles.imports.formats import COLUMNS

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "api.md").read_text()
METHODS = "GET|POST|PUT|PATCH|DELETE"
# An operation named anywhere in the guide, as `GET /v1/users/me`.
MENTIONED = re.compile(rf"`({METHODS}) (/[^`\s]*)")
# An operation documented in a table: its row starts with it.
DOCUMENTED = re.compile(rf"^\| `({METHODS}) (/[^`\s]*)`", re.MULTILINE)


async def _operations(client: httpx.AsyncClient) -> set[tuple[str, str]]:
    document = (await client.get("/openapi.json")).json()
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


async def test_every_operation_named_in_the_guide_exists(client) -> None:
    operations = await _operations(client)
    mentioned = {(m.group(1), m.group(2).split("?")[0]) for m in MENTIONED.finditer(GUIDE)}
    assert mentioned, "the guide names no operation"
    assert mentioned - operations == set(), "the guide names operations the API does not have"


async def test_every_operation_of_the_api_is_documented_in_the_guide(client) -> None:
    operations = await _operations(client)
    documented = {(m.group(1), m.group(2)) for m in DOCUMENTED.finditer(GUIDE)}
    assert operations - documented == set(), "operations missing from docs/api.md"


def test_the_guide_and_the_import_help_list_every_csv_column() -> None:
    in_guide = set(re.findall(r"^\| `([a-z_]+)` \|", GUIDE, re.MULTILINE))
    assert set(COLUMNS) <= in_guide
    shown = CliRunner().invoke(cli, ["import", "--help"], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    for column in COLUMNS:
        assert column in shown.output, column
    for words in ("0 ", "1 ", "2 ", "Exit status"):
        assert words in shown.output


def _commands(group: Any, prefix: str = "mentorship") -> list[str]:
    names = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            names += _commands(command, f"{prefix} {name}")
        else:
            names.append(f"{prefix} {name}")
    return names


def test_the_guide_documents_every_cli_command_and_the_exit_statuses() -> None:
    commands = _commands(typer.main.get_command(cli))
    assert "mentorship import" in commands
    for command in commands:
        assert re.search(rf"^\| `{command}( |`)", GUIDE, re.MULTILINE), command
    shown = CliRunner().invoke(cli, ["--help"], terminal_width=200)
    assert "Exit status" in shown.output


def test_the_readme_points_at_the_guide_in_the_repository() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "docs/api.md" in readme
    assert "../shared" not in readme


def test_the_guide_names_every_health_threshold() -> None:
    from dataclasses import fields

    from services.progress.health import Thresholds

    for spec in fields(Thresholds):
        assert f"`{spec.name}` {spec.default:g}" in GUIDE, spec.name
