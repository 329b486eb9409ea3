"""axe-core on the shell's and sign-in's pages that the journeys do not pass through."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.accounts.services import sign_in_link_make, staff_invite
from kollega.core.models import Role, StaffMembership
from tests.factories import make_organisation, make_participant, make_programme, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "path",
    [
        reverse("home"),
        reverse("account_signup"),
        "/no-such-page/",
    ],
)
def test_public_pages(page: Page, live_server, assert_accessible, path):
    page.goto(live_server.url + path)
    expect(page.locator("main h1")).to_have_count(1)
    assert_accessible(page)


def test_a_coordinators_pages(page: Page, live_server, assert_accessible):
    organisation = make_organisation("Testikylän Yrityspalvelut")
    coordinator = make_staff(organisation, Role.COORDINATOR)
    coordinator.set_password("kahvi-ja-pulla-2026")
    coordinator.save()
    facilitator = make_staff(organisation, Role.FACILITATOR)
    staff_invite(organisation=organisation, email="odottaa@example.org", role=Role.FACILITATOR, invited_by=coordinator)

    page.goto(live_server.url + sign_in_link_make(user=coordinator))
    expect(page).to_have_url(live_server.url + reverse("core:programme_list"))

    page.goto(live_server.url + reverse("accounts:staff", args=[organisation.slug]))
    expect(page.get_by_role("cell", name="odottaa@example.org")).to_be_visible()
    assert_accessible(page)

    membership = StaffMembership.objects.get(user=facilitator)
    page.goto(live_server.url + reverse("accounts:staff_remove", args=[organisation.slug, membership.pk]))
    assert_accessible(page)
    page.get_by_role("button", name="Yes, remove the role").click()
    expect(page.locator(".notice.success")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Sign-in security").click()
    expect(page).to_have_url(live_server.url + reverse("mfa_index"))
    expect(page.get_by_role("heading", name="Authenticator app")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + reverse("account_reauthenticate"))
    expect(page.get_by_label("Password")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + reverse("account_change_password"))
    assert_accessible(page)

    page.goto(live_server.url + reverse("account_logout"))
    assert_accessible(page)


def test_the_authenticator_page_offers_not_now_outside_production(page: Page, live_server, assert_accessible, settings):
    settings.KOLLEGA_STAFF_MFA_REQUIRED = False
    coordinator = make_staff(make_organisation(), Role.COORDINATOR)
    coordinator.set_password("kahvi-ja-pulla-2026")
    coordinator.save()
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Email", exact=True).fill(coordinator.email)
    page.get_by_label("Password", exact=True).fill("kahvi-ja-pulla-2026")
    page.get_by_role("button", name="Sign in with password").click()
    page.goto(live_server.url + reverse("mfa_activate_totp"))
    expect(page.get_by_role("link", name="Not now")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Not now").click()
    expect(page).to_have_url(live_server.url + reverse("core:programme_list"))


def test_a_participant_on_a_phone(page: Page, live_server, assert_accessible):
    page.set_viewport_size({"width": 320, "height": 640})
    participant = make_participant(make_programme())
    page.goto(live_server.url + sign_in_link_make(user=participant.user))
    expect(page).to_have_url(live_server.url + reverse("core:participant_home"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    for name in ["suomi", "svenska", "English"]:
        box = page.get_by_role("button", name=name).bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44
    assert_accessible(page)
    page.get_by_role("button", name="svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page).to_have_url(live_server.url + reverse("core:participant_home"))
