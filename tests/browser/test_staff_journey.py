"""A new staff member's way in, in a real browser: invitation, password, authenticator app, recovery codes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.accounts.notifications import PASSWORD_RESET, STAFF_INVITATION
from kollega.accounts.services import staff_invite
from kollega.core.models import Role
from kollega.notifications.models import Notification
from tests.accounts.conftest import totp_now
from tests.factories import make_organisation, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "kahvi-ja-pulla-2026"


def _local(url: str, live_server) -> str:
    return re.sub(r"^https?://[^/]+", live_server.url, url)


def test_an_invited_facilitator_joins_sets_up_the_app_and_signs_in_again(
    page: Page, live_server, assert_accessible, settings
):
    settings.KOLLEGA_STAFF_MFA_REQUIRED = True
    organisation = make_organisation("Seudun Kehitysyhtiö")
    coordinator = make_staff(organisation, Role.COORDINATOR)
    staff_invite(
        organisation=organisation, email="fasilitaattori@example.org", role=Role.FACILITATOR, invited_by=coordinator
    )
    link = Notification.objects.get(kind=STAFF_INVITATION).context["url"]

    page.goto(_local(link, live_server))
    expect(page.get_by_role("heading", level=1)).to_have_text("Join the staff of Seudun Kehitysyhtiö")
    assert_accessible(page)
    page.get_by_label("Your name").fill("Fiia Fasilitaattori")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Accept the invitation").click()

    expect(page).to_have_url(live_server.url + reverse("mfa_activate_totp"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page.get_by_role("link", name="Not now")).to_have_count(0)  # required here
    assert_accessible(page)
    secret = page.get_by_label("Key to type in by hand").input_value()
    page.get_by_label("Authenticator code").fill(totp_now(secret))
    page.get_by_role("button", name="Activate").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    assert_accessible(page)
    page.get_by_role("link", name="I have saved them – continue").click()
    expect(page).to_have_url(live_server.url + reverse("grouping:my_groups"))

    page.get_by_role("button", name="Sign out").click()
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Email", exact=True).fill("fasilitaattori@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in with password").click()
    expect(page).to_have_url(live_server.url + reverse("mfa_authenticate"))
    assert_accessible(page)
    page.get_by_role("textbox").fill(totp_now(secret))
    page.get_by_role("button", name=re.compile("Sign in", re.I)).first.click()
    expect(page).to_have_url(live_server.url + reverse("grouping:my_groups"))


def test_staff_reset_a_forgotten_password_by_email(page: Page, live_server, assert_accessible):
    coordinator = make_staff(make_organisation(), Role.COORDINATOR, email="unohtui@example.org")
    coordinator.set_password(PASSWORD)
    coordinator.save()

    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page).to_have_url(live_server.url + reverse("account_reset_password"))
    assert_accessible(page)
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_role("button", name=re.compile("Reset", re.I)).click()
    expect(page).to_have_url(live_server.url + reverse("account_reset_password_done"))
    assert_accessible(page)

    page.goto(_local(Notification.objects.get(kind=PASSWORD_RESET).context["url"], live_server))
    assert_accessible(page)
    new_password = "uusi-salasana-2026"
    page.get_by_label("New Password", exact=True).fill(new_password)
    page.get_by_label("New Password (again)").fill(new_password)
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_text("Your password is now changed.")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Email", exact=True).fill(coordinator.email)
    page.get_by_label("Password", exact=True).fill(new_password)
    page.get_by_role("button", name="Sign in with password").click()
    expect(page).to_have_url(live_server.url + reverse("core:programme_list"))


def test_a_stale_invitation_link_explains_itself_accessibly(page: Page, live_server, assert_accessible):
    page.goto(live_server.url + reverse("accounts:invitation", kwargs={"token": "old-link"}))
    expect(page.get_by_role("heading", level=1)).to_have_text("This invitation link does not work")
    assert_accessible(page)
