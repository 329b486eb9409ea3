"""The API token pages in real Chromium, with axe-core on each page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from kollega.accounts.tokens import api_token_authenticate
from kollega.core import services
from kollega.core.models import Role

# The browser set-up (Chromium, axe) of the browser tests, shared rather than repeated.
from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # pytest-playwright 0.10 on pytest 9, as in pyproject.toml, whose pattern misses
    # this two-line form of the same warning when this module runs on its own.
    pytest.mark.filterwarnings(
        "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning"
    ),
]


def sign_in(page: Page, live_server: Any, email: str) -> None:
    organisation = services.organisation_create(name="Kaarnan yrityspalvelut")
    user = services.user_get_or_create(email=email, full_name="Aino Koordinaattori", language="en")
    services.staff_membership_add(organisation=organisation, user=user, role=Role.COORDINATOR)
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    page.context.add_cookies([{"name": "kollega_language", "value": "en", "url": live_server.url}])


def test_create_copy_and_revoke_a_token(page: Page, live_server: Any, assert_accessible: Any) -> None:  # noqa: F811
    sign_in(page, live_server, "aino@example.org")

    page.goto(live_server.url + "/account/api-tokens/")
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    assert_accessible(page)

    page.get_by_role("link", name="Create a token").click()
    page.get_by_role("button", name="Create the token").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Name").fill("Reporting script")
    page.get_by_role("button", name="Create the token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your new API token")
    expect(page.get_by_text("Copy the token now.")).to_be_visible()
    assert_accessible(page)
    raw = page.get_by_label("API token “Reporting script”").input_value()
    assert api_token_authenticate(raw) is not None

    page.get_by_role("link", name="I have copied the token").click()
    expect(page.get_by_role("rowheader", name="Reporting script")).to_be_visible()
    expect(page.get_by_role("cell", name="In use")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Revoke Reporting script").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke the token “Reporting script”?")
    assert_accessible(page)
    page.get_by_role("button", name="Revoke the token").click()
    expect(page.get_by_text("has been revoked")).to_be_visible()
    assert_accessible(page)
    assert api_token_authenticate(raw) is None
