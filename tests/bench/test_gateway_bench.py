"""`make bench ARGS=gateway` prints its figures, not the servers' request log."""

import httpx
import pytest

from bench.gateway import _server
from tests.loopback import free_port


def test_bench_servers_keep_their_request_log_out_of_the_output(
    capfd: pytest.CaptureFixture[str],
) -> None:
    env = {"METRICS_PORT": "0", "LOG_LEVEL": "INFO"}
    with _server("api.app:create_app", free_port(), env) as url:
        statuses = {httpx.get(url + "/v1/users/me").status_code for _ in range(5)}
    assert statuses == {401}
    printed = capfd.readouterr()
    assert "http.request" not in printed.out + printed.err
