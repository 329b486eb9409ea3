"""Booking, moving, cancelling, no-shows, invitations and reminders, with the emails and their .ics parts."""

from __future__ import annotations

import email
from datetime import UTC, timedelta
from email import policy

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kollega.core.models import ParticipantStatusChange, Status, VideoLinks
from kollega.interviews import services
from kollega.interviews.models import InterviewBooking
from kollega.notifications.models import Notification, NotificationStatus
from kollega.notifications.rendering import render_notification
from kollega.notifications.sender import notifications_send_due
from kollega.recruitment.tokens import manage_token
from tests.interviews.slot_helpers import applicant, event_of, invitation_of, make_setup, make_slot, messages_of

pytestmark = pytest.mark.django_db


def test_booking_moves_the_applicant_on_and_makes_an_unguessable_jitsi_room() -> None:
    setup = make_setup(jitsi_url="https://jitsi.yrittajapolku.example.org")
    slot = make_slot(setup)
    person = applicant(setup)
    booking = services.booking_create(slot=slot, participant=person)

    person.refresh_from_db()
    assert person.status == Status.INTERVIEW_BOOKED
    assert booking.video_link.startswith("https://jitsi.yrittajapolku.example.org/kollega-")
    room = booking.video_link.removeprefix("https://jitsi.yrittajapolku.example.org/kollega-")
    assert len(room) >= 24  # 18 random bytes, URL-safe
    other = services.booking_create(slot=make_slot(setup, days=4), participant=applicant(setup))
    assert other.video_link != booking.video_link
    assert ParticipantStatusChange.objects.filter(participant=person, event="interview_booked").exists()


def test_a_pasted_link_is_given_to_the_applicant() -> None:
    setup = make_setup(video_links=VideoLinks.PASTED)
    slot = make_slot(setup, video_link="https://teams.example.org/meet/42")
    booking = services.booking_create(slot=slot, participant=applicant(setup))
    assert booking.video_link == "https://teams.example.org/meet/42"


def test_both_sides_get_a_confirmation_with_a_calendar_invitation_in_their_language() -> None:
    setup = make_setup()
    setup.interviewer.language = "sv"
    setup.interviewer.save(update_fields=["language"])
    slot = make_slot(setup)
    person = applicant(setup, language="en")
    booking = services.booking_create(slot=slot, participant=person)

    (mine,) = messages_of(services.KIND_BOOKED, person.user.email)
    (theirs,) = messages_of(services.KIND_STAFF, setup.interviewer.email)
    assert mine.language == "en" and theirs.language == "sv"
    assert mine.context["video_link"] == booking.video_link
    assert mine.context["booking_url"].endswith(reverse("interviews:book", args=[manage_token(person)]))
    for message in (mine, theirs):
        calendar = invitation_of(message)
        assert str(calendar["method"]) == "REQUEST"
        event = event_of(calendar)
        assert str(event["uid"]) == booking.calendar_uid
        assert int(event["sequence"]) == 0
        assert event.decoded("dtstart") == slot.starts_at.astimezone(UTC)
        assert event.decoded("dtend") == slot.ends_at.astimezone(UTC)
        assert str(event["location"]) == booking.video_link
        assert str(event["organizer"]) == "mailto:tuki@yrittajapolku.example.org"
    # The interviewer's copy never carries the applicant's personal link.
    assert "/r/" not in str(event_of(invitation_of(theirs)).get("description"))


def test_the_sent_email_carries_the_invitation_as_a_calendar_part(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    setup = make_setup()
    person = applicant(setup)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_create(slot=make_slot(setup), participant=person)
    notifications_send_due()
    assert Notification.objects.filter(kind=services.KIND_BOOKED, status=NotificationStatus.SENT).count() == 1
    sent = [m for m in mail.outbox if person.user.email in m.to]
    assert len(sent) == 1
    parsed = email.message_from_bytes(sent[0].message().as_bytes(), policy=policy.default)
    parts = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_filename() == "interview.ics"
    assert "BEGIN:VEVENT" in parts[0].get_content()


def test_two_applicants_cannot_hold_the_same_slot_and_the_second_sees_what_is_free() -> None:
    setup = make_setup()
    slot = make_slot(setup)
    make_slot(setup, days=5, hour=10)
    services.booking_create(slot=slot, participant=applicant(setup))
    late = applicant(setup)
    with pytest.raises(services.SlotTakenError) as caught:
        services.booking_create(slot=slot, participant=late)
    assert caught.value.code == "taken"
    assert "This time is still free" in caught.value.messages[0]
    assert "10:00–10:30" in caught.value.messages[0]
    assert len(caught.value.free_slots) == 1
    late.refresh_from_db()
    assert late.status == Status.REGISTERED
    assert not InterviewBooking.objects.filter(participant=late).exists()


def test_only_registered_applicants_book_and_only_once() -> None:
    setup = make_setup()
    waiting = applicant(setup, Status.WAITING_LIST)
    with pytest.raises(ValidationError, match="waiting list"):
        services.booking_create(slot=make_slot(setup), participant=waiting)
    person = applicant(setup)
    services.booking_create(slot=make_slot(setup, days=4), participant=person)
    with pytest.raises(ValidationError, match="already have an interview"):
        services.booking_create(slot=make_slot(setup, days=5), participant=person)


def test_a_slot_starting_too_soon_cannot_be_booked() -> None:
    setup = make_setup()
    slot = make_slot(setup)
    with pytest.raises(services.SlotTakenError):
        services.booking_create(slot=slot, participant=applicant(setup), now=slot.starts_at - timedelta(minutes=30))


def test_moving_keeps_the_calendar_entry_and_raises_its_sequence() -> None:
    setup = make_setup()
    first, second = make_slot(setup), make_slot(setup, days=5, hour=13)
    person = applicant(setup)
    booking = services.booking_create(slot=first, participant=person)
    room = booking.video_link
    services.booking_rebook(booking=booking, slot=second, by_applicant=True)

    booking.refresh_from_db()
    assert booking.slot == second and booking.calendar_sequence == 1
    assert booking.video_link == room  # the same Jitsi room goes along
    moved = [m for m in messages_of(services.KIND_BOOKED, person.user.email) if m.context["event"] == "moved"]
    assert len(moved) == 1
    event = event_of(invitation_of(moved[0]))
    assert str(event["uid"]) == booking.calendar_uid
    assert int(event["sequence"]) == 1
    assert event.decoded("dtstart") == second.starts_at.astimezone(UTC)
    # The first slot is free again.
    services.booking_create(slot=first, participant=applicant(setup))


def test_moving_to_another_interviewer_takes_the_entry_off_the_first_ones_calendar() -> None:
    setup = make_setup()
    first = make_slot(setup)
    second = make_slot(setup, days=5, interviewer=setup.coordinator)
    booking = services.booking_create(slot=first, participant=applicant(setup))
    services.booking_rebook(booking=booking, slot=second, by_applicant=True)
    off = [m for m in messages_of(services.KIND_STAFF, setup.interviewer.email) if m.context["event"] == "cancelled"]
    on = [m for m in messages_of(services.KIND_STAFF, setup.coordinator.email) if m.context["event"] == "moved"]
    assert len(off) == 1 and len(on) == 1
    assert str(invitation_of(off[0])["method"]) == "CANCEL"
    assert event_of(invitation_of(off[0])).decoded("dtstart") == first.starts_at.astimezone(UTC)


def test_the_applicant_changes_nothing_after_the_cutoff_but_staff_can() -> None:
    setup = make_setup()
    slot = make_slot(setup)
    booking = services.booking_create(slot=slot, participant=applicant(setup))
    late = slot.starts_at - timedelta(hours=23)
    with pytest.raises(ValidationError, match="less than 24 hours"):
        services.booking_cancel(booking=booking, by_applicant=True, now=late)
    with pytest.raises(ValidationError, match="less than 24 hours"):
        services.booking_rebook(booking=booking, slot=make_slot(setup, days=6), by_applicant=True, now=late)
    services.booking_cancel(booking=booking, actor=setup.coordinator, now=late)
    booking.refresh_from_db()
    assert booking.cancelled_at is not None


def test_cancelling_sends_a_cancel_for_the_same_entry_and_frees_the_person() -> None:
    setup = make_setup()
    person = applicant(setup)
    booking = services.booking_create(slot=make_slot(setup), participant=person)
    services.booking_cancel(booking=booking, by_applicant=True)
    person.refresh_from_db()
    assert person.status == Status.REGISTERED
    (message,) = messages_of(services.KIND_CANCELLED, person.user.email)
    calendar = invitation_of(message)
    assert str(calendar["method"]) == "CANCEL"
    event = event_of(calendar)
    assert str(event["uid"]) == booking.calendar_uid and int(event["sequence"]) == 1
    assert str(event["status"]) == "CANCELLED"
    with pytest.raises(ValidationError, match="no longer active"):
        services.booking_cancel(booking=booking, by_applicant=True)


def test_a_no_show_is_recorded_after_the_start_and_the_applicant_is_offered_a_new_time() -> None:
    setup = make_setup()
    slot = make_slot(setup)
    person = applicant(setup)
    booking = services.booking_create(slot=slot, participant=person)
    with pytest.raises(ValidationError, match="not started yet"):
        services.booking_mark_no_show(participant=person, actor=setup.coordinator)

    services.booking_mark_no_show(
        participant=person, actor=setup.coordinator, now=slot.starts_at + timedelta(minutes=10)
    )
    booking.refresh_from_db()
    person.refresh_from_db()
    assert booking.no_show_at is not None and booking.cancelled_at is None
    assert person.status == Status.REGISTERED
    assert ParticipantStatusChange.objects.filter(participant=person, event="interview_no_show").exists()
    (offer,) = messages_of(services.KIND_NO_SHOW, person.user.email)
    assert offer.context["missed"]["start"] == "09:00"
    assert "/interview/" in offer.context["booking_url"]
    # They can book again.
    services.booking_create(slot=make_slot(setup, days=6), participant=person)


def test_no_show_without_a_booked_interview_is_refused() -> None:
    setup = make_setup()
    person = applicant(setup)
    with pytest.raises(ValidationError, match="booked interview"):
        services.booking_mark_no_show(participant=person, actor=setup.coordinator)
    assert not messages_of(services.KIND_NO_SHOW)


def test_invitations_go_to_registered_applicants_without_a_booking_once_a_day() -> None:
    setup = make_setup()
    free = [applicant(setup) for _ in range(3)]
    booked = applicant(setup)
    services.booking_create(slot=make_slot(setup), participant=booked)
    applicant(setup, Status.WAITING_LIST)

    assert services.interview_invitations_send(programme=setup.programme, actor=setup.coordinator) == 3
    assert {m.recipient for m in messages_of(services.KIND_INVITATION)} == {p.user.email for p in free}
    assert services.interview_invitations_send(programme=setup.programme, actor=setup.coordinator) == 0
    tomorrow = timezone.now() + timedelta(days=1)
    assert services.interview_invitations_send(programme=setup.programme, actor=setup.coordinator, now=tomorrow) == 3
    assert len(messages_of(services.KIND_INVITATION)) == 6


def test_the_reminder_goes_once_the_day_before_and_again_after_a_move() -> None:
    setup = make_setup()
    slot = make_slot(setup, days=3)
    booking = services.booking_create(slot=slot, participant=applicant(setup))
    assert services.reminders_send(now=slot.starts_at - timedelta(hours=30)) == 0
    day_before = slot.starts_at - timedelta(hours=20)
    assert services.reminders_send(now=day_before) == 1
    assert services.reminders_send(now=day_before + timedelta(minutes=15)) == 0
    (reminder,) = messages_of(services.KIND_REMINDER)
    assert reminder.context["start"] == "09:00"
    booking.refresh_from_db()
    assert booking.reminded_at == day_before

    later = make_slot(setup, days=6)
    services.booking_rebook(booking=booking, slot=later, by_applicant=True, now=day_before - timedelta(hours=8))
    assert services.reminders_send(now=later.starts_at - timedelta(hours=23)) == 1
    assert len(messages_of(services.KIND_REMINDER)) == 2


def test_a_reminder_for_a_cancelled_booking_is_skipped_when_sending() -> None:
    setup = make_setup()
    slot = make_slot(setup, days=3)
    booking = services.booking_create(slot=slot, participant=applicant(setup))
    services.reminders_send(now=slot.starts_at - timedelta(hours=20))
    services.booking_cancel(booking=booking, actor=setup.coordinator)
    (reminder,) = messages_of(services.KIND_REMINDER)
    assert services.reminder_still_valid(reminder) == "The booking was cancelled or missed."


def test_malformed_attachments_in_a_message_are_left_out() -> None:
    from kollega.notifications.rendering import attachments_for

    row = Notification(
        context={
            "attachments": [
                {"filename": "a.ics", "content": "BEGIN:VCALENDAR", "mimetype": "text/calendar", "method": "CANCEL"},
                {"filename": "b.ics", "content": 5, "mimetype": "text/calendar"},
                "not a dict",
            ]
        }
    )
    (only,) = attachments_for(row)
    assert (only.filename, only.method) == ("a.ics", "CANCEL")
    assert attachments_for(Notification(context={"attachments": "nope"})) == ()


def test_leaving_frees_the_slot_and_takes_it_off_both_calendars() -> None:
    from kollega.core.services import participant_change_status

    setup = make_setup()
    slot = make_slot(setup)
    person = applicant(setup)
    booking = services.booking_create(slot=slot, participant=person)
    # Leaving (cancelled, declined, withdrawn) releases the booking as part of the status change.
    participant_change_status(participant=person, to_status=Status.CANCELLED, actor=None, reason="Moved abroad.")
    booking.refresh_from_db()
    person.refresh_from_db()
    assert booking.cancelled_at is not None and person.status == Status.CANCELLED
    (message,) = messages_of(services.KIND_CANCELLED, person.user.email)
    assert str(invitation_of(message)["method"]) == "CANCEL"
    assert "Please choose a new time" not in render_notification(message).text
    assert services.booking_release(participant=person, actor=None) is None
    services.booking_create(slot=slot, participant=applicant(setup))  # the slot is free again


def test_every_interview_message_renders_in_every_language() -> None:
    setup = make_setup()
    person = applicant(setup)
    services.interview_invitations_send(programme=setup.programme, actor=None)
    slot = make_slot(setup)
    booking = services.booking_create(slot=slot, participant=person)
    booking = services.booking_rebook(booking=booking, slot=make_slot(setup, days=5), by_applicant=True)
    services.reminders_send(now=booking.slot.starts_at - timedelta(hours=20))
    services.booking_mark_no_show(participant=person, actor=None, now=booking.slot.starts_at + timedelta(hours=1))
    other = applicant(setup)
    services.booking_cancel(booking=services.booking_create(slot=slot, participant=other), by_applicant=True)
    rows = list(Notification.objects.filter(kind__startswith="interviews."))
    assert {row.kind for row in rows} == {
        services.KIND_INVITATION,
        services.KIND_BOOKED,
        services.KIND_STAFF,
        services.KIND_CANCELLED,
        services.KIND_REMINDER,
        services.KIND_NO_SHOW,
    }
    for row in rows:
        for language in ("fi", "sv", "en"):
            row.language = language
            rendered = render_notification(row)
            assert rendered.subject and "{{" not in rendered.text and "{%" not in rendered.html


def test_cancelling_a_registration_through_the_personal_link_frees_the_booked_slot() -> None:
    from kollega.recruitment.services import registration_cancel

    setup = make_setup()
    slot = make_slot(setup)
    person = applicant(setup)
    booking = services.booking_create(slot=slot, participant=person)
    registration_cancel(participant=person, reason="Plans changed.")
    booking.refresh_from_db()
    assert booking.cancelled_at is not None
    services.booking_create(slot=slot, participant=applicant(setup))  # someone else can have the time
