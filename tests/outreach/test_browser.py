"""axe-core on the coordinator's outreach pages and the form editor, on a phone-sized screen and a desktop."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.accounts.services import sign_in_link_make
from kollega.outreach import services
from kollega.recruitment.models import Registration
from kollega.recruitment.selectors import registration_form
from tests.factories import make_organisation, make_participant, make_programme, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [320, 1280])
def test_outreach_pages_and_form_editor_are_accessible(page: Page, live_server, assert_accessible, width):
    page.set_viewport_size({"width": width, "height": 900})
    organisation = make_organisation("Testikylän Yrityspalvelut")
    coordinator = make_staff(organisation)
    programme = make_programme(organisation)
    channel = services.channel_create(
        programme=programme, name={"fi": "Uutiskirje", "en": "Newsletter"}, kind="newsletter", actor=None
    )
    Registration.objects.create(participant=make_participant(programme), channel=channel)
    form = registration_form(programme=programme)
    assert form is not None
    page.goto(live_server.url + sign_in_link_make(user=coordinator))

    page.goto(live_server.url + reverse("core:programme_detail", args=[programme.pk]))
    page.get_by_role("link", name="Channels and share links").click()
    expect(page.locator("main h1")).to_have_text("Channels and share links")
    # With JavaScript the copy button shows; without it the link is still a selectable field.
    expect(page.get_by_role("button", name="Copy – Share link of Newsletter")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add channel").click()  # no name: errors shown
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + reverse("outreach:page", args=[programme.pk]))
    page.get_by_role("button", name="Publish the page").click()
    expect(page.locator(".notice.warning").first).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + reverse("outreach:press_kit", args=[programme.pk]))
    expect(page.locator("main h1")).to_have_text("Press kit")
    assert_accessible(page)

    page.goto(live_server.url + reverse("outreach:channel_delete", args=[programme.pk, channel.pk]))
    assert_accessible(page)

    page.goto(live_server.url + reverse("surveys:registration_form", args=[programme.pk]))
    expect(page).to_have_url(live_server.url + reverse("surveys:form_detail", args=[form.pk]))
    assert_accessible(page)
    page.get_by_role("link", name="Add a question").first.click()
    assert_accessible(page)
    page.get_by_label("Single choice", exact=False).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Add question").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + reverse("surveys:form_preview", args=[form.pk, "fi"]) + "?step=3")
    expect(page.locator(".preview")).to_be_visible()
    assert_accessible(page)
