"""The local runner behind `make run`, `make test` and `make bench`.

`run` starts PostgreSQL and Redis (embedded unless DATABASE_URL/REDIS_URL are set), migrates,
then runs the gateway (with the services mounted, or each service as its own process in split
mode) and a worker, their output interleaved with a prefix. Ctrl-C stops them all.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from deploy.environment import prepare
from deploy.migrate import upgrade
from services.core.settings import SERVICE_NAMES

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _pump(prefix: str, stream: IO[bytes]) -> None:
    for line in iter(stream.readline, b""):
        sys.stdout.write(f"{prefix} {line.decode(errors='replace')}")
        sys.stdout.flush()


def _uvicorn(target: str, port: int) -> list[str]:
    return [
        PYTHON, "-m", "uvicorn", target, "--factory",
        "--host", "0.0.0.0", "--port", str(port),
        "--no-access-log", "--log-level", "warning", "--loop", "uvloop", "--http", "httptools",
    ]  # fmt: skip


def run() -> int:
    os.environ.setdefault("LOCAL_DEVELOPMENT", "true")
    settings = prepare()
    upgrade()
    env = dict(os.environ)
    processes: list[tuple[str, list[str], dict[str, str]]] = []
    if settings.service_mode == "split":
        for offset, name in enumerate(SERVICE_NAMES, start=1):
            port = settings.port + offset
            env[f"{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
            processes.append(
                (name, _uvicorn("services.standalone:create_app", port), {"SERVICE_NAME": name})
            )
    processes.append(("gateway", _uvicorn("api.app:create_app", settings.port), {}))
    processes.append(("worker", [PYTHON, "-m", "workers"], {}))

    width = max(len(name) for name, _, _ in processes)
    children: list[subprocess.Popen[bytes]] = []
    for name, command, extra in processes:
        child = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**env, **extra},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert child.stdout is not None
        threading.Thread(
            target=_pump, args=(f"[{name:<{width}}]", child.stdout), daemon=True
        ).start()
        children.append(child)
    print(
        f"[{'run':<{width}}] gateway on http://127.0.0.1:{settings.port} "
        f"({settings.service_mode} mode); Ctrl-C stops everything",
        flush=True,
    )
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
