"""`mentorship tenant list` and `mentorship reset`, run as a user runs them."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deploy.cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_tenant_list_shows_every_tenant() -> None:
    slugs = [f"list-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    for slug in slugs:
        created = _run("tenant", "create", slug, "--name", f"Org {slug}", "--admin-email", "a@x.io")
        assert created.returncode == 0, created.stderr
    listed = _run("tenant", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    by_slug = {tenant["slug"]: tenant for tenant in json.loads(listed.stdout)}
    assert {by_slug[slug]["name"] for slug in slugs} == {f"Org {slug}" for slug in slugs}
    table = _run("tenant", "list")
    assert table.returncode == 0, table.stderr
    rows = [line.split() for line in table.stdout.splitlines()]
    assert [slugs[0], by_slug[slugs[0]]["id"]] in [row[:2] for row in rows]


def _embedded_data(data_dir: Path) -> None:
    (data_dir / "postgres").mkdir(parents=True)
    (data_dir / "postgres" / "PG_VERSION").write_text("16\n")
    (data_dir / "redis").mkdir()
    (data_dir / "redis" / "appendonly.aof").write_text("")
    (data_dir / "signing-key.pem").write_text("key")


def test_reset_asks_then_wipes_the_embedded_data(tmp_path: Path) -> None:
    _embedded_data(tmp_path)
    declined = _run("reset", stdin="n\n", DATA_DIR=str(tmp_path))
    assert declined.returncode == 1
    assert (tmp_path / "postgres" / "PG_VERSION").exists()
    assert "Delete" in declined.stdout  # it asked

    confirmed = _run("reset", stdin="y\n", DATA_DIR=str(tmp_path))
    assert confirmed.returncode == 0, confirmed.stderr
    assert not (tmp_path / "postgres").exists()
    assert not (tmp_path / "redis").exists()
    assert (tmp_path / "signing-key.pem").exists()

    again = _run("reset", "--yes", DATA_DIR=str(tmp_path))
    assert again.returncode == 0
    assert "nothing to reset" in again.stdout


def test_reset_refuses_while_the_embedded_server_runs(tmp_path: Path) -> None:
    _embedded_data(tmp_path)
    # A live process holds the data (this test's own pid stands in for the postmaster).
    (tmp_path / "postgres" / "postmaster.pid").write_text(f"{os.getpid()}\n{tmp_path}\n")
    refused = _run("reset", "--yes", DATA_DIR=str(tmp_path))
    assert refused.returncode == 1
    assert "PostgreSQL" in refused.stderr
    assert (tmp_path / "postgres" / "PG_VERSION").exists()
