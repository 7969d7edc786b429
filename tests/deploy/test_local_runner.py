"""`make run` and its runner (deploy/local.py), and `make help`."""

import itertools
import os
import socket
import subprocess
import sys
from pathlib import Path

from deploy.local import plan
from services.core.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]


def _arguments(command: list[str]) -> dict[str, str]:
    return dict(itertools.pairwise(command))


def test_split_mode_starts_each_service_where_its_url_points() -> None:
    settings = get_settings().model_copy(
        update={
            "service_mode": "split",
            "profiles_url": "http://127.0.0.1:9101",
            "progress_url": "http://localhost:9104/",
        }
    )
    processes = {process.name: process for process in plan(settings)}
    assert _arguments(processes["profiles"].command)["--port"] == "9101"
    assert _arguments(processes["progress"].command)["--port"] == "9104"
    assert _arguments(processes["matching"].command)["--port"] == "8002"  # the default URL
    # The gateway reads the same variables from the environment it inherits: none is rewritten.
    assert all(not key.endswith("_URL") for process in processes.values() for key in process.env)


def test_every_server_listens_on_loopback_unless_told_otherwise() -> None:
    for mode in ("mounted", "split"):
        settings = get_settings().model_copy(update={"service_mode": mode})
        for process in plan(settings):
            if "uvicorn" in process.command:
                assert _arguments(process.command)["--host"] == "127.0.0.1", process.name
    exposed = get_settings().model_copy(update={"service_mode": "split", "host": "0.0.0.0"})
    assert {_arguments(p.command).get("--host") for p in plan(exposed) if p.command} == {
        "0.0.0.0",
        None,  # the worker listens on nothing
    }


def test_a_taken_port_is_reported_before_anything_starts() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "deploy.local", "run"],
            cwd=ROOT,
            env={**os.environ, "PORT": str(taken), "METRICS_PORT": "0"},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"port {taken} (gateway, PORT) is already in use" in result.stderr
    assert "PORT=" in result.stderr  # the remedy, with a free port in it
    assert "gateway on" not in result.stdout


def test_make_help_lists_the_targets() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    for target in ("run", "run-split", "test", "lint", "format", "bench", "migrate", "reset"):
        assert target in lines, result.stdout
        assert len(lines[target].split()) > 2, lines[target]  # each says what it does
