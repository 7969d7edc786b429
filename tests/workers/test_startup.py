"""The worker refuses a Redis that may evict jobs."""

import asyncio
import subprocess
import tempfile
from pathlib import Path

import pytest
from redis.asyncio import Redis

from deploy.embedded import _redis_server_binary
from workers.main import UnsafeRedis, check_redis_keeps_jobs


async def test_accepts_the_queue_redis(redis: Redis) -> None:
    await check_redis_keeps_jobs(redis)


async def test_refuses_a_redis_that_evicts() -> None:
    folder = Path(tempfile.mkdtemp(prefix="evicting-redis-"))
    sock = folder / "r.sock"
    server = subprocess.Popen(  # noqa: ASYNC220 - starting it is instant
        [str(_redis_server_binary()), "--port", "0", "--unixsocket", str(sock), "--save", "",
         "--maxmemory-policy", "allkeys-lru", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    client = Redis(unix_socket_path=str(sock))
    try:
        for _ in range(200):
            if sock.exists():
                break
            await asyncio.sleep(0.02)
        with pytest.raises(UnsafeRedis, match="allkeys-lru"):
            await check_redis_keeps_jobs(client)
    finally:
        await client.aclose()
        server.terminate()
        server.wait(5)
