"""An applicant books an interview on a phone-sized screen; axe-core checks the booking and slots pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.accounts.services import sign_in_link_make
from kollega.core.models import Status
from kollega.interviews.models import InterviewBooking
from kollega.recruitment.tokens import manage_token
from tests.interviews.slot_helpers import applicant, make_setup, make_slot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_applicant_books_a_slot_from_the_personal_link_on_a_phone(page: Page, live_server, assert_accessible):  # type: ignore[no-untyped-def]
    setup = make_setup()
    make_slot(setup, days=3, hour=9)
    make_slot(setup, days=3, hour=10)
    make_slot(setup, days=5, hour=14)
    person = applicant(setup, full_name="Maija Meikäläinen", language="en")
    page.set_viewport_size({"width": 375, "height": 667})

    page.goto(live_server.url + reverse("interviews:book", args=[manage_token(person)]))
    expect(page.get_by_role("heading", name="Choose a time")).to_be_visible()
    assert_accessible(page)
    # Nothing is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_role("link", name="10:00–10:30").click()
    expect(page.get_by_role("heading", name="Book this time?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, book this time").click()

    expect(page.get_by_role("heading", name="Your interview is booked")).to_be_visible()
    expect(page.locator(".notice.success")).to_contain_text("Your interview is booked")
    booking = InterviewBooking.objects.get(participant=person)
    expect(page.get_by_role("link", name=booking.video_link)).to_be_visible()
    expect(page.get_by_role("link", name="Add to calendar")).to_be_visible()
    assert_accessible(page)
    person.refresh_from_db()
    assert person.status == Status.INTERVIEW_BOOKED


def test_the_coordinators_slots_page_is_accessible(page: Page, live_server, assert_accessible):  # type: ignore[no-untyped-def]
    from kollega.interviews import services

    setup = make_setup()
    slot = make_slot(setup, days=3, hour=9)
    make_slot(setup, days=4, hour=13)
    services.booking_create(slot=slot, participant=applicant(setup, full_name="Olli Oikarinen"))
    applicant(setup)
    page.goto(live_server.url + sign_in_link_make(user=setup.coordinator))
    page.goto(live_server.url + reverse("interviews:slots", args=[setup.programme.pk]))
    expect(page.get_by_role("heading", name="Intake interviews")).to_be_visible()
    expect(page.get_by_role("link", name="Olli Oikarinen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Invite the 1 applicant without an interview to book one").click()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, invite 1 applicant").click()
    expect(page.locator(".notice.success")).to_contain_text("was sent to 1 applicant")
    page.set_viewport_size({"width": 320, "height": 640})
    assert_accessible(page)
