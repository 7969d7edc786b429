"""The local runner behind `make run`, `make test` and `make bench`.

`run` starts PostgreSQL and Redis (embedded unless DATABASE_URL/REDIS_URL are set), migrates,
then runs the gateway (with the services mounted, or each service as its own process in split
mode) and a worker per lane (interactive, bulk), their output interleaved with a prefix. Ctrl-C
stops them all.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from deploy.environment import prepare
from deploy.migrate import upgrade
from services.core.settings import SERVICE_NAMES, Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _pump(prefix: str, stream: IO[bytes]) -> None:
    for line in iter(stream.readline, b""):
        sys.stdout.write(f"{prefix} {line.decode(errors='replace')}")
        sys.stdout.flush()


def _uvicorn(target: str, host: str, port: int) -> list[str]:
    return [
        PYTHON, "-m", "uvicorn", target, "--factory",
        "--host", host, "--port", str(port),
        "--no-access-log", "--log-level", "warning", "--loop", "uvloop", "--http", "httptools",
    ]  # fmt: skip


@dataclass(frozen=True)
class Process:
    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    # The port it listens on, the setting that chooses it, and that setting set to `{port}`.
    port: int | None = None
    setting: str = ""
    hint: str = ""


def plan(settings: Settings) -> list[Process]:
    """The processes `run` starts. In split mode each service listens on the port of its URL
    (PROFILES_URL...), so the gateway, which reads the same variables, finds it there."""
    processes: list[Process] = []
    if settings.service_mode == "split":
        for name in SERVICE_NAMES:
            variable = f"{name.upper()}_URL"
            url = urlsplit(settings.service_url(name))
            port = url.port or (443 if url.scheme == "https" else 80)
            processes.append(
                Process(
                    name,
                    _uvicorn("services.standalone:create_app", settings.host, port),
                    {"SERVICE_NAME": name},
                    port,
                    variable,
                    f"{variable}=http://127.0.0.1:{{port}}",
                )
            )
    processes.append(
        Process(
            "gateway",
            _uvicorn("api.app:create_app", settings.host, settings.port),
            port=settings.port,
            setting="PORT",
            hint="PORT={port}",
        )
    )
    if settings.metrics_port:
        processes.append(
            Process(
                "metrics", [], port=settings.metrics_port, setting="METRICS_PORT",
                hint="METRICS_PORT={port} (or 0: no metrics)",
            )
        )  # fmt: skip
    # A worker process per lane: a bulk backlog never takes the interactive worker's CPU.
    processes.append(Process("interactive", [PYTHON, "-m", "workers", "interactive"]))
    processes.append(Process("bulk", [PYTHON, "-m", "workers", "bulk"]))
    return processes


def _port_taken(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As the servers bind: a port another socket merely left in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def ports_taken(settings: Settings, processes: Sequence[Process]) -> list[str]:
    """One line per port that is already in use, saying which setting moves it."""
    problems = []
    for process in processes:
        if process.port is not None and _port_taken(settings.host, process.port):
            free = _free_port(settings.host)
            problems.append(
                f"port {process.port} ({process.name}, {process.setting}) is already in use "
                f"on {settings.host}; stop what holds it (another `make run`?) or choose "
                f"another port, e.g. {process.hint.format(port=free)} make run"
            )
    return problems


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _wait_until_listening(
    host: str, port: int, children: Sequence[subprocess.Popen[bytes]]
) -> bool:
    address = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and all(child.poll() is None for child in children):
        with contextlib.suppress(OSError), socket.create_connection((address, port), 0.5):
            return True
        time.sleep(0.1)
    return False


def run() -> int:
    os.environ.setdefault("LOCAL_DEVELOPMENT", "true")
    processes = plan(get_settings())
    # Before anything starts: a taken port is told with its remedy, not as a child's crash.
    taken = ports_taken(get_settings(), processes)
    if taken:
        for line in taken:
            print(f"[run] {line}", file=sys.stderr, flush=True)
        return 1
    settings = prepare()
    upgrade()
    if settings.service_mode == "split":
        from services.core.gateway_secret import gateway_secret

        gateway_secret()  # created once here, so every child reads the same one
    env = dict(os.environ)
    processes = [process for process in processes if process.command]

    width = max(len(process.name) for process in processes)
    children: list[subprocess.Popen[bytes]] = []
    for process in processes:
        child = subprocess.Popen(
            process.command,
            cwd=ROOT,
            env={**env, **process.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert child.stdout is not None
        threading.Thread(
            target=_pump, args=(f"[{process.name:<{width}}]", child.stdout), daemon=True
        ).start()
        children.append(child)
    if _wait_until_listening(settings.host, settings.port, children):
        print(
            f"[{'run':<{width}}] gateway on http://{settings.host}:{settings.port} "
            f"({settings.service_mode} mode); Ctrl-C stops everything",
            flush=True,
        )
    else:
        print(f"[{'run':<{width}}] the gateway did not start; see above", flush=True)
    try:
        while all(child.poll() is None for child in children):
            with contextlib.suppress(subprocess.TimeoutExpired):
                children[0].wait(0.5)
    except KeyboardInterrupt:
        pass
    code = _stop(children)
    print(f"[{'run':<{width}}] stopped; data kept in {settings.data_dir}", flush=True)
    return code


def _stop(children: Sequence[subprocess.Popen[bytes]]) -> int:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    code = 0
    for child in children:
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.returncode not in (0, -signal.SIGTERM, -signal.SIGINT):
            code = 1
    return code


def test(args: Sequence[str]) -> int:
    prepare()
    return subprocess.call([PYTHON, "-m", "pytest", *args], cwd=ROOT)


def bench(args: Sequence[str]) -> int:
    prepare()
    upgrade()
    return subprocess.call([PYTHON, "-m", "bench", *args], cwd=ROOT)


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "bench"}:
        print("usage: python -m deploy.local run|test|bench [args]", file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return run()
    if command == "test":
        return test(rest)
    return bench(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
