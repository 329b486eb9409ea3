"""The coordinator's outbox: list, filters, detail, sending again, and who may see what."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.notifications.support import CODE, news_kwargs

from kollega.core.models import AuditEntry
from kollega.core.services import participant_create, staff_membership_add, user_get_or_create
from kollega.notifications.models import Notification, NotificationStatus
from kollega.notifications.sender import notifications_send_due
from kollega.notifications.services import notification_queue

pytestmark = pytest.mark.django_db

OUTBOX = reverse("notifications:outbox")


@pytest.fixture(autouse=True)
def english(client):
    """The pages in English, whatever translations exist."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def detail_url(row: Notification) -> str:
    return reverse("notifications:detail", args=[row.pk])


def resend_url(row: Notification) -> str:
    return reverse("notifications:resend", args=[row.pk])


def text_of(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def sent_news(participant):
    row = notification_queue(**news_kwargs(participant, due_at=timezone.now()))
    notifications_send_due()
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    return row


@pytest.fixture
def failed_news(participant, smtp):
    """A message the mail server refused once (it accepts mail again afterwards)."""
    smtp.refuse_next = 1
    row = notification_queue(**news_kwargs(participant, version="failed", due_at=timezone.now()))
    notifications_send_due()
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    return row


@pytest.fixture
def sent_code(participant, organisation):
    row = notification_queue(
        kind=CODE, recipient=participant.user.email, organisation=organisation, context={"code": "918273"}
    )
    notifications_send_due()
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    return row


def test_the_outbox_lists_this_organisations_messages_newest_due_first(
    client, coordinator, participant, other_organisation
):
    old = notification_queue(**news_kwargs(participant, version=1, due_at=timezone.now() - timedelta(days=3)))
    new = notification_queue(**news_kwargs(participant, version=2, due_at=timezone.now() + timedelta(days=1)))
    elsewhere = notification_queue(
        **news_kwargs(participant, version=3, organisation=other_organisation, recipient="toinen@example.org")
    )
    client.force_login(coordinator)

    response = client.get(OUTBOX)

    assert response.status_code == 200
    page = text_of(response)
    assert page.index(detail_url(new)) < page.index(detail_url(old))
    assert detail_url(elsewhere) not in page
    assert "toinen@example.org" not in page
    assert "2 messages" in page


def test_filters_and_paging_stay_in_the_address(client, coordinator, participant, failed_news):
    for n in range(55):
        notification_queue(**news_kwargs(participant, version=f"p{n}", due_at=timezone.now() + timedelta(hours=1)))
    client.force_login(coordinator)

    response = client.get(OUTBOX, {"status": "pending", "q": "maija"})
    page = text_of(response)
    assert "55 messages" in page
    assert detail_url(failed_news) not in page
    assert "?status=pending&q=maija&page=2" in page

    second = text_of(client.get(OUTBOX, {"status": "pending", "q": "maija", "page": 2}))
    assert "Page 2 of 2" in second

    failed = text_of(client.get(OUTBOX, {"status": "failed"}))
    assert detail_url(failed_news) in failed
    assert "Failed after 1 attempt." in failed
    assert "Next attempt:" in failed
    assert "451 4.3.0 Mailbox busy" in failed

    assert "No messages match these filters." in text_of(client.get(OUTBOX, {"q": "nobody-here"}))
    assert "No messages match these filters." in text_of(client.get(OUTBOX, {"kind": CODE}))


def test_an_unknown_filter_value_is_shown_as_an_error_and_ignored(client, coordinator, sent_news):
    client.force_login(coordinator)
    response = client.get(OUTBOX, {"status": "exploded"})
    page = text_of(response)
    assert response.status_code == 200
    assert 'class="error-summary"' in page
    assert "Select a valid choice." in page
    assert detail_url(sent_news) in page


def test_an_empty_outbox_says_what_will_appear(client, coordinator):
    client.force_login(coordinator)
    assert "No messages yet." in text_of(client.get(OUTBOX))


def test_only_coordinators_reach_the_outbox(client, organisation, participant, sent_news):
    assert client.get(OUTBOX).status_code == 302  # sign in first

    facilitator = user_get_or_create(email="fasilitaattori@example.org", full_name="Fanni Fasilitaattori")
    staff_membership_add(organisation=organisation, user=facilitator, role="facilitator")
    client.force_login(facilitator)
    assert client.get(OUTBOX).status_code == 404
    assert client.get(detail_url(sent_news)).status_code == 404

    client.force_login(participant.user)
    assert client.get(OUTBOX).status_code == 404
    assert client.get(detail_url(sent_news)).status_code == 404


def test_a_coordinator_of_another_organisation_gets_404(client, other_coordinator, sent_news, failed_news):
    client.force_login(other_coordinator)
    assert client.get(detail_url(sent_news)).status_code == 404
    assert client.post(resend_url(failed_news)).status_code == 404
    assert detail_url(sent_news) not in text_of(client.get(OUTBOX))
    failed_news.refresh_from_db()
    assert failed_news.status == NotificationStatus.FAILED


def test_the_detail_page_shows_the_rendered_message(client, coordinator, sent_news):
    client.force_login(coordinator)
    response = client.get(detail_url(sent_news))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>[fi] News about Kevään vertaisryhmät</h1>" in page
    assert "Tuesday &amp; it starts at nine." in page  # the text part, escaped on the page
    iframe = re.search(r'<iframe sandbox srcdoc="([^"]*)"', page)
    assert iframe is not None
    inner = html.unescape(iframe.group(1))
    assert "<p>The first meeting is on Tuesday &amp; it starts at nine.</p>" in inner
    assert html.escape(sent_news.message_id) in page
    assert "Send again" in page
    assert 'name="confirm"' in page  # it was sent already: confirmation needed


def test_the_message_cannot_inject_markup_into_the_page(client, coordinator, participant):
    news = {"programme_id": 1, "programme_title": "Kevät", "news": '<script>alert("x")</script>'}
    row = notification_queue(**news_kwargs(participant, context=news, due_at=timezone.now() + timedelta(days=1)))
    client.force_login(coordinator)
    page = client.get(detail_url(row)).content.decode()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page  # the text part, shown as text


def test_sensitive_messages_show_only_that_they_were_sent(client, coordinator, sent_code):
    client.force_login(coordinator)
    listing = text_of(client.get(OUTBOX))
    assert detail_url(sent_code) in listing
    assert "918273" not in listing

    response = client.get(detail_url(sent_code))
    page = text_of(response)
    assert response.status_code == 200
    assert "Sign-in code" in page
    assert "Sent" in page
    assert "918273" not in page
    assert "<iframe" not in page
    assert "Send again" not in page

    refused = client.post(resend_url(sent_code), {"confirm": "on"})
    assert refused.status_code == 400
    assert "cannot be sent again from here" in text_of(refused)
    sent_code.refresh_from_db()
    assert sent_code.status == NotificationStatus.SENT
    assert len(mail.outbox) == 1


def test_sending_a_failed_message_again(client, coordinator, failed_news, smtp, django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    message_id = failed_news.message_id
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(failed_news))
    assert response.status_code == 302
    assert response["Location"] == detail_url(failed_news)

    failed_news.refresh_from_db()
    assert failed_news.status == NotificationStatus.SENT
    assert failed_news.message_id == message_id  # it never arrived: same message
    assert failed_news.attempts == 1
    assert smtp.message_ids() == [message_id]
    entry = AuditEntry.objects.get(action="notifications.notification.resent")
    assert entry.actor == coordinator
    assert entry.data["previous"]["status"] == "failed"

    page = text_of(client.get(detail_url(failed_news)))
    assert "Sent again on" in page
    assert "Kaisa Koordinaattori" in page


def test_sending_a_sent_message_again_needs_a_confirmation(
    client, coordinator, sent_news, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    first_id = sent_news.message_id

    response = client.post(resend_url(sent_news))
    assert response.status_code == 400
    page = text_of(response)
    assert 'class="error-summary"' in page
    assert 'class="field-error"' in page
    assert "Tick the box to confirm" in page
    sent_news.refresh_from_db()
    assert sent_news.status == NotificationStatus.SENT
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(sent_news), {"confirm": "on"})
    assert response.status_code == 302
    sent_news.refresh_from_db()
    assert sent_news.status == NotificationStatus.SENT
    assert len(mail.outbox) == 2
    # A new copy of a delivered message gets its own Message-ID, so mail programs show it.
    assert sent_news.message_id != first_id
    assert mail.outbox[1].extra_headers["Message-ID"] == sent_news.message_id


def test_a_skipped_message_can_be_sent_again_with_a_confirmation(
    client, coordinator, participant, django_capture_on_commit_callbacks
):
    row = notification_queue(**news_kwargs(participant, due_at=timezone.now()))
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.SKIPPED, next_attempt_at=None)
    client.force_login(coordinator)
    assert "Tick the box" in text_of(client.post(resend_url(row)))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(resend_url(row), {"confirm": "on"})
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert row.message_id == mail.outbox[0].extra_headers["Message-ID"]


def test_a_waiting_message_cannot_be_sent_again(client, coordinator, participant):
    row = notification_queue(**news_kwargs(participant, due_at=timezone.now() + timedelta(days=1)))
    client.force_login(coordinator)
    assert "Send again" not in text_of(client.get(detail_url(row)))
    assert client.post(resend_url(row), {"confirm": "on"}).status_code == 400
    assert client.get(resend_url(row)).status_code == 405


def test_a_missing_template_is_explained_on_the_detail_page(client, coordinator, participant):
    row = notification_queue(**news_kwargs(participant, due_at=timezone.now() + timedelta(days=1)))
    Notification.objects.filter(pk=row.pk).update(kind="tests.no_templates")
    client.force_login(coordinator)
    page = text_of(client.get(detail_url(row)))
    assert "The message cannot be shown" in page
    assert "TemplateDoesNotExist" in page


def _fill(participant, organisation, count: int) -> None:
    programme = participant.programme
    existing = Notification.objects.count()
    for n in range(existing, count):
        person = participant_create(
            programme=programme, email=f"yrittaja{n}@example.org", full_name=f"Yrittäjä {n}", language="fi"
        )
        notification_queue(**news_kwargs(person, due_at=timezone.now() - timedelta(minutes=n)))
    # A mix of statuses, as a real outbox has.
    Notification.objects.filter(pk__in=Notification.objects.order_by("id").values("pk")[: count // 3]).update(
        status=NotificationStatus.FAILED, last_error="SMTPDataError: 451", attempts=2
    )


def test_the_list_needs_the_same_number_of_queries_for_10_and_200_messages(
    client, coordinator, participant, organisation
):
    client.force_login(coordinator)

    _fill(participant, organisation, 10)
    with CaptureQueriesContext(connection) as small:
        assert client.get(OUTBOX).status_code == 200

    _fill(participant, organisation, 200)
    with CaptureQueriesContext(connection) as large:
        response = client.get(OUTBOX)
    assert response.status_code == 200
    assert "200 messages" in text_of(response)

    assert len(large) == len(small)
    assert len(large) <= 12
