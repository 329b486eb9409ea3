"""Delivery through a real SMTP server on loopback: once, with retries, skips and stale claims."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from tests.notifications.support import CODE, free_port, news_kwargs

from kollega.core.services import participant_change_status
from kollega.notifications.models import Notification, NotificationStatus
from kollega.notifications.sender import notification_send, notifications_send_due
from kollega.notifications.services import notification_queue

pytestmark = pytest.mark.django_db


def _later() -> datetime:
    return timezone.now() + timedelta(hours=1)


def test_one_message_arrives_once_with_text_and_html_and_our_message_id(
    smtp, participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = notification_queue(**news_kwargs(participant))
    notifications_send_due()  # a later periodic run finds nothing more to do

    assert len(smtp.received) == 1
    message = smtp.received[0]
    assert message["Message-ID"] == row.message_id
    assert message["Subject"] == "[fi] News about Kevään vertaisryhmät"
    assert message["From"] == "Kollega <kollega@mail.example.org>"
    assert message["To"] == "maija.meikalainen@example.org"
    assert message["Reply-To"] == "tuki@yrittajapolku.example.org"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert "Tuesday & it starts at nine." in text.get_content()
    assert "Tuesday &amp; it starts at nine." in html.get_content()
    assert smtp.envelopes == [("kollega@mail.example.org", ["maija.meikalainen@example.org"])]

    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert row.sent_at is not None
    assert row.attempts == 1
    assert row.rendered_subject == "[fi] News about Kevään vertaisryhmät"


def test_a_refusing_server_means_growing_waits_then_exactly_one_copy(smtp, participant):
    row = notification_queue(**news_kwargs(participant, due_at=timezone.now()))
    smtp.refuse_next = 3
    now = timezone.now()
    waits = []
    for _attempt in range(3):
        result = notifications_send_due(now=now)
        assert (result.claimed, result.failed) == (1, 1)
        row.refresh_from_db()
        assert row.status == NotificationStatus.FAILED
        assert "451" in row.last_error
        assert row.next_attempt_at is not None
        waits.append(row.next_attempt_at - now)
        # Before the wait is over nothing is tried.
        assert notifications_send_due(now=row.next_attempt_at - timedelta(seconds=1)).claimed == 0
        now = row.next_attempt_at
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert smtp.refused == 3
    assert smtp.received == []

    result = notifications_send_due(now=now)
    assert result.sent == 1
    notifications_send_due(now=now + timedelta(hours=2))
    assert smtp.message_ids() == [row.message_id]
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.SENT, 4, "")


@override_settings(KOLLEGA_MAIL_MAX_ATTEMPTS=3)
def test_after_the_last_attempt_the_message_stays_failed(smtp, participant):
    row = notification_queue(**news_kwargs(participant, due_at=timezone.now()))
    smtp.refuse_next = 10
    now = timezone.now()
    for _attempt in range(3):
        notifications_send_due(now=now)
        row.refresh_from_db()
        now = row.next_attempt_at or now
    assert row.status == NotificationStatus.FAILED
    assert row.attempts == 3
    assert row.next_attempt_at is None
    assert notifications_send_due(now=now + timedelta(days=7)).claimed == 0
    assert smtp.refused == 3


def test_an_unreachable_server_fails_the_row_with_the_reason(participant):
    port = free_port()  # nothing listens there
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=port
    ):
        row = notification_queue(**news_kwargs(participant, due_at=timezone.now()))
        assert notifications_send_due().failed == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at is not None


def test_queueing_the_same_message_twice_sends_it_once(smtp, participant, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notification_queue(**news_kwargs(participant))
        notifications_send_due()
    assert len(smtp.received) == 1


def test_a_message_that_is_no_longer_valid_is_skipped_and_not_sent(smtp, participant, coordinator):
    row = notification_queue(**news_kwargs(participant, due_at=_later()))
    participant_change_status(
        participant=participant, to_status="cancelled", reason="Yritys on tauolla.", actor=coordinator
    )

    result = notifications_send_due(now=_later() + timedelta(minutes=1))

    assert (result.claimed, result.skipped, result.sent) == (1, 1, 0)
    row.refresh_from_db()
    assert row.status == NotificationStatus.SKIPPED
    assert row.last_error == "The person has left the programme."
    assert row.next_attempt_at is None
    assert smtp.received == []
    assert notifications_send_due(now=_later() + timedelta(days=1)).claimed == 0


def test_a_stale_claim_is_taken_again_and_sent_with_the_same_message_id(smtp, participant, settings):
    row = notification_queue(**news_kwargs(participant, due_at=timezone.now()))
    # A worker claimed the row and died before finishing.
    died_at = timezone.now() - timedelta(seconds=settings.KOLLEGA_MAIL_CLAIM_TIMEOUT_SECONDS + 5)
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENDING, claimed_at=died_at, claimed_by="dead-host:1:abc", attempts=1
    )

    result = notifications_send_due()

    assert result.sent == 1
    assert smtp.message_ids() == [row.message_id]
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert row.attempts == 2
    assert row.claimed_by != "dead-host:1:abc"


def test_a_fresh_claim_is_left_alone(smtp, participant):
    row = notification_queue(**news_kwargs(participant, due_at=timezone.now()))
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENDING, claimed_at=timezone.now(), claimed_by="busy-host:7:def", attempts=1
    )
    assert notifications_send_due().claimed == 0
    assert notification_send(row.pk) is None
    assert smtp.received == []


@override_settings(KOLLEGA_MAIL_MAX_ATTEMPTS=2)
def test_a_row_whose_worker_died_on_the_last_attempt_is_marked_failed(smtp, participant, settings):
    row = notification_queue(**news_kwargs(participant, due_at=timezone.now()))
    died_at = timezone.now() - timedelta(seconds=settings.KOLLEGA_MAIL_CLAIM_TIMEOUT_SECONDS + 5)
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENDING, claimed_at=died_at, claimed_by="dead-host:1:abc", attempts=2
    )
    result = notifications_send_due()
    assert (result.given_up, result.claimed) == (1, 0)
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert row.next_attempt_at is None
    assert "no attempts are left" in row.last_error
    assert smtp.received == []


def test_urgent_sign_in_codes_go_first_in_a_batch(smtp, participant):
    news = notification_queue(**news_kwargs(participant, due_at=timezone.now() - timedelta(minutes=5)))
    code = notification_queue(kind=CODE, recipient=participant.user.email, context={"code": "777777"})
    assert notifications_send_due(limit=1).sent == 1
    assert smtp.message_ids() == [code.message_id]
    assert notifications_send_due(limit=1).sent == 1
    assert smtp.message_ids() == [code.message_id, news.message_id]


def test_the_periodic_job_sends_what_has_come_due(smtp, participant):
    from kollega.core.tasks import notifications_send_due_job

    rows = [notification_queue(**news_kwargs(participant, version=v, due_at=timezone.now())) for v in (1, 2, 3)]
    notifications_send_due_job.call_local()
    assert sorted(smtp.message_ids()) == sorted(r.message_id for r in rows)


def test_the_job_for_one_row_does_not_wait_for_a_worker_clock_running_behind(smtp, participant):
    # The web server stored the code "now" by its clock; the worker's clock is two seconds behind.
    row = notification_queue(kind=CODE, recipient=participant.user.email, context={"code": "555555"})
    assert notification_send(row.pk, now=timezone.now() - timedelta(seconds=2)) == NotificationStatus.SENT
    assert smtp.message_ids() == [row.message_id]


def test_the_job_for_one_row_does_not_hurry_a_retry(smtp, participant):
    row = notification_queue(**news_kwargs(participant, due_at=timezone.now()))
    smtp.refuse_next = 1
    assert notification_send(row.pk) == NotificationStatus.FAILED
    assert notification_send(row.pk) is None  # its wait is not over
    row.refresh_from_db()
    assert notification_send(row.pk, now=row.next_attempt_at) == NotificationStatus.SENT
    assert smtp.message_ids() == [row.message_id]


def test_a_server_refusing_every_message_for_a_while_then_recovering_delivers_each_once(smtp, programme):
    from collections import Counter

    from kollega.core.services import participant_create

    people = [
        participant_create(programme=programme, email=f"yrittaja{n}@example.org", full_name=f"Yrittäjä {n}")
        for n in range(30)
    ]
    rows = [notification_queue(**news_kwargs(person, due_at=timezone.now())) for person in people]
    smtp.refuse_next = 75  # every message of the first two rounds, and half of the third
    now = timezone.now()
    rounds = []
    while True:
        result = notifications_send_due(now=now)
        rounds.append((result.sent, result.failed))
        if not Notification.objects.exclude(status=NotificationStatus.SENT).exists():
            break
        assert len(rounds) < 10, rounds
        now = min(r.next_attempt_at for r in Notification.objects.filter(status=NotificationStatus.FAILED))

    assert rounds == [(0, 30), (0, 30), (15, 15), (15, 0)]
    received = Counter(smtp.message_ids())
    assert set(received) == {row.message_id for row in rows}
    assert set(received.values()) == {1}
    assert notifications_send_due(now=now + timedelta(days=1)).claimed == 0
    assert len(smtp.received) == 30
