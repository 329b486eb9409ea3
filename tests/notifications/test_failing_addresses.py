"""An address the mail server refuses for good (SMTP 5xx): a clear message, nothing lost, nothing sent by mistake.

The loopback server refuses chosen addresses at RCPT, or a message after DATA, as a real server does.
"""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from tests.notifications.support import CODE, news_kwargs

from kollega.core.models import AuditEntry, Participant
from kollega.core.services import participant_create
from kollega.notifications.models import FailingAddress, Notification, NotificationStatus
from kollega.notifications.sender import notification_send, notifications_send_due
from kollega.notifications.services import failing_address_clear, notification_queue, notification_resend

pytestmark = pytest.mark.django_db

OUTBOX = reverse("notifications:outbox")
CLEAR = reverse("notifications:failing_address_clear")
BAD = "maija.meikalainen@example.org"  # the participant fixture's address
NO_SUCH_USER = "550 5.1.1 <maija.meikalainen@example.org>: Recipient address rejected: User unknown"
SECTION = "Addresses that refuse mail"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def news(participant: Participant, version: str | int = 1, **overrides) -> Notification:
    return notification_queue(**news_kwargs(participant, version=str(version), due_at=timezone.now(), **overrides))


def later(hours: float = 1) -> timezone.datetime:
    return timezone.now() + timedelta(hours=hours)


@pytest.fixture
def refused(smtp, participant) -> Notification:
    """The mail server answered 550 for the participant's address: the message failed for good."""
    smtp.unknown_users[BAD] = NO_SUCH_USER
    row = news(participant, "first")
    result = notifications_send_due()
    assert (result.claimed, result.failed, result.sent) == (1, 1, 0)
    row.refresh_from_db()
    return row


@pytest.fixture
def colleague(programme) -> Participant:
    return participant_create(
        programme=programme, email="ville.virtanen@example.org", full_name="Ville Virtanen", language="fi"
    )


def test_a_550_for_the_recipient_fails_the_message_at_once_and_marks_the_address(smtp, refused):
    assert refused.status == NotificationStatus.FAILED
    assert refused.next_attempt_at is None  # no retry: a 5xx will not heal by waiting
    assert refused.attempts == 1
    assert "550 5.1.1" in refused.last_error and "User unknown" in refused.last_error
    assert "permanent refusal" in refused.last_error
    mark = FailingAddress.objects.get()
    assert mark.address == BAD
    assert mark.failures == 1
    assert "550 5.1.1" in mark.last_error
    assert mark.first_failed_at == mark.last_failed_at
    assert smtp.received == []

    # Nothing more is tried, however long we wait.
    assert notifications_send_due(now=later(24 * 7)).claimed == 0
    assert smtp.rcpt_refused == [BAD]


def test_a_5xx_after_the_data_marks_the_address_too(smtp, participant):
    smtp.refuse_next = 1
    smtp.refuse_with = "554 5.2.2 Mailbox full, over quota"
    row = news(participant)

    assert notifications_send_due().failed == 1

    row.refresh_from_db()
    assert (row.status, row.next_attempt_at) == (NotificationStatus.FAILED, None)
    assert "554 5.2.2 Mailbox full" in row.last_error
    assert FailingAddress.objects.get().address == BAD


@pytest.mark.parametrize(
    ("where", "answer"),
    [("rcpt", "450 4.2.1 Mailbox temporarily unavailable"), ("data", "451 4.3.0 Mailbox busy, try again later")],
)
def test_a_4xx_answer_is_retried_and_marks_nothing(smtp, participant, where, answer):
    if where == "rcpt":
        smtp.unknown_users[BAD] = answer
    else:
        smtp.refuse_next = 1
    row = news(participant)

    notifications_send_due()

    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert row.next_attempt_at is not None
    assert answer.split()[0] in row.last_error
    assert not FailingAddress.objects.exists()
    smtp.unknown_users.clear()
    assert notifications_send_due(now=row.next_attempt_at).sent == 1
    assert smtp.message_ids() == [row.message_id]


def test_a_message_to_the_address_written_in_capitals_is_held_too(smtp, participant, refused):
    second = notification_queue(
        **news_kwargs(participant, version="caps", recipient=BAD.upper(), due_at=timezone.now())
    )
    notifications_send_due()
    second.refresh_from_db()
    assert second.address_refused and "refused mail on" in second.last_error
    assert FailingAddress.objects.get().address == BAD
    assert smtp.rcpt_refused == [BAD]


def test_later_messages_to_a_failing_address_are_held_not_sent_and_say_why(smtp, participant, colleague, refused):
    # The server would accept mail again, but Kollega does not try: nothing reaches it for that address.
    smtp.unknown_users.clear()
    held = [news(participant, n) for n in range(3)]
    other = news(colleague, "other")

    result = notifications_send_due()

    assert (result.claimed, result.sent, result.failed) == (4, 1, 3)
    assert smtp.message_ids() == [other.message_id]
    assert smtp.rcpt_refused == [BAD]  # only the first message ever reached the server
    for row in held:
        row.refresh_from_db()
        assert (row.status, row.next_attempt_at, row.address_refused) == (NotificationStatus.FAILED, None, True)
        assert row.last_error.startswith("Not sent: this address refused mail on ")
        assert "UTC" in row.last_error and "User unknown" in row.last_error
        assert "until a coordinator clears the mark in the outbox" in row.last_error
    # Nothing lost: they are all in the outbox, with their Message-IDs.
    assert Notification.objects.filter(recipient=BAD).count() == 4
    assert notifications_send_due(now=later(24)).claimed == 0


def test_in_one_batch_only_the_first_message_to_a_refused_address_reaches_the_server(smtp, participant, colleague):
    smtp.unknown_users[BAD] = NO_SUCH_USER
    rows = [news(participant, n) for n in range(5)]
    other = news(colleague, "other")

    result = notifications_send_due()

    assert (result.sent, result.failed) == (1, 5)
    assert smtp.rcpt_refused == [BAD]
    assert smtp.message_ids() == [other.message_id]
    assert sorted(Notification.objects.filter(address_refused=True).values_list("pk", flat=True)) == sorted(
        r.pk for r in rows
    )


def test_the_job_for_one_row_holds_it_too(smtp, participant, refused):
    code = notification_queue(kind=CODE, recipient=BAD, context={"code": "123456"})
    assert notification_send(code.pk) == NotificationStatus.FAILED
    code.refresh_from_db()
    assert code.address_refused and code.next_attempt_at is None
    assert smtp.rcpt_refused == [BAD]


def test_the_outbox_lists_the_failing_address_and_clearing_it_sends_the_held_messages_once(
    client, coordinator, smtp, participant, refused, django_capture_on_commit_callbacks
):
    held = news(participant, "second")
    notifications_send_due()
    client.force_login(coordinator)

    text = text_of(client.get(OUTBOX))
    assert SECTION in text
    section = text[text.index(SECTION) : text.index("</section>")]
    assert BAD in section and "User unknown" in section and "2 messages" in section
    assert f'action="{CLEAR}"' in section and 'name="csrfmiddlewaretoken"' in section
    assert "Clear the mark" in section

    # The person fixes their mailbox and tells the coordinator.
    smtp.unknown_users.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CLEAR, {"address": BAD, "next": OUTBOX})
    assert response.status_code == 302 and response["Location"] == OUTBOX

    assert not FailingAddress.objects.exists()
    assert sorted(smtp.message_ids()) == sorted([refused.message_id, held.message_id])  # same Message-IDs
    for row in (refused, held):
        row.refresh_from_db()
        assert (row.status, row.address_refused, row.last_error) == (NotificationStatus.SENT, False, "")
    notifications_send_due(now=later(2))
    assert len(smtp.received) == 2  # once each

    text = text_of(client.get(OUTBOX))
    assert "is no longer marked as refusing mail. Its 2 held messages go out now." in text
    assert SECTION not in text
    entry = AuditEntry.objects.get(action="notifications.failing_address.cleared")
    assert entry.actor == coordinator and entry.organisation == participant.programme.organisation
    assert entry.data["address"] == BAD and entry.data["released"] == 2 and "User unknown" in entry.data["last_error"]


def test_clearing_puts_held_messages_back_to_waiting_without_sending_them_by_itself(coordinator, participant, refused):
    before = refused.message_id
    released = failing_address_clear(address=BAD.upper(), actor=coordinator)
    assert released == 1
    refused.refresh_from_db()
    assert refused.status == NotificationStatus.PENDING
    assert (refused.attempts, refused.message_id, refused.address_refused) == (0, before, False)
    assert refused.next_attempt_at is not None and refused.next_attempt_at <= timezone.now()


def test_a_message_that_failed_for_a_passing_reason_is_not_released_by_clearing(
    coordinator, smtp, participant, colleague, refused, settings
):
    settings.KOLLEGA_MAIL_MAX_ATTEMPTS = 1
    smtp.refuse_next = 1  # a 451 on the only allowed attempt: given up, but not because of the address
    gave_up = news(colleague, "gave-up")
    notifications_send_due()
    gave_up.refresh_from_db()
    assert (gave_up.status, gave_up.next_attempt_at) == (NotificationStatus.FAILED, None)

    failing_address_clear(address=BAD, actor=coordinator)

    gave_up.refresh_from_db()
    assert gave_up.status == NotificationStatus.FAILED


def test_only_a_coordinator_of_an_organisation_that_wrote_to_the_address_may_clear_it(
    client, other_coordinator, participant, refused
):
    client.force_login(other_coordinator)
    assert SECTION not in text_of(client.get(OUTBOX))
    assert client.post(CLEAR, {"address": BAD}).status_code == 404
    with pytest.raises(PermissionDenied):
        failing_address_clear(address=BAD, actor=other_coordinator)
    assert FailingAddress.objects.filter(address=BAD).exists()
    refused.refresh_from_db()
    assert refused.status == NotificationStatus.FAILED


def test_the_clear_button_needs_a_post(client, coordinator, refused):
    client.force_login(coordinator)
    assert client.get(CLEAR, {"address": BAD}).status_code == 405
    assert FailingAddress.objects.exists()


def test_clearing_twice_says_it_was_cleared_already(client, coordinator, refused):
    client.force_login(coordinator)
    client.post(CLEAR, {"address": BAD})
    text = text_of(client.post(CLEAR, {"address": BAD}, follow=True))
    assert "is not marked as refusing mail; someone may have cleared it already." in text


def test_clearing_returns_only_to_a_page_of_this_site(client, coordinator, refused):
    client.force_login(coordinator)
    response = client.post(CLEAR, {"address": BAD, "next": "https://evil.example.org/"})
    assert response["Location"] == OUTBOX


def test_the_participant_page_shows_the_mark_with_the_clear_button(client, coordinator, participant, refused):
    client.force_login(coordinator)
    url = reverse("core:participant_detail", args=[participant.pk])

    text = text_of(client.get(url))

    assert f"The mail server refuses the address {BAD}" in text
    assert "1 message is held back." in text
    assert "User unknown" in text
    assert f'action="{CLEAR}"' in text and f'name="next" value="{url}"' in text
    response = client.post(CLEAR, {"address": BAD, "next": url})
    assert response["Location"] == url
    assert "The mail server refuses the address" not in text_of(client.get(url))


def test_the_message_page_shows_the_mark_and_sending_again_is_refused_while_it_lasts(
    client, coordinator, participant, refused
):
    client.force_login(coordinator)
    detail = reverse("notifications:detail", args=[refused.pk])
    assert f"The mail server refuses the address {BAD}" in text_of(client.get(detail))

    response = client.post(reverse("notifications:resend", args=[refused.pk]))
    assert response.status_code == 400
    assert "clear its mark in the outbox" in html.unescape(response.content.decode())
    with pytest.raises(ValidationError):
        notification_resend(notification=refused, actor=coordinator)
    refused.refresh_from_db()
    assert refused.status == NotificationStatus.FAILED


def test_another_organisation_does_not_see_the_mark_on_its_own_participant_page(
    client, other_organisation, other_coordinator, participant, refused
):
    from tests.factories import make_participant, make_programme

    same_person = make_participant(make_programme(other_organisation), email=BAD)
    client.force_login(other_coordinator)
    text = text_of(client.get(reverse("core:participant_detail", args=[same_person.pk])))
    assert "The mail server refuses the address" not in text


def test_a_held_message_shows_as_undelivered_on_the_participant_page(client, coordinator, participant, refused):
    held = news(participant, "held")
    notifications_send_due()
    client.force_login(coordinator)
    text = text_of(client.get(reverse("core:participant_detail", args=[participant.pk])))
    assert "The latest email to this address could not be delivered" in text
    assert "this address refused mail on" in text
    assert reverse("notifications:detail", args=[held.pk]) in text


def test_the_outbox_list_reads_failing_addresses_in_one_query_however_many(
    client, coordinator, smtp, programme, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator)
    people = [
        participant_create(programme=programme, email=f"poissa{n}@example.org", full_name=f"Poissa {n}", language="fi")
        for n in range(6)
    ]
    smtp.unknown_users[people[0].user.email] = "550 5.1.1 User unknown"
    news(people[0])
    notifications_send_due()
    with CaptureQueriesContext(connection) as one:
        assert "1 message" in text_of(client.get(OUTBOX))
    for person in people[1:]:
        smtp.unknown_users[person.user.email] = "550 5.1.1 User unknown"
        news(person)
    notifications_send_due()
    with django_assert_max_num_queries(len(one)):
        text = text_of(client.get(OUTBOX))
    assert text.count("Clear the mark") == 6
