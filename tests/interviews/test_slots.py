"""Publishing interview slots: single ones, weekly patterns across summer time, cancelling."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from kollega.core.models import AuditEntry, Role, Status, VideoLinks
from kollega.core.services import closed_period_add
from kollega.interviews import services
from kollega.interviews.models import InterviewBooking, InterviewSlot
from tests.factories import make_organisation, make_staff
from tests.interviews.slot_helpers import applicant, event_of, invitation_of, make_setup, make_slot, messages_of

pytestmark = pytest.mark.django_db

HELSINKI_NOW = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # a fixed "now" before both clock changes of 2027


def test_a_single_slot_is_stored_in_utc_and_logged() -> None:
    setup = make_setup()
    slot = make_slot(setup, hour=9)
    local = slot.starts_at.astimezone(setup.organisation.tz)
    assert (local.hour, local.minute) == (9, 0)
    assert slot.ends_at - slot.starts_at == timedelta(minutes=30)
    assert AuditEntry.objects.filter(action="interviews.slot.created", subject=f"interviews.interviewslot:{slot.pk}")


def test_the_interviewer_must_be_staff_of_the_organisation() -> None:
    setup = make_setup()
    stranger = make_staff(make_organisation(), Role.COORDINATOR)
    with pytest.raises(ValidationError) as caught:
        make_slot(setup, interviewer=stranger)
    assert "staff member of the organisation" in str(caught.value)
    assert not InterviewSlot.objects.exists()


def test_an_interviewer_cannot_hold_two_slots_at_once() -> None:
    setup = make_setup()
    first = make_slot(setup, hour=9, minutes=30)
    with pytest.raises(ValidationError) as caught:
        make_slot(setup, hour=9, minute=15)
    assert "already has a slot" in str(caught.value)
    # Back to back is fine, and another interviewer may take the same time.
    make_slot(setup, hour=9, minute=30)
    make_slot(setup, hour=9, interviewer=setup.coordinator)
    assert InterviewSlot.objects.count() == 3
    assert first.pk


def test_pasted_links_are_required_when_the_organisation_uses_them() -> None:
    setup = make_setup(video_links=VideoLinks.PASTED)
    with pytest.raises(ValidationError) as caught:
        make_slot(setup)
    assert "Paste the video link" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        make_slot(setup, video_link="javascript:alert(1)")
    assert "starting with https://" in str(caught.value)
    slot = make_slot(setup, video_link="https://zoom.example.org/j/123")
    assert slot.video_link == "https://zoom.example.org/j/123"


def test_a_slot_in_the_past_or_on_a_closed_day_is_refused() -> None:
    setup = make_setup()
    with pytest.raises(ValidationError, match="already passed"):
        make_slot(setup, days=-1)
    soon = make_slot(setup, days=5).starts_at.astimezone(setup.organisation.tz).date() + timedelta(days=1)
    closed_period_add(organisation=setup.organisation, name="Juhannus", start_date=soon, end_date=soon, actor=None)
    with pytest.raises(ValidationError, match="closed"):
        make_slot(setup, days=6)


def _pattern(first: date, last: date, **kw: object) -> services.Pattern:
    values: dict[str, object] = {
        "first_date": first,
        "last_date": last,
        "weekdays": frozenset(range(7)),
        "day_start": time(9, 0),
        "day_end": time(10, 0),
        "length_minutes": 30,
        "buffer_minutes": 10,
    }
    values.update(kw)
    return services.Pattern(**values)  # type: ignore[arg-type]


def _local(slots: list[InterviewSlot], tz: object) -> list[str]:
    return [f"{s.starts_at.astimezone(tz):%Y-%m-%d %H:%M}" for s in slots]  # type: ignore[arg-type]


def test_a_pattern_keeps_nine_oclock_local_across_the_spring_change() -> None:
    setup = make_setup()
    tz = setup.organisation.tz
    slots = services.slots_create_recurring(
        programme=setup.programme,
        interviewer=setup.interviewer,
        pattern=_pattern(date(2027, 3, 27), date(2027, 3, 29)),
        actor=setup.coordinator,
        now=HELSINKI_NOW,
    )
    # One slot a day: 9:00–9:30; the next would end at 10:10, after the day's end.
    assert _local(slots, tz) == ["2027-03-27 09:00", "2027-03-28 09:00", "2027-03-29 09:00"]
    # Saturday is winter time (UTC+2); from Sunday 03:00 the clocks are an hour ahead (UTC+3).
    assert [s.starts_at.astimezone(UTC).hour for s in slots] == [7, 6, 6]
    stored = list(InterviewSlot.objects.order_by("starts_at").values_list("starts_at", flat=True))
    assert [value.astimezone(UTC) for value in stored] == [
        datetime(2027, 3, 27, 7, 0, tzinfo=UTC),
        datetime(2027, 3, 28, 6, 0, tzinfo=UTC),
        datetime(2027, 3, 29, 6, 0, tzinfo=UTC),
    ]


def test_a_pattern_keeps_nine_oclock_local_across_the_autumn_change() -> None:
    setup = make_setup()
    slots = services.slots_create_recurring(
        programme=setup.programme,
        interviewer=setup.interviewer,
        pattern=_pattern(date(2027, 10, 30), date(2027, 11, 1)),
        actor=setup.coordinator,
        now=HELSINKI_NOW,
    )
    assert _local(slots, setup.organisation.tz) == ["2027-10-30 09:00", "2027-10-31 09:00", "2027-11-01 09:00"]
    assert [s.starts_at.astimezone(UTC).hour for s in slots] == [6, 7, 7]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=30) for s in slots)


def test_a_pattern_skips_the_hour_that_does_not_exist_in_spring() -> None:
    setup = make_setup()
    slots = services.slots_create_recurring(
        programme=setup.programme,
        interviewer=setup.interviewer,
        pattern=_pattern(date(2027, 3, 28), date(2027, 3, 28), day_start=time(2, 0), day_end=time(5, 0)),
        actor=setup.coordinator,
        now=HELSINKI_NOW,
    )
    # The clock jumps from 3:00 to 4:00: 2:40–3:10 and 3:20–3:50 do not exist and are left out.
    assert _local(slots, setup.organisation.tz) == ["2027-03-28 02:00", "2027-03-28 04:00"]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=30) for s in slots)


def test_a_pattern_skips_closed_days_and_past_times() -> None:
    setup = make_setup()
    closed_period_add(
        organisation=setup.organisation,
        name="Talviloma",
        start_date=date(2027, 2, 16),
        end_date=date(2027, 2, 17),
        actor=None,
    )
    slots = services.slots_create_recurring(
        programme=setup.programme,
        interviewer=setup.interviewer,
        pattern=_pattern(date(2027, 2, 15), date(2027, 2, 19), weekdays=frozenset({0, 1, 2, 3, 4})),
        actor=setup.coordinator,
        now=datetime(2027, 2, 15, 7, 5, tzinfo=UTC),  # Monday 9:05 in Helsinki: Monday's 9:00 has passed
    )
    assert _local(slots, setup.organisation.tz) == ["2027-02-18 09:00", "2027-02-19 09:00"]


def test_a_pattern_is_all_or_nothing_when_one_time_clashes() -> None:
    setup = make_setup()
    services.slot_create(
        programme=setup.programme,
        interviewer=setup.interviewer,
        starts_at=datetime(2027, 2, 18, 9, 15, tzinfo=setup.organisation.tz),
        ends_at=datetime(2027, 2, 18, 9, 45, tzinfo=setup.organisation.tz),
        actor=setup.coordinator,
        now=HELSINKI_NOW,
    )
    with pytest.raises(ValidationError) as caught:
        services.slots_create_recurring(
            programme=setup.programme,
            interviewer=setup.interviewer,
            pattern=_pattern(date(2027, 2, 15), date(2027, 2, 19)),
            actor=setup.coordinator,
            now=HELSINKI_NOW,
        )
    assert "Nothing was added" in str(caught.value)
    assert InterviewSlot.objects.count() == 1


def test_a_pattern_with_too_many_slots_says_so() -> None:
    setup = make_setup()
    with pytest.raises(ValidationError) as caught:
        services.slots_create_recurring(
            programme=setup.programme,
            interviewer=setup.interviewer,
            pattern=_pattern(
                date(2027, 2, 1), date(2027, 6, 30), day_start=time(8, 0), day_end=time(18, 0), buffer_minutes=0
            ),
            actor=setup.coordinator,
            now=HELSINKI_NOW,
        )
    assert "more than 500 slots" in str(caught.value)
    assert not InterviewSlot.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"last_date": date(2027, 2, 1)}, "last_date"),
        ({"weekdays": frozenset()}, "weekdays"),
        ({"day_end": time(8, 0)}, "day_end"),
        ({"length_minutes": 5}, "length_minutes"),
        ({"buffer_minutes": -1}, "buffer_minutes"),
    ],
)
def test_a_pattern_with_bad_values_names_the_field(change: dict[str, object], field: str) -> None:
    setup = make_setup()
    with pytest.raises(ValidationError) as caught:
        services.slots_create_recurring(
            programme=setup.programme,
            interviewer=setup.interviewer,
            pattern=_pattern(date(2027, 2, 8), date(2027, 2, 12), **change),
            actor=setup.coordinator,
            now=HELSINKI_NOW,
        )
    assert field in caught.value.message_dict


def test_cancelling_a_booked_slot_tells_the_applicant_who_may_book_again() -> None:
    setup = make_setup()
    slot = make_slot(setup)
    person = applicant(setup)
    booking = services.booking_create(slot=slot, participant=person)
    services.slot_cancel(slot=slot, actor=setup.coordinator, reason="The interviewer is ill.")

    slot.refresh_from_db()
    booking.refresh_from_db()
    person.refresh_from_db()
    assert slot.cancelled_at is not None
    assert booking.cancelled_at is not None and booking.cancel_reason == "The interviewer is ill."
    assert person.status == Status.REGISTERED
    (message,) = messages_of(services.KIND_CANCELLED, person.user.email)
    assert message.context["cause"] == "slot_cancelled"
    assert message.context["reason"] == "The interviewer is ill."
    calendar = invitation_of(message)
    assert str(calendar["method"]) == "CANCEL"
    assert str(event_of(calendar)["uid"]) == booking.calendar_uid
    # The interviewer's calendar loses the entry too.
    (staff,) = [
        m for m in messages_of(services.KIND_STAFF, setup.interviewer.email) if m.context["event"] == "cancelled"
    ]
    assert str(invitation_of(staff)["method"]) == "CANCEL"
    # And the person can book another time.
    other = make_slot(setup, days=4)
    services.booking_create(slot=other, participant=person)
    assert InterviewBooking.objects.filter(participant=person, cancelled_at__isnull=True).count() == 1


def test_a_cancelled_slot_cannot_be_cancelled_again() -> None:
    setup = make_setup()
    slot = make_slot(setup)
    services.slot_cancel(slot=slot, actor=setup.coordinator)
    with pytest.raises(ValidationError, match="already been cancelled"):
        services.slot_cancel(slot=slot, actor=setup.coordinator)


def test_the_invitation_of_a_summer_time_interview_has_the_right_utc_times() -> None:
    setup = make_setup()
    slots = services.slots_create_recurring(
        programme=setup.programme,
        interviewer=setup.interviewer,
        pattern=_pattern(date(2027, 3, 27), date(2027, 3, 28)),
        actor=setup.coordinator,
        now=HELSINKI_NOW,
    )
    winter, summer = slots
    for slot, hour in ((winter, 7), (summer, 6)):
        person = applicant(setup)
        services.booking_create(slot=slot, participant=person, now=HELSINKI_NOW)
        (message,) = messages_of(services.KIND_BOOKED, person.user.email)
        event = event_of(invitation_of(message))
        assert event.decoded("dtstart") == datetime(slot.starts_at.year, 3, slot.starts_at.day, hour, 0, tzinfo=UTC)
        assert "DTSTART:2027032" in invitation_of(message).to_ical().decode()
        assert message.context["start"] == "09:00"
