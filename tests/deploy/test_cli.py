"""The `mentorship` command, run as a user runs it, against the test database."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import jwt

CLI = [sys.executable, "-m", "deploy.cli"]
ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_tenant_create_then_token() -> None:
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    created = _run(
        "tenant", "create", slug, "--name", "CLI Org", "--admin-email", "Boss@Example.com"
    )
    assert created.returncode == 0, created.stderr
    tenant = json.loads(created.stdout)
    assert tenant["slug"] == slug
    assert tenant["name"] == "CLI Org"

    issued = _run("token", "--tenant", slug, "--email", "new@example.com", "--role", "mentor",
                  "--role", "mentee")  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    claims = jwt.decode(issued.stdout.strip(), options={"verify_signature": False})
    assert claims["tid"] == tenant["id"]
    assert claims["roles"] == ["mentee", "mentor"]
    assert claims["email"] == "new@example.com"

    duplicate = _run("tenant", "create", slug, "--name", "Again", "--admin-email", "x@example.com")
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr
    unknown = _run("token", "--tenant", "no-such-tenant", "--email", "a@example.com")
    assert unknown.returncode == 1
    bad_role = _run("token", "--tenant", slug, "--email", "a@example.com", "--role", "owner")
    assert bad_role.returncode == 1
    assert "owner" in bad_role.stderr


def test_token_output_is_only_the_token(tmp_path: Path) -> None:
    """Even when the command first has to create the signing key (and logs that it did), what
    it prints is the token alone, so `TOKEN=$(mentorship token ...)` works."""
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    assert (
        _run("tenant", "create", slug, "--name", "Org", "--admin-email", "a@example.com").returncode
        == 0
    )
    fresh_key = str(tmp_path / "new-key.pem")
    issued = _run("token", "--tenant", slug, "--email", "a@example.com", SIGNING_KEY_PATH=fresh_key)
    assert issued.returncode == 0, issued.stderr
    assert "auth.signing_key_created" in issued.stderr
    [line] = issued.stdout.splitlines()
    assert line.count(".") == 2 and " " not in line
