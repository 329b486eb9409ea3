"""Issue 4's journey in Chromium: book from the emailed link on a phone, answer the baseline
questionnaire, then the coordinator fills in the interview record and accepts; axe-core on every page."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from kollega.accounts.services import sign_in_link_make
from kollega.core.models import Role, Status
from kollega.interviews import services as interviews
from kollega.notifications.models import Notification
from kollega.recruitment.services import registration_submit
from tests.factories import make_organisation, make_programme, make_staff
from tests.recruitment.factories import answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _path(kind: str, email: str, key: str) -> str:
    """The link a message to ``email`` carried, as a path on the test server."""
    message = Notification.objects.filter(kind=kind, recipient=email).latest("id")
    return urlsplit(message.context[key]).path


def test_book_answer_record_and_accept(page: Page, live_server, assert_accessible) -> None:
    organisation = make_organisation("Polun Yrityspalvelut")
    coordinator = make_staff(organisation, Role.COORDINATOR)
    programme = make_programme(
        organisation,
        registration_opens_at=timezone.now() - timedelta(days=1),
        registration_closes_at=timezone.now() + timedelta(days=30),
    )
    day = timezone.localtime(timezone.now(), organisation.tz).date() + timedelta(days=4)
    starts = datetime(day.year, day.month, day.day, 10, 0, tzinfo=organisation.tz)
    interviews.slot_create(
        programme=programme,
        interviewer=coordinator,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        actor=coordinator,
    )
    email = "aino.aamu@example.org"
    person = registration_submit(
        programme=programme,
        raw=answers(programme, name="Aino Aamu", email=email, wellbeing="yes"),
        language="en",
    ).participant
    interviews.interview_invitations_send(programme=programme, actor=coordinator)

    # The applicant, on a phone, books from the emailed link.
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(live_server.url + _path("interviews.invitation", email, "booking_url"))
    expect(page.get_by_role("heading", name="Choose a time")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="10:00–10:30").click()
    page.get_by_role("button", name="Yes, book this time").click()
    expect(page.get_by_role("heading", name="Your interview is booked")).to_be_visible()
    assert_accessible(page)

    # Booking brought the baseline questionnaire, answered from its own emailed link.
    page.goto(live_server.url + _path("evaluation.invitation", email, "questionnaire_url"))
    expect(page.get_by_role("heading", name="Well-being self-assessment")).to_be_visible()
    assert_accessible(page)
    groups = page.locator("form.questionnaire fieldset")
    for index in range(groups.count()):
        groups.nth(index).get_by_role("radio").nth(1).check()  # "Most of the time" / 2 on the work scale
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you for your answers")).to_be_visible()
    assert_accessible(page)

    # The coordinator fills in the interview record and accepts.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + sign_in_link_make(user=coordinator))
    page.goto(live_server.url + reverse("interview_records:record", args=[person.pk]))
    assert_accessible(page)
    page.get_by_label("Audio works").check()
    page.get_by_label("Video works").check()
    page.get_by_label("Committed to all meetings").check()
    page.get_by_role("group", name="Agreed time slots").get_by_role("checkbox").first.check()
    for question in (
        "Share their name with the group",
        "Share their company with the group",
        "Share their email with the group",
        "Answer the well-being questionnaire",
    ):
        page.get_by_role("group", name=question).get_by_label("Yes").check()
    page.get_by_label("Goal for the business").fill("Two new regular customers.")
    page.get_by_label("Goal for own well-being").fill("A free weekend every month.")
    page.get_by_role("button", name="Save the record and mark as interviewed").click()
    expect(page.locator(".notice.success")).to_contain_text("The interview record was saved.")
    assert_accessible(page)
    page.get_by_role("link", name="Accept", exact=True).click()
    assert_accessible(page)
    page.get_by_role("button", name="Accept").click()
    person.refresh_from_db()
    assert person.status == Status.ACCEPTED
    assert Notification.objects.filter(kind="interviews.accepted", recipient=email).exists()
