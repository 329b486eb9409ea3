"""Review findings: started interviews stay on the record, absurd dates get a message, consents bind the newest text."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core.models import Consent, ConsentItem, Status, TimeSlot
from kollega.core.selectors import consents_current
from kollega.core.services import consent_record, consent_text_publish
from kollega.interviews import record_services, services
from kollega.interviews.models import InterviewBooking, InterviewSlot
from tests.api.conftest import client_for
from tests.interviews.slot_helpers import Setup, applicant, make_setup, make_slot, messages_of

pytestmark = pytest.mark.django_db


def _staff_client(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _booked(setup: Setup, days: int = 3) -> InterviewBooking:
    return services.booking_create(slot=make_slot(setup, days=days), participant=applicant(setup))


def _move_into_past(slot: InterviewSlot, hours: int = 1) -> None:
    """The interview began ``hours`` ago (slots cannot be made in the past, so written directly)."""
    starts_at = timezone.now() - timedelta(hours=hours)
    InterviewSlot.objects.filter(pk=slot.pk).update(starts_at=starts_at, ends_at=starts_at + timedelta(minutes=30))


# --- 1. an interview that has begun is not cancelled or moved ------------------------------


def test_a_held_interview_cannot_be_cancelled_by_cancelling_its_slot() -> None:
    setup = make_setup()
    booking = _booked(setup, days=1)
    person = booking.participant
    slot = booking.slot
    ts = TimeSlot.objects.filter(programme=setup.programme).first()
    assert ts is not None
    record_services.interview_record_save(
        participant=person, interviewer=setup.interviewer, data={"agreed_time_slots": [ts.key]}, actor=None
    )
    later = slot.ends_at + timedelta(hours=1)

    with pytest.raises(ValidationError, match="already begun or been held") as refused:
        services.slot_cancel(slot=slot, actor=setup.coordinator, now=later)

    assert refused.value.code == "started"
    booking.refresh_from_db()
    slot.refresh_from_db()
    person.refresh_from_db()
    assert booking.cancelled_at is None
    assert slot.cancelled_at is None
    assert person.status == Status.INTERVIEWED
    assert messages_of(services.KIND_CANCELLED, person.user.email) == []


def test_a_free_slot_that_has_begun_cannot_be_cancelled() -> None:
    setup = make_setup()
    slot = make_slot(setup, days=1)
    with pytest.raises(ValidationError, match="already begun") as refused:
        services.slot_cancel(slot=slot, actor=setup.coordinator, now=slot.starts_at)
    assert refused.value.code == "started"
    # A minute before it starts it still can be.
    services.slot_cancel(slot=slot, actor=setup.coordinator, now=slot.starts_at - timedelta(minutes=1))
    slot.refresh_from_db()
    assert slot.cancelled_at is not None


def test_staff_cannot_cancel_or_move_a_booking_once_the_interview_has_begun() -> None:
    setup = make_setup()
    booking = _booked(setup)
    other = make_slot(setup, days=6)
    started = booking.slot.starts_at + timedelta(minutes=5)

    with pytest.raises(ValidationError, match="no longer be cancelled or moved") as cancel:
        services.booking_cancel(booking=booking, actor=setup.coordinator, now=started)
    with pytest.raises(ValidationError, match="no longer be cancelled or moved") as move:
        services.booking_rebook(booking=booking, slot=other, actor=setup.coordinator, now=started)

    assert cancel.value.code == move.value.code == "started"
    booking.refresh_from_db()
    assert booking.cancelled_at is None
    assert booking.slot_id != other.pk
    assert booking.calendar_sequence == 0
    # Until it begins, staff still can.
    services.booking_cancel(booking=booking, actor=setup.coordinator, now=booking.slot.starts_at - timedelta(hours=1))
    booking.refresh_from_db()
    assert booking.cancelled_at is not None


def test_the_slot_cancel_page_explains_why_a_started_interview_stays() -> None:
    setup = make_setup()
    booking = _booked(setup)
    _move_into_past(booking.slot)

    response = _staff_client(setup.coordinator).post(
        reverse("interviews:slot_cancel", args=[setup.programme.pk, booking.slot.pk]), {"reason": ""}
    )

    assert response.status_code == 400
    assert "already begun or been held" in response.content.decode()
    booking.refresh_from_db()
    assert booking.cancelled_at is None


def test_the_api_refuses_to_cancel_or_move_a_started_interview_with_409() -> None:
    setup = make_setup()
    booking = _booked(setup)
    free = make_slot(setup, days=6)
    _move_into_past(booking.slot)
    api = client_for(setup.coordinator)

    cancel = api.post(f"/interview-bookings/{booking.pk}/cancel", {"reason": "Too late."})
    move = api.post(f"/interview-bookings/{booking.pk}/move", {"slot_id": free.pk})
    slot_cancel = api.post(f"/interview-slots/{booking.slot.pk}/cancel", {})

    for response in (cancel, move, slot_cancel):
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "started"
        assert "already begun" in response.json()["detail"]
    booking.refresh_from_db()
    assert booking.is_active


# --- 2. far-away dates: a message, never a server error ----------------------------------


def test_a_slot_on_a_far_away_day_gets_a_message() -> None:
    setup = make_setup()
    client = _staff_client(setup.coordinator)
    for day in ("9999-12-31", "0001-01-01", (date.today() + timedelta(days=3 * 366)).isoformat()):
        response = client.post(
            reverse("interviews:slot_add", args=[setup.programme.pk]),
            {"one-day": day, "one-start": "23:50", "one-length_minutes": "30", "one-interviewer": setup.coordinator.pk},
        )
        assert response.status_code == 400, day
        assert "Choose a day from" in response.content.decode()
    assert not InterviewSlot.objects.exists()


def test_a_pattern_on_far_away_days_gets_a_message() -> None:
    setup = make_setup()
    response = _staff_client(setup.coordinator).post(
        reverse("interviews:slots_add_recurring", args=[setup.programme.pk]),
        {
            "rec-first_date": "9999-12-31",
            "rec-last_date": "9999-12-31",
            "rec-weekdays": [str(d) for d in range(7)],
            "rec-day_start": "09:00",
            "rec-day_end": "12:00",
            "rec-length_minutes": "30",
            "rec-buffer_minutes": "10",
            "rec-interviewer": setup.coordinator.pk,
        },
    )
    assert response.status_code == 400
    assert "Choose a day from" in response.content.decode()
    assert not InterviewSlot.objects.exists()


def test_the_services_refuse_dates_the_calendar_cannot_handle() -> None:
    setup = make_setup()
    pattern = services.Pattern(
        first_date=date.max - timedelta(days=1),
        last_date=date.max,
        weekdays=frozenset(range(7)),
        day_start=time(9, 0),
        day_end=time(23, 59),
    )
    with pytest.raises(ValidationError, match="between the years") as refused:
        services.slots_create_recurring(
            programme=setup.programme, interviewer=setup.interviewer, pattern=pattern, actor=None
        )
    assert set(refused.value.message_dict) == {"first_date", "last_date"}
    with pytest.raises(ValidationError, match="between the years"):
        services.pattern_times(pattern=pattern, organisation=setup.organisation)
    far = timezone.now().replace(year=9999, month=12, day=31, hour=23, minute=0)
    with pytest.raises(ValidationError, match="between the years"):
        services.slot_create(
            programme=setup.programme,
            interviewer=setup.interviewer,
            starts_at=far,
            ends_at=far + timedelta(minutes=30),
            actor=None,
        )


# --- 3. a consent confirmed at the interview binds the newest text ---------------------


def _save_with_consent(setup: Setup, person: object, given: bool) -> None:
    ts = TimeSlot.objects.filter(programme=setup.programme).first()
    assert ts is not None
    record_services.interview_record_save(
        participant=person,  # type: ignore[arg-type]
        interviewer=setup.interviewer,
        data={"agreed_time_slots": [ts.key], "consents": {ConsentItem.WELLBEING_QUESTIONNAIRE: given}},
        actor=setup.coordinator,
    )


def test_confirming_a_consent_at_the_interview_binds_the_newest_text() -> None:
    setup = make_setup()
    person = applicant(setup)
    consent_record(participant=person, item=ConsentItem.WELLBEING_QUESTIONNAIRE, given=True, actor=None)
    newer = consent_text_publish(
        programme=setup.programme,
        item=ConsentItem.WELLBEING_QUESTIONNAIRE,
        text={"en": "New: who sees your answers and for how long."},
        actor=None,
    )

    _save_with_consent(setup, person, True)

    current = consents_current(participant=person)[ConsentItem.WELLBEING_QUESTIONNAIRE]
    assert current.text_id == newer.pk
    assert current.given is True
    assert current.source == "interview"


def test_an_unchanged_consent_on_the_current_text_adds_no_row() -> None:
    setup = make_setup()
    person = applicant(setup)
    consent_record(participant=person, item=ConsentItem.WELLBEING_QUESTIONNAIRE, given=True, actor=None)
    before = Consent.objects.filter(participant=person).count()

    _save_with_consent(setup, person, True)

    assert Consent.objects.filter(participant=person).count() == before
