"""``kollega worker`` consumes jobs queued by other processes, on SQLite or Redis, and stops cleanly."""

from __future__ import annotations

import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from tests.support.processes import Running, kollega_env, run_kollega

REDIS_TEST_URL = "redis://127.0.0.1:6379/13"


def outbox(data_dir: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(data_dir / "kollega.sqlite3") as db:
        return db.execute("SELECT kind, recipient, status FROM notifications_notification ORDER BY id").fetchall()


def wait_until_sent(data_dir: Path, timeout: float = 30) -> list[tuple[str, str, str]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = outbox(data_dir)
        if rows and all(status == "sent" for _kind, _to, status in rows):
            return rows
        time.sleep(0.3)
    raise AssertionError(f"not sent within {timeout}s: {outbox(data_dir)}")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_worker_starts_schedules_periodic_jobs_and_stops_on_a_signal(
    migrated_dir: Path, start: Callable[..., Running], sig: signal.Signals
) -> None:
    worker = start("worker", env=kollega_env(migrated_dir))
    worker.wait_for(r"Kollega worker \(SQLite queue\) runs jobs and schedules the periodic ones")
    worker.wait_for("Periodic tasks are enabled")
    # The periodic mail job runs once at start-up, then every minute.
    worker.wait_for(r"Executing kollega\.core\.tasks\.notifications_send_due_job")
    assert worker.stop(sig) == 0
    # A signal that lands in the instant before huey installs its handlers stops the start-up instead.
    assert "Consumer exiting" in worker.output or "Stopped during start-up" in worker.output
    assert "Traceback" not in worker.output


def test_an_extra_worker_only_consumes(migrated_dir: Path, start: Callable[..., Running]) -> None:
    worker = start("worker", "--consume-only", env=kollega_env(migrated_dir))
    worker.wait_for(r"Kollega worker \(SQLite queue\) runs jobs only")
    worker.wait_for("Periodic tasks are disabled")
    time.sleep(1)  # huey installs its signal handlers just after its last start-up line
    assert worker.stop(signal.SIGINT) == 0


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_worker_sends_the_invitation_that_another_process_queued(
    migrated_dir: Path, start: Callable[..., Running], queue: str
) -> None:
    env = kollega_env(migrated_dir)
    if queue == "redis":
        redis.Redis.from_url(REDIS_TEST_URL).flushdb()
        env["REDIS_URL"] = REDIS_TEST_URL
    # Only the queued job may send it: no periodic sweep in this worker.
    worker = start("worker", "--consume-only", env=env)
    worker.wait_for("Huey consumer started")

    made = run_kollega("create-organisation", "Testilän kehitys", "--coordinator", "kirsi.koe@example.org", env=env)
    assert made.returncode == 0, made.stderr

    rows = wait_until_sent(migrated_dir)
    assert [(to, status) for _kind, to, status in rows] == [("kirsi.koe@example.org", "sent")]
    worker.wait_for("notification_send_task")
    worker.wait_for("To: kirsi.koe@example.org")  # the console mail backend printed it
    assert worker.stop(signal.SIGINT) == 0
    if queue == "redis":
        # The queue lived in Redis: SQLite storage would have made this file.
        assert not (migrated_dir / "huey.sqlite3").exists()
