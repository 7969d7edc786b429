"""The clients our users generate from GET /openapi.json: openapi-python-client for Python and
openapi-typescript with openapi-fetch for web and mobile apps. Each generates every operation
without a warning and calls GET /v1/users/me on a real server on loopback.

The npm packages are pinned in tests/clients/package-lock.json and installed there by `npm ci`
(kept between runs in tests/clients/node_modules, which git ignores)."""

import importlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import TenantFactory

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = ROOT / "tests" / "clients"
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The gateway as users run it: uvicorn in its own process, on the test database."""
    port = _free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory"),
            *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "the gateway did not start"
            assert time.monotonic() < deadline, "the gateway did not answer in 30 s"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def openapi_document(server: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "openapi.json"
    response = httpx.get(f"{server}/openapi.json", timeout=10)
    assert response.status_code == 200
    path.write_text(response.text)
    return path


def _run(command: list[str], cwd: Path, **env: str) -> str:
    done = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{output}"
    return output


def _npm_installed() -> None:
    """`npm ci` once per change of the lock file; node_modules is kept between runs."""
    npm = shutil.which("npm")
    assert npm is not None, "Node.js 20 or later with npm is needed for the TypeScript client"
    installed = CLIENTS / "node_modules" / ".package-lock.json"
    lock = CLIENTS / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], CLIENTS)


EMAIL = "client@example.com"


@pytest.fixture
async def token(make_tenant: TenantFactory) -> str:
    """An access token of a mentor in a new organisation."""
    tenant = await make_tenant()
    return await tenant.token(EMAIL, ["mentor"])


def test_python_client_generates_every_operation_and_calls_users_me(
    server: str,
    openapi_document: Path,
    token: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    package = tmp_path / "mentorship_client"
    output = _run(
        [
            *(str(BIN / "openapi-python-client"), "generate", "--path", str(openapi_document)),
            *("--meta", "none", "--output-path", str(package)),
        ],
        tmp_path,
    )
    # Clean output is the one line naming what it generated; anything else is a warning
    # (an operation left out, a schema it could not read, a missing formatter).
    assert [line for line in output.splitlines() if line.strip()] == [f"Generating {package}"], (
        output
    )
    document = json.loads(openapi_document.read_text())
    operations = {op["operationId"] for item in document["paths"].values() for op in item.values()}
    generated = {path.stem for path in (package / "api").glob("*/*.py") if path.stem != "__init__"}
    assert generated == operations

    monkeypatch.syspath_prepend(str(tmp_path))
    client_module: Any = importlib.import_module("mentorship_client")
    me: Any = importlib.import_module("mentorship_client.api.users.get_current_user")
    with client_module.AuthenticatedClient(base_url=server, token=token) as client:
        response = me.sync_detailed(client=client)
    assert response.status_code == 200, response.content
    assert response.parsed.email == EMAIL
    assert response.parsed.roles == ["mentor"]


def test_typescript_client_generates_and_calls_users_me(
    server: str, openapi_document: Path, token: str
) -> None:
    _npm_installed()
    build = CLIENTS / "build"
    shutil.rmtree(build, ignore_errors=True)
    bin_dir = CLIENTS / "node_modules" / ".bin"
    output = _run(
        [str(bin_dir / "openapi-typescript"), str(openapi_document), "-o", "build/schema.d.ts"],
        CLIENTS,
        NO_COLOR="1",
    )
    lines = [line for line in output.splitlines() if line.strip()]
    # "✨ openapi-typescript 7.x" and "🚀 openapi.json → build/schema.d.ts", nothing else.
    assert len(lines) == 2 and "openapi-typescript" in lines[0] and "→" in lines[1], output
    schema = (build / "schema.d.ts").read_text()
    assert '"/v1/admin/imports"' in schema and '"multipart/form-data"' in schema
    _run([str(bin_dir / "tsc"), "-p", "tsconfig.json"], CLIENTS)

    called = _run(["node", "build/call_me.js", server, token], CLIENTS)
    assert json.loads(called) == {"status": 200, "email": EMAIL, "roles": ["mentor"]}
