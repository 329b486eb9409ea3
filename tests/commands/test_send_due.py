"""``kollega send-due`` as an operator runs it: a separate process, a real SMTP server, exit status 0."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.support.processes import Running, free_port, kollega_env, run_kollega


class Inbox:
    def __init__(self) -> None:
        self.recipients: list[str] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        with self._lock:
            self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def queue(env: dict[str, str], *addresses: str) -> None:
    """Another process stores messages in the outbox (its send jobs wait in a queue nobody reads here)."""
    code = (
        "from kollega.notifications.services import notification_queue\n"
        f"for address in {list(addresses)!r}:\n"
        "    notification_queue(kind='accounts.unknown_account', recipient=address, context={})\n"
    )
    made = run_kollega("shell", "-c", code, env=env)
    assert made.returncode == 0, made.stderr


def statuses(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "kollega.sqlite3") as db:
        return [row[0] for row in db.execute("SELECT status FROM notifications_notification ORDER BY id")]


def test_send_due_sends_what_is_due_and_says_so_in_one_line(migrated_dir: Path, inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    env = kollega_env(migrated_dir, EMAIL_URL=f"smtp://127.0.0.1:{port}")
    queue(env, "eka@example.org", "toka@example.org", "kolmas@example.org")

    result = run_kollega("send-due", "--limit", "2", env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "Sent 3, failed 0, skipped 0, given up 0.\n"
    assert sorted(handler.recipients) == ["eka@example.org", "kolmas@example.org", "toka@example.org"]
    assert statuses(migrated_dir) == ["sent"] * 3

    again = run_kollega("send-due", env=env)
    assert (again.returncode, again.stdout) == (0, "Sent 0, failed 0, skipped 0, given up 0.\n")
    assert len(handler.recipients) == 3


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_send_due_loop_keeps_sending_and_stops_cleanly(
    migrated_dir: Path, inbox: tuple[Inbox, int], start: Callable[..., Running], sig: signal.Signals
) -> None:
    handler, port = inbox
    env = kollega_env(migrated_dir, EMAIL_URL=f"smtp://127.0.0.1:{port}")
    sender = start("send-due", "--loop", "0.2", env=env)
    sender.wait_for("Sending email as it comes due, looking again every 0.2 seconds")

    queue(env, "myohemmin@example.org", "viela@example.org")
    # Stored one after the other, they may go in one round or in two.
    sender.wait_for(r"^Sent [12], failed 0, skipped 0, given up 0\.$")
    deadline = time.monotonic() + 60
    while statuses(migrated_dir) != ["sent", "sent"]:
        assert time.monotonic() < deadline, statuses(migrated_dir)
        time.sleep(0.2)

    assert sender.stop(sig) == 0
    assert sender.output.splitlines()[-1] == "Stopped. In all: Sent 2, failed 0, skipped 0, given up 0."
    assert "Traceback" not in sender.output
    assert sorted(handler.recipients) == ["myohemmin@example.org", "viela@example.org"]


def test_send_due_with_a_wrong_limit_is_a_usage_error(migrated_dir: Path) -> None:
    result = run_kollega("send-due", "--limit", "0", env=kollega_env(migrated_dir))
    assert result.returncode == 2
    assert "--limit must be at least 1" in result.stderr
