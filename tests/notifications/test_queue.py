"""Queueing: one row per message, refused kinds, Message-IDs, sending when the transaction commits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from tests.notifications.support import CODE, NEWS, news_kwargs

from kollega.notifications import kinds
from kollega.notifications.models import Notification, NotificationStatus
from kollega.notifications.sender import notifications_send_due
from kollega.notifications.services import message_id_domain, notification_queue

pytestmark = pytest.mark.django_db


def test_an_unregistered_kind_is_refused_with_a_clear_error(participant):
    with pytest.raises(kinds.UnknownKindError, match=r"accounts\.welcome_typo.*register"):
        notification_queue(**news_kwargs(participant, kind="accounts.welcome_typo"))
    assert Notification.objects.count() == 0


def test_kind_names_and_conflicting_definitions_are_refused():
    with pytest.raises(ValueError, match="lower case"):
        kinds.Kind(name="NoDotHere")
    kinds.register(kinds.Kind(name=NEWS, label="Programme news", still_valid=kinds.get(NEWS).still_valid))
    with pytest.raises(ValueError, match="already registered"):
        kinds.register(kinds.Kind(name=NEWS, urgent=True))


def test_asking_twice_stores_one_row_and_sends_once(participant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notification_queue(**news_kwargs(participant))
    with django_capture_on_commit_callbacks(execute=True):
        second = notification_queue(**news_kwargs(participant, context={"news": "changed"}))
    notifications_send_due()

    assert second.pk == first.pk
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert first.message_id == Notification.objects.get().message_id


def test_a_new_version_is_a_new_message(participant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification_queue(**news_kwargs(participant, version=1))
        notification_queue(**news_kwargs(participant, version=2))
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2
    assert mail.outbox[0].extra_headers["Message-ID"] != mail.outbox[1].extra_headers["Message-ID"]


def test_messages_about_nothing_stored_are_each_new(participant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for code in ("111111", "222222"):
            notification_queue(kind=CODE, recipient=participant.user.email, context={"code": code})
    assert [m.subject for m in mail.outbox] == ["Your sign-in code 111111", "Your sign-in code 222222"]


def test_an_urgent_message_is_sent_as_soon_as_the_transaction_commits(participant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = notification_queue(kind=CODE, recipient="Maija.Meikalainen@Example.org ", context={"code": "424242"})
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    row.refresh_from_db()
    assert row.urgent and row.sensitive
    assert row.status == NotificationStatus.SENT
    assert row.recipient == "maija.meikalainen@example.org"
    assert mail.outbox[0].to == ["maija.meikalainen@example.org"]


def test_a_rolled_back_transaction_sends_nothing(participant, django_capture_on_commit_callbacks):
    class AbortError(Exception):
        pass

    def queue_then_fail() -> None:
        with transaction.atomic():
            notification_queue(kind=CODE, recipient=participant.user.email, context={"code": "999999"})
            raise AbortError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AbortError):
        queue_then_fail()
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_a_message_due_later_waits_for_its_time(participant, django_capture_on_commit_callbacks):
    due = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = notification_queue(**news_kwargs(participant, due_at=due))
    assert callbacks == []  # no job: the periodic sender takes it when due

    assert notifications_send_due().claimed == 0
    assert mail.outbox == []

    result = notifications_send_due(now=due + timedelta(seconds=1))
    assert (result.claimed, result.sent) == (1, 1)
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert row.rendered_subject == "[fi] News about Kevään vertaisryhmät"


@override_settings(DEFAULT_FROM_EMAIL="Yrittäjäpolku <posti@yrittajapolku.example.org>")
def test_message_ids_use_the_sender_address_domain(participant):
    row = notification_queue(**news_kwargs(participant, due_at=timezone.now() + timedelta(hours=1)))
    assert row.message_id.startswith("<") and row.message_id.endswith("@yrittajapolku.example.org>")


@override_settings(DEFAULT_FROM_EMAIL="Kollega <kollega@localhost>", KOLLEGA_BASE_URL="https://kollega.example.org")
def test_message_ids_fall_back_to_the_site_domain():
    assert message_id_domain() == "kollega.example.org"


def test_rendering_in_the_recipients_language_with_the_organisers_contacts(
    participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification_queue(**news_kwargs(participant, language="sv"))
    message = mail.outbox[0]
    html = message.alternatives[0].content
    assert message.subject == "[sv] News about Kevään vertaisryhmät"
    assert '<html lang="sv">' in html
    # The text part is plain text; the HTML part is escaped.
    assert "Tuesday & it starts" in message.body
    assert "Tuesday &amp; it starts" in html
    # The footer names the organiser and how to reach them; replies go to its support.
    assert "Yrittäjäpolku ry" in html
    assert "mailto:tuki@yrittajapolku.example.org" in html
    assert "tel:+358401234567" in html
    assert message.reply_to == ["tuki@yrittajapolku.example.org"]
    assert "http://127.0.0.1:8000/programmes/" in message.body


def test_without_an_organisation_the_message_is_signed_by_kollega(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification_queue(kind=CODE, recipient="new.person@example.org", language="en", context={"code": "123456"})
    message = mail.outbox[0]
    assert "sent by Kollega" in message.alternatives[0].content
    assert message.reply_to == []


def test_an_unknown_language_falls_back_to_the_default(participant, settings):
    settings.LANGUAGE_CODE = "fi"  # the product's default (the suite runs in English)
    row = notification_queue(**news_kwargs(participant, language="de", due_at=timezone.now() + timedelta(hours=1)))
    assert row.language == "fi"


def test_secrets_of_sensitive_messages_are_forgotten_after_they_expire(db):
    from kollega.accounts.notifications import LOGIN_CODE
    from kollega.notifications.models import Notification
    from kollega.notifications.sender import notifications_forget_secrets

    row = notification_queue(kind=LOGIN_CODE, recipient="code@example.org", context={"code": "123456", "minutes": 15})
    later = timezone.now() + timedelta(days=16)
    assert notifications_forget_secrets(now=later) == 0  # not sent yet: kept
    Notification.objects.filter(pk=row.pk).update(status="sent", sent_at=timezone.now())
    assert notifications_forget_secrets() == 0  # still usable: kept
    assert notifications_forget_secrets(now=later) == 1
    row = Notification.objects.get(pk=row.pk)
    assert row.context == {} and row.status == "sent"


def test_a_row_taken_over_during_a_long_batch_is_left_to_its_new_sender(db, mailoutbox):
    from django.core.mail import get_connection

    from kollega.accounts.notifications import LOGIN_CODE
    from kollega.notifications import sender
    from kollega.notifications.models import Notification

    rows = [
        notification_queue(kind=LOGIN_CODE, recipient=f"r{i}@example.org", context={"code": "1", "minutes": 15})
        for i in range(2)
    ]
    now = timezone.now()
    token, ids = sender._claim_batch(10, now)
    assert sorted(ids) == sorted(r.pk for r in rows)
    batch = sender._rows(ids)
    # The batch has been going on for longer than the claim timeout: while the first row was being sent,
    # our claim on the second ran out and another worker took it.
    for row in batch:
        row.claimed_at = now - sender.claim_timeout()
    Notification.objects.filter(pk=rows[1].pk).update(claimed_by="another-worker")
    outcomes = [sender._deliver(row, token, get_connection(), now) for row in batch]
    assert sorted(outcomes) == ["sending", "sent"]
    assert [m.to for m in mailoutbox] == [[rows[0].recipient]]
    assert Notification.objects.get(pk=rows[1].pk).claimed_by == "another-worker"
