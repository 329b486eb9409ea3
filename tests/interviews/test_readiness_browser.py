"""The readiness view in Chromium at phone width, with axe-core."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.accounts.services import sign_in_link_make
from kollega.core.models import Role, Status
from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args  # noqa: F401
from tests.factories import make_organisation, make_participant, make_programme, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_readiness_view_from_the_programme_page(page: Page, live_server, assert_accessible) -> None:  # noqa: F811
    organisation = make_organisation("Testikylän Yrityspalvelut")
    coordinator = make_staff(organisation, Role.COORDINATOR)
    programme = make_programme(organisation)
    morning = programme.time_slots.get(key="morning")
    for status in (Status.REGISTERED, Status.INTERVIEW_BOOKED, Status.ACCEPTED):
        make_participant(programme, status).time_slots.set([morning])

    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(live_server.url + sign_in_link_make(user=coordinator))
    page.goto(live_server.url + reverse("core:programme_detail", args=[programme.pk]))
    page.get_by_role("link", name="Readiness for groups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Readiness for groups")
    table = page.get_by_role("table", name="People per time slot")
    expect(table.get_by_role("row", name="Any of them (each person once)")).to_contain_text("None yet: 5 more needed")
    expect(page.locator("#readiness-summary")).to_contain_text("No time slot has enough accepted people")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
