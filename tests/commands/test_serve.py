"""``kollega serve``: the production web server, checked before it starts."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from kollega.core.management.commands.serve import MAX_DEFAULT_WORKERS, default_workers
from tests.support.processes import Running, free_port, kollega_env


def get_when_up(url: str, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urlopen(url, timeout=10) as response:  # noqa: S310 - a loopback URL of our own
                return int(response.status)
        except (URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_serve_runs_gunicorn_with_the_given_workers_and_stops_on_sigterm(
    migrated_dir: Path, start: Callable[..., Running]
) -> None:
    port = free_port()
    server = start(
        "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--", "--no-control-socket",
        env=kollega_env(migrated_dir, DEBUG="false"),
    )  # fmt: skip
    server.wait_for(rf"Starting Kollega on 127\.0\.0\.1:{port} with 2 web workers")
    server.wait_for("Starting gunicorn")
    assert get_when_up(f"http://127.0.0.1:{port}/") == 200
    server.wait_for(r'"GET / HTTP/1\.1" 200')  # the access log goes to the console
    assert len(server.output.split("Booting worker")) - 1 == 2
    assert server.stop(signal.SIGTERM) == 0
    assert "Traceback" not in server.output


def test_default_worker_count_follows_the_cores_and_is_capped() -> None:
    assert 3 <= default_workers() <= MAX_DEFAULT_WORKERS


def test_serve_refuses_to_run_with_debug_on(migrated_dir: Path) -> None:
    from tests.support.processes import run_kollega

    result = run_kollega("serve", env=kollega_env(migrated_dir, DEBUG="true"))
    assert result.returncode != 0
    assert "does not run with DEBUG on" in result.stderr
    assert "Traceback" not in result.stderr
