"""``kollega send-due``: sends what has come due in batches, says what it did in one line, stops cleanly."""

from __future__ import annotations

import io
import os
import signal
import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from tests.notifications.support import news_kwargs

from kollega.core.models import Participant
from kollega.core.services import participant_change_status, participant_create
from kollega.notifications.models import Notification, NotificationStatus
from kollega.notifications.services import notification_queue

pytestmark = pytest.mark.django_db


def send_due(*args: str) -> str:
    out = io.StringIO()
    call_command("send_due", *args, stdout=out)
    return out.getvalue()


def queue_news(programme, count: int, *, due_in: timedelta = timedelta(0)) -> list[Notification]:
    people = [
        participant_create(programme=programme, email=f"osallistuja{n}@example.org", full_name=f"Osallistuja {n}")
        for n in range(count)
    ]
    return [notification_queue(**news_kwargs(p, due_at=timezone.now() + due_in)) for p in people]


def test_it_sends_everything_due_in_batches_and_prints_one_line(smtp, programme):
    rows = queue_news(programme, 7)

    output = send_due("--limit", "3")

    assert output == "Sent 7, failed 0, skipped 0, given up 0.\n"
    assert sorted(smtp.message_ids()) == sorted(r.message_id for r in rows)
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}


def test_it_leaves_messages_not_yet_due_and_counts_failures_and_skips(smtp, programme, coordinator):
    due = queue_news(programme, 4)
    waiting = notification_queue(
        **news_kwargs(
            Participant.objects.get(user__email="osallistuja0@example.org"),
            version="later",
            due_at=timezone.now() + timedelta(hours=3),
        )
    )
    participant_change_status(
        participant=Participant.objects.get(user__email="osallistuja3@example.org"),
        to_status="cancelled",
        reason="Ei ehdi.",
        actor=coordinator,
    )
    smtp.refuse_next = 1

    output = send_due()

    assert output == "Sent 2, failed 1, skipped 1, given up 0.\n"
    assert len(smtp.received) == 2
    waiting.refresh_from_db()
    assert waiting.status == NotificationStatus.PENDING
    assert Notification.objects.filter(pk__in=[r.pk for r in due], status=NotificationStatus.FAILED).count() == 1


def test_with_nothing_due_it_says_so_and_succeeds(smtp, db):
    assert send_due() == "Sent 0, failed 0, skipped 0, given up 0.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--limit", "0"], "--limit must be at least 1"), (["--loop", "0"], "--loop must be more than zero seconds")],
)
def test_a_wrong_number_is_a_usage_error(db, args, message):
    with pytest.raises(CommandError, match=message) as error:
        send_due(*args)
    assert error.value.returncode == 2


def test_looping_it_sends_what_comes_due_and_stops_cleanly_on_sigterm(smtp, programme):
    first = queue_news(programme, 3)
    second = notification_queue(
        **news_kwargs(
            Participant.objects.get(user__email="osallistuja1@example.org"),
            version="soon",
            due_at=timezone.now() + timedelta(seconds=1.5),
        )
    )
    # The signal arrives while the command waits between rounds; it must end the loop, not the test run.
    stopper = threading.Timer(3.5, os.kill, args=(os.getpid(), signal.SIGTERM))
    previous = signal.getsignal(signal.SIGTERM)
    stopper.start()
    try:
        output = send_due("--loop", "0.2")
    finally:
        stopper.cancel()

    lines = output.splitlines()
    assert lines[0] == "Sending email as it comes due, looking again every 0.2 seconds. Stop with Ctrl-C."
    assert "Sent 3, failed 0, skipped 0, given up 0." in lines
    assert "Sent 1, failed 0, skipped 0, given up 0." in lines
    assert lines[-1] == "Stopped. In all: Sent 4, failed 0, skipped 0, given up 0."
    assert sorted(smtp.message_ids()) == sorted([r.message_id for r in first] + [second.message_id])
    assert signal.getsignal(signal.SIGTERM) == previous  # the command put the old handler back


def test_a_stop_in_the_middle_of_a_batch_gives_the_rest_back_waiting(smtp, programme):
    from kollega.notifications.sender import notifications_send_due

    rows = queue_news(programme, 5)
    asked = []

    def stop_after_two() -> bool:
        asked.append(1)
        return len(asked) > 2

    result = notifications_send_due(should_stop=stop_after_two)

    assert (result.claimed, result.sent) == (2, 2)
    statuses = sorted(Notification.objects.values_list("status", "attempts"))
    assert statuses == [("pending", 0)] * 3 + [("sent", 1)] * 2
    assert Notification.objects.filter(claimed_by="", status=NotificationStatus.PENDING).count() == 3
    assert notifications_send_due().sent == 3
    assert sorted(smtp.message_ids()) == sorted(r.message_id for r in rows)
