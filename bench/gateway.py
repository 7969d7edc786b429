"""What the gateway costs: `GET /v1/users/me` served by the profiles service alone, through the
default gateway (services mounted in-process) and through the split gateway (an HTTP hop).

Every server process is pinned to CPU 0 and the load generator to CPU 1, so the system under
test has one core whatever its shape. Targets: default >= 70 % of the service alone, split
>= 35 %.

Every setup decides the caller's authority from the users table (cached in Redis): before
measuring, each must refuse a validly signed token that names the reader in another tenant.
"""

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.load import LoadResult, run_load

ROOT = Path(__file__).resolve().parent.parent
SERVER_CPU = {0}
CLIENT_CPU = {1}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pin(cpus: set[int]) -> None:
    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > max(cpus):
        os.sched_setaffinity(0, cpus)


@contextmanager
def _server(target: str, port: int, env: dict[str, str]) -> Iterator[str]:
    """A server on loopback; its log (a line per request) goes to a file, not into the figures."""
    log_path = Path(tempfile.gettempdir()) / f"mentorship-bench-{port}.log"
    command = [
        sys.executable, "-m", "uvicorn", target, "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log", "--log-level", "warning",
        "--loop", "uvloop", "--http", "httptools",
    ]  # fmt: skip
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log_file,
        stderr=subprocess.STDOUT,
        preexec_fn=lambda: _pin(SERVER_CPU),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{target} did not start on port {port}; see {log_path}")
        yield url
    finally:
        process.terminate()
        process.wait(10)
        log_file.close()


def _token() -> str:
    from deploy import admin

    slug = f"bench-{uuid.uuid4().hex[:8]}"
    asyncio.run(admin.create_tenant(slug, "Benchmark", f"admin@{slug}.example"))
    return asyncio.run(admin.issue_user_token(slug, "reader@example.com", ["mentee"], 3600))


def _elsewhere(token: str) -> str:
    """The same user, signed by the same key, claiming admin in a tenant that is not theirs."""
    import jwt

    from services.core.auth import issue_token

    claims = jwt.decode(token, options={"verify_signature": False})
    return issue_token(
        tenant_id=uuid.uuid4(), user_id=uuid.UUID(claims["sub"]), email="x@example.com",
        roles=["admin"],
    )  # fmt: skip


def _check_authority(url: str, token: str, forged: str, extra: dict[str, str]) -> None:
    me = httpx.get(url + "/v1/users/me", headers={"Authorization": f"Bearer {token}", **extra})
    other = httpx.get(url + "/v1/programs", headers={"Authorization": f"Bearer {forged}", **extra})
    if me.status_code != 200 or other.status_code != 401:
        raise RuntimeError(
            f"{url}: the reader got {me.status_code}, a token naming another tenant "
            f"{other.status_code} (expected 200 and 401)"
        )


SETUPS = ("profiles service alone", "default gateway (mounted)", "split gateway (HTTP hop)")


def _measure(
    url: str, token: str, connections: int, seconds: float, extra: dict[str, str]
) -> LoadResult:
    headers = {"Authorization": f"Bearer {token}", **extra}
    run_load(url + "/v1/users/me", headers, connections, 1.0)  # warm up connections and caches
    return run_load(url + "/v1/users/me", headers, connections, seconds)


def _line(name: str, result: LoadResult) -> str:
    return (
        f"{name:<28} {result.per_second:8.0f} req/s   p50 {result.percentile(0.5):6.2f} ms"
        f"   p99 {result.percentile(0.99):6.2f} ms   errors {result.errors}"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=4.0, help="per scenario and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)

    _pin(CLIENT_CPU)
    token = _token()
    # The limiter still does its Redis round trip per request; only the ceiling is lifted.
    secret = uuid.uuid4().hex
    env = {
        "RATE_LIMIT_USER_PER_MINUTE": "1000000000",
        "RATE_LIMIT_TENANT_PER_MINUTE": "1000000000",
        "METRICS_PORT": "0",  # the two gateways would both claim the one metrics port
        "GATEWAY_SECRET": secret,
    }
    profiles_env = {**env, "SERVICE_NAME": "profiles"}
    upstream_port = _free_port()
    split_env = {
        **env,
        "SERVICE_MODE": "split",
        "PROFILES_URL": f"http://127.0.0.1:{upstream_port}",
    }
    print(
        f"GET /v1/users/me, {args.connections} connections, {args.rounds} rounds of "
        f"{args.seconds:.0f} s per setup (interleaved, so drift hits all alike), "
        "servers on CPU 0, load on CPU 1",
        flush=True,
    )
    results: dict[str, list[LoadResult]] = {name: [] for name in SETUPS}
    with (
        _server("services.standalone:create_app", _free_port(), profiles_env) as alone,
        _server("api.app:create_app", _free_port(), env) as mounted,
        _server("services.standalone:create_app", upstream_port, profiles_env),
        _server("api.app:create_app", _free_port(), split_env) as split,
    ):
        urls = dict(zip(SETUPS, (alone, mounted, split), strict=True))
        # The service alone is reached as the gateway reaches it, with the gateway's secret.
        extra = {alone: {"X-Gateway-Secret": secret}, mounted: {}, split: {}}
        forged = _elsewhere(token)
        for url in urls.values():
            _check_authority(url, token, forged, extra[url])
        print("authority from the users table (Redis-cached) checked in every setup", flush=True)
        for round_number in range(1, args.rounds + 1):
            for name, url in urls.items():
                result = _measure(url, token, args.connections, args.seconds, extra[url])
                results[name].append(result)
                print(f"  round {round_number}  {_line(name, result)}", flush=True)
    best = {name: statistics.median(r.per_second for r in runs) for name, runs in results.items()}
    print("median of rounds:")
    for name in SETUPS:
        print(f"  {name:<28} {best[name]:8.0f} req/s")
    alone_rate = best[SETUPS[0]]
    print(f"  default gateway / alone: {best[SETUPS[1]] / alone_rate:6.1%}   (target >= 70 %)")
    print(f"  split gateway / alone:   {best[SETUPS[2]] / alone_rate:6.1%}   (target >= 35 %)")
    return 0
