"""The gateway as it runs in production, a uvicorn process: what operators see of it."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.loopback import free_port

ROOT = Path(__file__).resolve().parents[2]
_UVICORN = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory"]
_UVICORN += ["--host", "127.0.0.1"]


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        assert process.poll() is None, "the gateway exited"
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def test_metrics_have_their_own_port_and_probes_stay_out_of_the_log() -> None:
    port, metrics_port = free_port(), free_port()
    process = subprocess.Popen(
        [*_UVICORN, "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "METRICS_PORT": str(metrics_port), "LOG_LEVEL": "INFO"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    api = f"http://127.0.0.1:{port}"
    try:
        _wait_for(api + "/healthz", process)
        for _ in range(3):
            assert httpx.get(api + "/healthz").status_code == 200
        assert httpx.get(api + "/readyz").status_code == 200
        assert httpx.get(api + "/v1/users/me").status_code == 401
        public_metrics = httpx.get(api + "/metrics")
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics")
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=15)
    assert public_metrics.status_code == 404
    assert metrics.status_code == 200
    assert 'http_requests_total{method="GET",service="profiles",status="401"}' in metrics.text
    logged = [line for line in stderr.decode().splitlines() if "http.request" in line]
    assert any("/v1/users/me" in line for line in logged), stderr.decode()
    assert not any("/healthz" in line or "/readyz" in line for line in logged), logged


def test_a_taken_metrics_port_stops_the_gateway_with_the_setting_to_change() -> None:
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        result = subprocess.run(
            [*_UVICORN, "--port", str(free_port())],
            cwd=ROOT,
            env={**os.environ, "METRICS_PORT": str(taken)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert "METRICS_PORT" in result.stderr
