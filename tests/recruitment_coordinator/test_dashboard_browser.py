"""axe-core on the needs dashboard and the applicant pages, in real Chromium, on a wide and a phone-sized screen."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.accounts.services import sign_in_link_make
from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args  # noqa: F401
from tests.factories import make_organisation, make_programme, make_staff
from tests.recruitment_coordinator.support import make_channel, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_needs_dashboard_and_applicant_pages_are_accessible(page: Page, live_server, assert_accessible):  # noqa: F811
    organisation = make_organisation("Testikylän Yrityspalvelut")
    coordinator = make_staff(organisation)
    programme = make_programme(organisation)
    make_channel(programme, "lehti", "Paikallislehti")
    person = register(programme, name="Aino Aamu", channel_key="lehti", themes=["goals", "networks"])
    register(programme, name="Bertta Ilta", themes=["networks"], heard_from="other", time_slots=["afternoon"])

    page.goto(live_server.url + sign_in_link_make(user=coordinator))
    page.goto(live_server.url + reverse("recruitment:needs", args=[programme.pk]))
    expect(page.get_by_role("heading", name="Needs dashboard", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Theme demand in Borda points", exact=False)).to_be_visible()
    expect(page.get_by_role("table", name="Theme demand in numbers")).to_be_visible()
    assert_accessible(page)

    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    expect(page.get_by_role("table", name="Channels in numbers")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 320)"
        ".slice(0, 5).map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 30))"
    )
    assert width <= 320, f"the dashboard scrolls sideways at 320 px ({width} px wide): {wide}"
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Participants").last.click()
    page.get_by_label("Theme wish").select_option("networks")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("2 participants of 2 match the filters.")).to_be_visible()
    expect(page.get_by_role("link", name="Excel (XLSX)")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=person.user.full_name).click()
    expect(page.get_by_role("heading", name="Registration", level=2)).to_be_visible()
    assert_accessible(page)


def test_empty_dashboard_is_accessible(page: Page, live_server, assert_accessible):  # noqa: F811
    organisation = make_organisation()
    coordinator = make_staff(organisation)
    programme = make_programme(organisation)
    page.goto(live_server.url + sign_in_link_make(user=coordinator))
    page.goto(live_server.url + reverse("recruitment:needs", args=[programme.pk]))
    expect(page.get_by_text("There are no registrations to count yet.")).to_be_visible()
    assert_accessible(page)
