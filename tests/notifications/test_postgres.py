"""Races that only PostgreSQL can prove: workers and writers in parallel, each with its own connection."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from tests.notifications.support import news_kwargs

from kollega.notifications.models import Notification, NotificationStatus
from kollega.notifications.sender import BatchResult, notifications_send_due
from kollega.notifications.services import notification_queue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads started together; re-raise the first error."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def test_two_workers_never_send_the_same_row(smtp, participant):
    assert connection.vendor == "postgresql"
    due = timezone.now() + timedelta(minutes=5)
    rows = [notification_queue(**news_kwargs(participant, version=n, due_at=due)) for n in range(50)]
    later = due + timedelta(seconds=1)

    def worker(_i: int) -> list[BatchResult]:
        batches = []
        while True:
            # Small batches, so that the two workers interleave many times.
            result = notifications_send_due(limit=5, now=later)
            batches.append(result)
            if result.claimed == 0:
                return batches

    per_worker = run_in_threads(2, worker)

    received = Counter(smtp.message_ids())
    assert set(received) == {row.message_id for row in rows}
    assert all(count == 1 for count in received.values()), received.most_common(3)
    sent_by = [sum(b.sent for b in batches) for batches in per_worker]
    assert sum(sent_by) == 50
    assert all(n > 0 for n in sent_by), f"one worker did everything: {sent_by}"
    assert Notification.objects.filter(status=NotificationStatus.SENT, attempts=1).count() == 50


def test_queueing_the_same_message_at_the_same_time_stores_it_once(participant):
    due = timezone.now() + timedelta(hours=1)

    def queue(_i: int) -> int:
        return notification_queue(**news_kwargs(participant, due_at=due)).pk

    pks = run_in_threads(6, queue)

    assert len(set(pks)) == 1
    assert Notification.objects.count() == 1
