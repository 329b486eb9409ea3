"""Signing in with a real browser, and axe-core on every page on the way."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.accounts.notifications import LOGIN_CODE
from kollega.core.models import Role
from kollega.notifications.models import Notification, NotificationStatus
from tests.factories import make_organisation, make_participant, make_programme, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "kahvi-ja-pulla-2026"


def test_axe_really_runs_and_reports_an_unlabelled_input(page: Page, axe):
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>Form</h1>'
        '<input type="text" name="nameless"></main></body></html>'
    )
    results = axe.run(page)
    assert results.violations_count >= 1
    assert "label" in {violation["id"] for violation in results.response["violations"]}


def test_a_coordinator_signs_in_with_password_and_lands_on_their_page(page: Page, live_server, assert_accessible):
    organisation = make_organisation("Kaupungin Yrityspalvelut")
    coordinator = make_staff(organisation, Role.COORDINATOR, email="koordinaattori@example.org")
    coordinator.set_password(PASSWORD)
    coordinator.save()

    page.goto(live_server.url + reverse("account_login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("heading", name="Get a sign-in code by email")).to_be_visible()
    expect(page.get_by_role("heading", name="Staff: sign in with password")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Email", exact=True).fill(coordinator.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in with password").click()

    expect(page).to_have_url(live_server.url + reverse("core:programme_list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes")
    expect(page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Staff")).to_be_visible()
    expect(page.locator(".brand-organisation")).to_have_text("Kaupungin Yrityspalvelut")
    assert_accessible(page)

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Staff").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff of Kaupungin Yrityspalvelut")
    assert_accessible(page)
    # An invitation with a mistake shows the error summary and the error by the field; still accessible.
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)


def test_a_participant_gets_a_code_by_email_and_lands_on_their_page(page: Page, live_server, assert_accessible):
    participant = make_participant(make_programme(), email="yrittaja@example.org")

    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Email address").fill(participant.user.email)
    page.get_by_role("button", name="Send me a code").click()

    expect(page).to_have_url(live_server.url + reverse("account_confirm_login_code"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    assert_accessible(page)

    row = Notification.objects.get(kind=LOGIN_CODE, recipient=participant.user.email)
    assert row.status == NotificationStatus.SENT
    page.get_by_label("Code").fill(row.context["code"])
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page).to_have_url(live_server.url + reverse("core:participant_home"))
    expect(page.get_by_role("navigation", name="Main menu").get_by_role("link", name="My programme")).to_have_attribute(
        "aria-current", "page"
    )
    assert_accessible(page)


def test_a_wrong_code_shows_an_accessible_error(page: Page, live_server, assert_accessible):
    participant = make_participant(make_programme())
    page.goto(live_server.url + reverse("account_request_login_code"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Get a sign-in code by email")
    assert_accessible(page)
    page.get_by_label("Email").fill(participant.user.email)
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_label("Code").fill("ZZZZ-ZZZZ")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Code")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def test_the_sign_in_page_works_on_a_320_pixel_phone(page: Page, live_server, assert_accessible):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + reverse("account_login"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    button = page.get_by_role("button", name="Send me a code").bounding_box()
    assert button is not None and button["height"] >= 44
    assert_accessible(page)
