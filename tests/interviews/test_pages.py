"""The coordinator's slots page and the applicant's booking page, as their users see them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from kollega.core.models import Role, Status, VideoLinks
from kollega.interviews import services
from kollega.interviews.models import InterviewBooking, InterviewSlot
from kollega.recruitment.tokens import manage_token
from tests.factories import make_organisation, make_staff
from tests.interviews.slot_helpers import applicant, make_setup, make_slot, messages_of

pytestmark = pytest.mark.django_db


def _monday_ahead(weeks: int = 2) -> date:
    """A Monday a few weeks from today: the slot forms accept days up to two years ahead."""
    today = timezone.localdate()
    return today + timedelta(days=7 * weeks - today.weekday())


def _spring_forward_sunday() -> date:
    """The next last Sunday of March, when 3:00 becomes 4:00 in Helsinki."""
    today = timezone.localdate()
    for year in (today.year, today.year + 1):
        day = date(year, 3, 31)
        day -= timedelta(days=(day.weekday() - 6) % 7)
        if day > today + timedelta(days=1):
            return day
    raise AssertionError("unreachable")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _staff_client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


# --- staff ----------------------------------------------------------------------------


def test_the_slots_page_lists_slots_by_day_with_who_booked_and_counts() -> None:
    setup = make_setup()
    booked = make_slot(setup, days=3, hour=9)
    make_slot(setup, days=3, hour=10)
    make_slot(setup, days=4, hour=13)
    person = applicant(setup, full_name="Maija Meikäläinen")
    services.booking_create(slot=booked, participant=person)
    applicant(setup)

    response = _staff_client(setup.coordinator).get(reverse("interviews:slots", args=[setup.programme.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Maija Meikäläinen" in html
    assert "09:00–09:30" in html and "13:00–13:30" in html
    assert html.count("<caption>") == 2  # two days
    counts = response.context["counts"]
    assert (counts.free, counts.booked, counts.done) == (2, 1, 0)
    assert "Invite the 1 applicant without an interview to book one" in html


def test_the_slots_page_reads_the_same_number_of_queries_for_more_slots(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    setup = make_setup()
    client = _staff_client(setup.coordinator)
    for day in range(2, 5):
        slot = make_slot(setup, days=day)
        services.booking_create(slot=slot, participant=applicant(setup))
    url = reverse("interviews:slots", args=[setup.programme.pk])
    client.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for day in range(5, 15):
        slot = make_slot(setup, days=day, hour=11)
        services.booking_create(slot=slot, participant=applicant(setup))
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200


def test_another_organisations_coordinator_and_a_facilitator_get_not_found() -> None:
    setup = make_setup()
    slot = make_slot(setup)
    outsider = make_staff(make_organisation(), Role.COORDINATOR)
    pk = setup.programme.pk
    for user in (outsider, setup.interviewer):
        client = _staff_client(user)
        assert client.get(reverse("interviews:slots", args=[pk])).status_code == 404
        assert client.post(reverse("interviews:slot_cancel", args=[pk, slot.pk])).status_code == 404
        assert client.post(reverse("interviews:invite", args=[pk])).status_code == 404
    assert Client().get(reverse("interviews:slots", args=[pk])).status_code == 302
    slot.refresh_from_db()
    assert slot.cancelled_at is None
    assert not messages_of(services.KIND_INVITATION)


def test_adding_a_single_slot_and_seeing_a_clear_error() -> None:
    setup = make_setup(video_links=VideoLinks.PASTED)
    client = _staff_client(setup.coordinator)
    url = reverse("interviews:slot_add", args=[setup.programme.pk])
    data = {
        "one-day": (_monday_ahead() + timedelta(days=1)).isoformat(),
        "one-start": "09:00",
        "one-length_minutes": "30",
        "one-interviewer": setup.interviewer.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Paste the video link" in response.content.decode()
    assert not InterviewSlot.objects.exists()

    response = client.post(url, {**data, "one-video_link": "https://zoom.example.org/j/1"})
    assert response.status_code == 302
    slot = InterviewSlot.objects.get()
    assert f"{slot.starts_at.astimezone(setup.organisation.tz):%H:%M}" == "09:00"
    assert "was added" in client.get(response["Location"]).content.decode()


def test_adding_a_weekly_pattern_from_the_page() -> None:
    setup = make_setup()
    client = _staff_client(setup.coordinator)
    data = {
        "rec-first_date": _monday_ahead().isoformat(),
        "rec-last_date": (_monday_ahead() + timedelta(days=6)).isoformat(),
        "rec-weekdays": ["1", "3"],
        "rec-day_start": "09:00",
        "rec-day_end": "12:00",
        "rec-length_minutes": "30",
        "rec-buffer_minutes": "10",
        "rec-interviewer": setup.coordinator.pk,
    }
    response = client.post(reverse("interviews:slots_add_recurring", args=[setup.programme.pk]), data)
    assert response.status_code == 302
    # 9:00, 9:40, 10:20, 11:00 (11:40 would end after 12:00) on Tuesday and Thursday.
    assert InterviewSlot.objects.count() == 8
    response = client.post(
        reverse("interviews:slots_add_recurring", args=[setup.programme.pk]), {**data, "rec-weekdays": []}
    )
    assert response.status_code == 400
    assert "Weekdays" in response.content.decode()


def test_cancelling_a_slot_asks_once() -> None:
    setup = make_setup()
    slot = make_slot(setup)
    person = applicant(setup, full_name="Olli Oikarinen")
    services.booking_create(slot=slot, participant=person)
    client = _staff_client(setup.coordinator)
    url = reverse("interviews:slot_cancel", args=[setup.programme.pk, slot.pk])
    page = client.get(url)
    assert "Olli Oikarinen has booked this time" in page.content.decode()
    slot.refresh_from_db()
    assert slot.cancelled_at is None
    response = client.post(url, {"reason": "Sairastuin."})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == Status.REGISTERED
    assert messages_of(services.KIND_CANCELLED, person.user.email)[0].context["reason"] == "Sairastuin."


def test_marking_a_no_show_from_the_slots_page_and_the_participant_page() -> None:
    setup = make_setup()
    client = _staff_client(setup.coordinator)
    slot = make_slot(setup)
    person = applicant(setup)
    booking = services.booking_create(slot=slot, participant=person)
    InterviewSlot.objects.filter(pk=slot.pk).update(
        starts_at=slot.starts_at - timedelta(days=4), ends_at=slot.ends_at - timedelta(days=4)
    )
    response = client.post(reverse("interviews:no_show", args=[setup.programme.pk, booking.pk]))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.no_show_at is not None
    assert len(messages_of(services.KIND_NO_SHOW, person.user.email)) == 1

    # The participant page's button does the same.
    other = applicant(setup)
    second = services.booking_create(slot=make_slot(setup, days=5), participant=other)
    InterviewSlot.objects.filter(pk=second.slot_id).update(
        starts_at=second.slot.starts_at - timedelta(days=6), ends_at=second.slot.ends_at - timedelta(days=6)
    )
    client.post(reverse("core:participant_no_show", args=[other.pk]))
    second.refresh_from_db()
    other.refresh_from_db()
    assert second.no_show_at is not None and other.status == Status.REGISTERED
    assert len(messages_of(services.KIND_NO_SHOW, other.user.email)) == 1


def test_inviting_asks_once_then_emails_each_applicant_without_a_booking() -> None:
    setup = make_setup()
    people = [applicant(setup) for _ in range(2)]
    client = _staff_client(setup.coordinator)
    url = reverse("interviews:invite", args=[setup.programme.pk])
    page = client.get(url).content.decode()
    assert "Yes, invite 2 applicants" in page
    assert "fewer free slots than applicants" in page
    assert not messages_of(services.KIND_INVITATION)
    response = client.post(url, follow=True)
    assert "was sent to 2 applicants" in response.content.decode()
    assert {m.recipient for m in messages_of(services.KIND_INVITATION)} == {p.user.email for p in people}
    response = client.post(url, follow=True)
    assert "already invited today" in response.content.decode()


def test_the_video_link_setting_is_saved_and_the_settings_page_warns_about_meet_jit_si() -> None:
    setup = make_setup()
    client = _staff_client(setup.coordinator)
    settings_page = client.get(reverse("core:organisation_settings", args=[setup.organisation.slug])).content.decode()
    assert "asks the first person in a room to sign in" in settings_page
    url = reverse("interviews:video_links", args=[setup.organisation.slug])
    response = client.post(url, {"video_links": "jitsi", "jitsi_url": ""})
    assert response.status_code == 400
    assert "Give the address of the Jitsi server" in response.content.decode()
    response = client.post(url, {"video_links": "pasted", "jitsi_url": "https://meet.jit.si"})
    assert response.status_code == 302
    setup.organisation.refresh_from_db()
    assert setup.organisation.video_links == VideoLinks.PASTED
    outsider = _staff_client(make_staff(make_organisation(), Role.COORDINATOR))
    assert outsider.post(url, {"video_links": "jitsi", "jitsi_url": "https://evil.example.org"}).status_code == 404


# --- the applicant's page -----------------------------------------------------------------


def test_an_applicant_chooses_a_time_confirms_and_sees_the_booking() -> None:
    setup = make_setup()
    slot = make_slot(setup, days=3, hour=10)
    make_slot(setup, days=4, hour=14)
    person = applicant(setup, language="en")
    token = manage_token(person)
    client = Client()
    url = reverse("interviews:book", args=[token])

    page = client.get(url).content.decode()
    assert "Choose a time" in page
    assert f"?slot={slot.pk}" in page and "14:00–14:30" in page

    confirm = client.get(url, {"slot": slot.pk}).content.decode()
    assert "Book this time?" in confirm and "10:00–10:30" in confirm
    assert not InterviewBooking.objects.exists()  # nothing changes on GET

    response = client.post(url, {"slot": slot.pk})
    assert response.status_code == 302
    done = client.get(url).content.decode()
    booking = InterviewBooking.objects.get()
    assert "Your interview is booked" in done
    assert booking.video_link in done
    assert reverse("interviews:ics", args=[token]) in done
    assert "Choose another time" in done and "Cancel the interview" in done

    ics = client.get(reverse("interviews:ics", args=[token]))
    assert ics["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert str(event["uid"]) == booking.calendar_uid


def test_a_time_just_taken_says_so_and_lists_the_free_ones() -> None:
    setup = make_setup()
    slot = make_slot(setup, days=3, hour=10)
    make_slot(setup, days=4, hour=14)
    late = applicant(setup)
    services.booking_create(slot=slot, participant=applicant(setup))
    response = Client().post(reverse("interviews:book", args=[manage_token(late)]), {"slot": slot.pk})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else booked that time a moment ago" in html
    assert "14:00–14:30" in html
    late.refresh_from_db()
    assert late.status == Status.REGISTERED


def test_odd_slot_numbers_never_give_a_server_error() -> None:
    setup = make_setup()
    person = applicant(setup)
    url = reverse("interviews:book", args=[manage_token(person)])
    client = Client()
    for value in ("abc", "-1", "٣", "99999999999999999999999", ""):
        assert client.post(url, {"slot": value}).status_code == 409
        assert client.get(url, {"slot": value}).status_code == 200


def test_moving_and_cancelling_from_the_page_until_the_cutoff() -> None:
    setup = make_setup()
    first, second = make_slot(setup, days=3), make_slot(setup, days=5, hour=12)
    person = applicant(setup)
    booking = services.booking_create(slot=first, participant=person)
    token = manage_token(person)
    client = Client()
    url = reverse("interviews:book", args=[token])
    assert "Choose a new time" in client.get(url, {"change": "1"}).content.decode()
    assert client.post(url, {"slot": second.pk}).status_code == 302
    booking.refresh_from_db()
    assert booking.slot == second and booking.calendar_sequence == 1

    cancel_url = reverse("interviews:cancel", args=[token])
    assert "Cancel the interview?" in client.get(cancel_url).content.decode()
    assert client.post(cancel_url).status_code == 302
    booking.refresh_from_db()
    person.refresh_from_db()
    assert booking.cancelled_at is not None and person.status == Status.REGISTERED


def test_after_the_cutoff_the_page_says_whom_to_contact() -> None:
    setup = make_setup()
    slot = make_slot(setup, days=3)
    person = applicant(setup)
    booking = services.booking_create(slot=slot, participant=person)
    soon = slot.starts_at.__class__.now(tz=slot.starts_at.tzinfo) + timedelta(hours=5)
    InterviewSlot.objects.filter(pk=slot.pk).update(starts_at=soon, ends_at=soon + timedelta(minutes=30))
    client = Client()
    page = client.get(reverse("interviews:book", args=[manage_token(person)])).content.decode()
    assert "can no longer be changed here" in page
    assert "tuki@yrittajapolku.example.org" in page
    assert "Cancel the interview</a>" not in page
    response = client.post(reverse("interviews:cancel", args=[manage_token(person)]))
    assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.cancelled_at is None


def test_people_who_cannot_book_are_told_why() -> None:
    setup = make_setup()
    make_slot(setup)
    waiting = applicant(setup, Status.WAITING_LIST)
    page = Client().get(reverse("interviews:book", args=[manage_token(waiting)])).content.decode()
    assert "You are on the waiting list" in page
    assert "?slot=" not in page


def test_a_tampered_link_says_so_and_offers_a_new_one_with_the_same_answer_for_anyone() -> None:
    setup = make_setup()
    person = applicant(setup)
    token = manage_token(person)
    bad = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    client = Client()
    url = reverse("interviews:book", args=[bad])
    page = client.get(url)
    assert page.status_code == 404
    assert "This link does not work" in page.content.decode()
    assert "Send me a new link" in page.content.decode()

    known = client.post(url, {"email": person.user.email.upper()})
    unknown = client.post(url, {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code
    assert "a new link is on its way" in known.content.decode()
    assert "a new link is on its way" in unknown.content.decode()
    (message,) = messages_of(services.KIND_INVITATION)
    assert message.recipient == person.user.email and message.context["resent"] is True
    assert message.context["booking_url"].endswith(reverse("interviews:book", args=[token]))
    assert client.post(url, {"email": "not an address"}).status_code == 400
    assert client.get(reverse("interviews:ics", args=[bad])).status_code == 404


def test_asking_for_new_links_is_rate_limited() -> None:
    url = reverse("interviews:book", args=["nonsense"])
    client = Client()
    statuses = [client.post(url, {"email": f"a{i}@example.org"}).status_code for i in range(7)]
    assert statuses[:5] == [404] * 5
    assert statuses[5:] == [429, 429]
    assert "Too many requests" in client.post(url, {"email": "b@example.org"}).content.decode()


def test_the_registration_page_links_to_the_booking_page() -> None:
    setup = make_setup()
    person = applicant(setup)
    token = manage_token(person)
    page = Client().get(reverse("public:manage", args=[token])).content.decode()
    assert reverse("interviews:book", args=[token]) in page
    assert "Book your interview" in page


def test_a_single_slot_at_a_time_the_clock_skips_is_refused() -> None:
    setup = make_setup()
    client = _staff_client(setup.coordinator)
    data = {
        "one-day": _spring_forward_sunday().isoformat(),  # 3:00 becomes 4:00 in Helsinki
        "one-start": "03:30",
        "one-length_minutes": "30",
        "one-interviewer": setup.coordinator.pk,
    }
    response = client.post(reverse("interviews:slot_add", args=[setup.programme.pk]), data)
    assert response.status_code == 400
    assert "this time does not exist" in response.content.decode()
    assert not InterviewSlot.objects.exists()


def test_a_new_booking_link_goes_at_most_once_within_an_hour_not_per_clock_hour() -> None:
    setup = make_setup()
    person = applicant(setup)
    first = timezone.now().replace(minute=59, second=30, microsecond=0) + timedelta(days=1)
    assert services.interview_link_resend(email=person.user.email, now=first) == 1
    # Half a minute later the clock hour has changed, but the hour since the last link has not passed.
    assert services.interview_link_resend(email=person.user.email, now=first + timedelta(seconds=30)) == 0
    assert services.interview_link_resend(email=person.user.email, now=first + timedelta(minutes=59)) == 0
    assert services.interview_link_resend(email=person.user.email, now=first + timedelta(hours=1, seconds=1)) == 1
    assert len(messages_of(services.KIND_INVITATION)) == 2
