"""A coordinator fills in the interview record and accepts, in Chromium, with axe-core on each page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.accounts.services import sign_in_link_make
from kollega.core.models import Role, Status
from kollega.interviews.record_kinds import register_kinds
from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args  # noqa: F401
from tests.factories import make_organisation, make_participant, make_programme, make_staff
from tests.interviews.record_helpers import book

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_record_form_the_decision_and_the_list(page: Page, live_server, assert_accessible) -> None:  # noqa: F811
    register_kinds()
    organisation = make_organisation("Testikylän Yrityspalvelut")
    coordinator = make_staff(organisation, Role.COORDINATOR)
    interviewer = make_staff(organisation, Role.FACILITATOR)
    programme = make_programme(organisation)
    participant = make_participant(programme, full_name="Aino Aamu")
    book(participant, interviewer)

    page.goto(live_server.url + sign_in_link_make(user=coordinator))
    expect(page).to_have_url(live_server.url + reverse("core:programme_list"))

    page.goto(live_server.url + reverse("core:participant_detail", args=[participant.pk]))
    expect(page.get_by_role("heading", name="Intake interview")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Fill in the interview record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Intake interview of Aino Aamu")
    assert_accessible(page)

    # Sent with nothing chosen: the errors are listed and shown at their fields.
    page.get_by_role("button", name="Save the record and mark as interviewed").click()
    expect(page.locator(".error-summary")).to_be_visible()
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
    page.get_by_label("Goal for the business").fill("Ten new customers by June.")
    page.get_by_label("Goal for own well-being").fill("Evenings off.")
    page.get_by_role("button", name="Save the record and mark as interviewed").click()
    expect(page.locator(".notice.success")).to_contain_text("The interview record was saved.")
    expect(page.get_by_text("Ten new customers by June.")).to_be_visible()

    page.get_by_role("link", name="Accept", exact=True).click()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, accept").click()
    expect(page.locator(".notice.success")).to_contain_text("was accepted")
    participant.refresh_from_db()
    assert participant.status == Status.ACCEPTED

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + reverse("interview_records:decline", args=[participant.pk]))
    assert_accessible(page)
    page.goto(live_server.url + reverse("core:participant_list", args=[programme.pk]) + "?interview=done")
    expect(page.get_by_role("cell", name="Interviewed")).to_be_visible()
    assert_accessible(page)
