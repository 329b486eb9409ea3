"""Emails that cannot be delivered show up where the coordinator works: the participant page, the slots page
and the participant list. Failures still being retried are shown as such, and another organisation sees nothing."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from tests.factories import make_participant, make_programme, make_staff
from tests.notifications.support import CODE, news_kwargs

from kollega.core.models import Participant, Role
from kollega.interviews import services as interview_services
from kollega.interviews.models import InterviewBooking
from kollega.notifications.models import Notification, NotificationStatus
from kollega.notifications.sender import notifications_send_due
from kollega.notifications.services import notification_queue, notification_resend

pytestmark = pytest.mark.django_db

NOTICE = "The latest email to this address could not be delivered"


@pytest.fixture(autouse=True)
def english(client):
    """The pages in English, whatever translations exist."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def text_of(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def page(client, name: str, pk: int) -> str:
    return text_of(client.get(reverse(name, args=[pk])))


def detail_url(row: Notification) -> str:
    return reverse("notifications:detail", args=[row.pk])


def book_interview(participant: Participant) -> InterviewBooking:
    """The participant books a slot three days ahead; Kollega queues the confirmation email."""
    programme = participant.programme
    interviewer = make_staff(programme.organisation, Role.FACILITATOR)
    starts_at = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    slot = interview_services.slot_create(
        programme=programme,
        interviewer=interviewer,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
        video_link="https://meet.example.org/haastattelu",
        actor=None,
    )
    return interview_services.booking_create(slot=slot, participant=participant)


def booking_email(participant: Participant) -> Notification:
    return Notification.objects.get(kind=interview_services.KIND_BOOKED, recipient=participant.user.email)


def send_everything_refused(smtp, now: datetime | None = None) -> None:
    """The mail server refuses every message on its only allowed attempt: Kollega gives up on them."""
    smtp.refuse_next = 100
    with override_settings(KOLLEGA_MAIL_MAX_ATTEMPTS=1):
        notifications_send_due(now=now)
    smtp.refuse_next = 0


@pytest.fixture
def undelivered_booking(smtp, participant) -> Notification:
    """The applicant booked an interview, and the confirmation could not be delivered."""
    book_interview(participant)
    send_everything_refused(smtp)
    row = booking_email(participant)
    assert (row.status, row.next_attempt_at) == (NotificationStatus.FAILED, None)
    return row


def test_the_participant_page_lists_the_messages_sent_to_the_person(client, coordinator, participant):
    news = notification_queue(**news_kwargs(participant, due_at=timezone.now()))
    code = notification_queue(
        kind=CODE,
        recipient=participant.user.email,
        organisation=participant.programme.organisation,
        context={"code": "918273"},
    )
    notifications_send_due()
    client.force_login(coordinator)

    text = page(client, "core:participant_detail", participant.pk)

    assert "Messages" in text
    assert "Programme news" in text and "[fi] News about Kevään vertaisryhmät" in text
    assert "Sign-in code" in text
    assert "918273" not in text  # a sign-in code's subject line is never shown
    assert "Not shown: it contains a sign-in code or a personal link" in text
    assert text.count(">Sent<") == 2
    assert f'href="{detail_url(news)}"' in text and f'href="{detail_url(code)}"' in text
    assert NOTICE not in text


def test_a_person_without_messages_reads_so(client, coordinator, participant):
    client.force_login(coordinator)
    assert "No emails have been sent to this address yet." in page(client, "core:participant_detail", participant.pk)


def test_an_undelivered_latest_message_warns_on_the_participant_page(
    client, coordinator, participant, undelivered_booking
):
    client.force_login(coordinator)

    text = page(client, "core:participant_detail", participant.pk)

    assert NOTICE in text
    assert "Interview booked or moved" in text
    assert "451 4.3.0 Mailbox busy" in text  # what the mail server said
    notice = text[text.index(NOTICE) : text.index('aria-labelledby="contact-h"')]
    assert f'href="{detail_url(undelivered_booking)}"' in notice  # where it can be sent again
    assert "not delivered" in text


def test_the_slots_page_marks_the_applicant_whose_interview_email_was_not_delivered(
    client, coordinator, participant, programme, undelivered_booking
):
    others_booking = book_interview(make_participant(programme, email="toinen.hakija@example.org"))
    notifications_send_due()  # the mail server works again: the other applicant's email arrives
    assert booking_email(others_booking.participant).status == NotificationStatus.SENT
    client.force_login(coordinator)

    text = page(client, "interviews:slots", programme.pk)

    assert text.count("Not delivered") == 1
    row = text[text.index(participant.display_name) :]
    row = row[: row.index("</tr>")]
    assert "Not delivered" in row and f'href="{detail_url(undelivered_booking)}"' in row


def test_the_participant_list_marks_the_person_whose_latest_email_was_not_delivered(
    client, coordinator, participant, programme, undelivered_booking
):
    make_participant(programme, email="kaikki.hyvin@example.org")
    client.force_login(coordinator)

    text = page(client, "core:participant_list", programme.pk)

    assert text.count("Email not delivered") == 1
    row = text[text.index(participant.display_name) :]
    row = row[: row.index("</tr>")]
    assert "Email not delivered" in row and f'href="{detail_url(undelivered_booking)}"' in row


def test_the_participant_list_reads_the_warnings_in_one_query_for_the_whole_page(
    client, coordinator, participant, programme, undelivered_booking, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator)
    url = reverse("core:participant_list", args=[programme.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        make_participant(programme, email=f"lisaa{n}@example.org")
        notification_queue(
            **news_kwargs(Participant.objects.get(user__email=f"lisaa{n}@example.org"), due_at=timezone.now())
        )
    notifications_send_due()
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert text_of(response).count("Email not delivered") == 1


def test_a_later_delivered_message_removes_the_warnings(
    client, coordinator, participant, programme, smtp, undelivered_booking
):
    # A later message of another kind arrives: the person's address works, so the page and the list stop warning.
    notification_queue(**news_kwargs(participant, due_at=timezone.now()))
    notifications_send_due()
    client.force_login(coordinator)
    assert NOTICE not in page(client, "core:participant_detail", participant.pk)
    assert "Email not delivered" not in page(client, "core:participant_list", programme.pk)
    # The slots page follows interview emails only: the confirmation itself is still undelivered ...
    assert "Not delivered" in page(client, "interviews:slots", programme.pk)

    # ... until the coordinator sends it again and it arrives.
    notification_resend(notification=undelivered_booking, actor=coordinator)
    notifications_send_due()
    undelivered_booking.refresh_from_db()
    assert undelivered_booking.status == NotificationStatus.SENT
    assert "Not delivered" not in page(client, "interviews:slots", programme.pk)
    assert NOTICE not in page(client, "core:participant_detail", participant.pk)


def test_a_failure_that_will_be_retried_shows_as_retrying_not_as_undelivered(
    client, coordinator, participant, programme, smtp
):
    book_interview(participant)
    smtp.refuse_next = 1
    notifications_send_due()
    row = booking_email(participant)
    assert row.status == NotificationStatus.FAILED and row.next_attempt_at is not None
    client.force_login(coordinator)

    text = page(client, "core:participant_detail", participant.pk)
    assert "will be tried again" in text
    assert NOTICE not in text and "not delivered" not in text
    assert "Email not delivered" not in page(client, "core:participant_list", programme.pk)
    assert "Not delivered" not in page(client, "interviews:slots", programme.pk)


def test_another_organisations_coordinator_sees_nothing_of_it(
    client, participant, programme, other_organisation, other_coordinator, undelivered_booking
):
    client.force_login(other_coordinator)
    for name, pk in (
        ("core:participant_detail", participant.pk),
        ("core:participant_list", programme.pk),
        ("interviews:slots", programme.pk),
        ("notifications:detail", undelivered_booking.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404

    # The same person in the other organisation's programme: its coordinator sees only their own messages.
    other_programme = make_programme(other_organisation)
    same_person = make_participant(other_programme, email=participant.user.email)
    text = page(client, "core:participant_detail", same_person.pk)
    assert NOTICE not in text
    assert "Interview booked or moved" not in text
    assert "No emails have been sent to this address yet." in text
    list_text = page(client, "core:participant_list", other_programme.pk)
    assert "Email not delivered" not in list_text


def test_an_undelivered_sign_in_code_is_not_offered_for_sending_again(client, coordinator, participant, smtp):
    code = notification_queue(
        kind=CODE,
        recipient=participant.user.email,
        organisation=participant.programme.organisation,
        context={"code": "918273"},
    )
    send_everything_refused(smtp)
    code.refresh_from_db()
    assert (code.status, code.next_attempt_at) == (NotificationStatus.FAILED, None)
    client.force_login(coordinator)

    text = page(client, "core:participant_detail", participant.pk)

    notice = text[text.index(NOTICE) : text.index('aria-labelledby="contact-h"')]
    assert "Sign-in code" in notice and "918273" not in text
    assert "send it again" not in notice
    assert "so it cannot be sent again" in notice and "has to ask for a new one" in notice
    assert f'href="{detail_url(code)}"' in notice  # the address can still be checked there


def queue_news(participant: Participant, count: int) -> None:
    """``count`` programme news to the person, waiting to be sent."""
    for n in range(count):
        notification_queue(**news_kwargs(participant, version=str(n), due_at=timezone.now() + timedelta(days=1)))


def test_exactly_as_many_messages_as_the_page_shows_are_not_called_cut(client, coordinator, participant):
    from kollega.core.views import MESSAGES_SHOWN

    queue_news(participant, MESSAGES_SHOWN)
    client.force_login(coordinator)

    text = page(client, "core:participant_detail", participant.pk)

    assert text.count("Programme news") == MESSAGES_SHOWN
    assert "Only the latest" not in text and "See them all in the outbox" not in text


def test_more_messages_than_the_page_shows_point_to_the_outbox(client, coordinator, participant):
    from kollega.core.views import MESSAGES_SHOWN

    queue_news(participant, MESSAGES_SHOWN + 1)
    client.force_login(coordinator)

    text = page(client, "core:participant_detail", participant.pk)

    assert text.count("Programme news") == MESSAGES_SHOWN
    assert f"Only the latest {MESSAGES_SHOWN} messages are listed here." in text
    assert "See them all in the outbox" in text
