"""Three ``kollega send-due`` processes share 300 due messages on PostgreSQL; one is killed mid-batch.

Nothing is lost, and the only message that may arrive twice is one the killed
worker had in hand when it died, with the same Message-ID both times.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from kollega.accounts.notifications import UNKNOWN_ACCOUNT
from kollega.notifications.models import Notification, NotificationStatus
from kollega.notifications.services import message_id_make

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 300
WORKERS = 3
CLAIM_TIMEOUT = 3  # worker_settings.py


def database_url() -> str:
    """The test database (test_…), which the worker processes must use instead of the configured one."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.02)


def pid_of(token: str) -> int:
    """The process id in a claim token (host:pid:random)."""
    return int(token.rsplit(":", 2)[1])


@pytest.fixture
def workers(smtp, tmp_path) -> Iterator[list[subprocess.Popen[str]]]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "EMAIL_URL", "KOLLEGA_ENV"}}
    env.update(
        KOLLEGA_ENV="development",
        KOLLEGA_DATA_DIR=str(tmp_path),
        DATABASE_URL=database_url(),
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        DEFAULT_FROM_EMAIL="Kollega <kollega@mail.example.org>",
        DJANGO_SETTINGS_MODULE="tests.notifications.worker_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
    )
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "kollega", "send-due", "--loop", "0.1", "--limit", "10"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
            if process.stdout:
                process.stdout.close()


def test_a_worker_killed_mid_batch_loses_nothing_and_doubles_at_most_what_it_had_in_hand(smtp, workers):
    assert connection.vendor == "postgresql"
    smtp.delay = 0.02  # a little slow per message, so that the kill lands in the middle of a batch
    # The due set: stored for later, then due for everyone at once when all workers are up.
    later = timezone.now() + timedelta(days=1)
    Notification.objects.bulk_create(
        Notification(
            kind=UNKNOWN_ACCOUNT,
            recipient=f"yrittaja{n:03}@example.org",
            language="fi",
            due_at=later,
            next_attempt_at=later,
            message_id=message_id_make(),
        )
        for n in range(MESSAGES)
    )
    for process in workers:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("Sending email as it comes due"), "a worker did not start"
    now = timezone.now()
    Notification.objects.update(due_at=now, next_attempt_at=now)

    # Kill one worker while it has messages in hand.
    pids = {process.pid: process for process in workers}

    def in_hand_of_a_worker() -> bool:
        return len(smtp.received) >= MESSAGES // 5 and any(
            pid_of(token) in pids
            for token in Notification.objects.filter(status=NotificationStatus.SENDING).values_list(
                "claimed_by", flat=True
            )
        )

    wait_until(in_hand_of_a_worker, 60, "a worker with messages in hand")
    token = Notification.objects.filter(status=NotificationStatus.SENDING).values_list("claimed_by", flat=True)[0]
    victim = pids[pid_of(token)]
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    in_hand = {
        row.message_id: row.claimed_by
        for row in Notification.objects.filter(status=NotificationStatus.SENDING)
        if pid_of(row.claimed_by) == victim.pid
    }
    assert in_hand, "the killed worker had nothing in hand"
    received_at_kill = len(smtp.received)
    assert received_at_kill < MESSAGES

    # The others finish, and after the claim timeout take over what the dead worker had claimed.
    wait_until(
        lambda: not Notification.objects.exclude(status=NotificationStatus.SENT).exists(),
        60 + CLAIM_TIMEOUT,
        "every message sent",
    )
    survivors = [process for process in workers if process is not victim]
    for process in survivors:
        process.send_signal(signal.SIGTERM)
    for process in survivors:
        assert process.wait(timeout=30) == 0
        assert process.stdout is not None
        assert process.stdout.read().splitlines()[-1].startswith("Stopped. In all: Sent ")

    rows = {row.message_id: row for row in Notification.objects.all()}
    received = Counter(smtp.message_ids())
    assert set(received) == set(rows), "a message was lost, or one arrived that is not in the outbox"
    twice = {message_id for message_id, count in received.items() if count > 1}
    assert twice <= set(in_hand), f"sent twice without being in the killed worker's hands: {twice - set(in_hand)}"
    assert len(twice) <= 1, "one SMTP connection has at most one message in flight"
    assert all(count <= 2 for count in received.values())
    assert {row.status for row in rows.values()} == {NotificationStatus.SENT}
    # The dead worker's rows were taken over by a survivor, not left in its name.
    for message_id in in_hand:
        assert pid_of(rows[message_id].claimed_by) != victim.pid
        assert rows[message_id].attempts == 2
    sent_by = Counter(pid_of(row.claimed_by) for row in rows.values())
    assert all(sent_by[process.pid] > 0 for process in survivors), sent_by
