"""The answering page on a phone-sized screen in real Chromium, checked by axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kollega.core.models import ConsentItem, Status
from kollega.core.services import consent_record
from kollega.evaluation import services
from kollega.evaluation.models import RoundKind
from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args  # noqa: F401 (fixtures)
from tests.factories import make_participant, make_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):  # type: ignore[no-untyped-def]
    return {**browser_context_args, "viewport": {"width": 320, "height": 720}}


def test_answering_on_a_phone(page: Page, live_server, assert_accessible) -> None:  # noqa: F811
    programme = make_programme()
    someone = make_participant(programme, Status.INTERVIEW_BOOKED, language="en")
    consent_record(participant=someone, item=ConsentItem.WELLBEING_QUESTIONNAIRE, given=True, actor=None)
    round = services.round_open(
        programme=programme,
        form=services.wellbeing_form_ensure(programme=programme),
        kind=RoundKind.BASELINE,
        participants=[someone],
        closes_at=timezone.now() + timedelta(days=14),
    )
    page.goto(live_server.url + services.questionnaire_path(round.invitations.get()))
    expect(page.get_by_role("heading", name="Well-being self-assessment")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)

    groups = page.locator("form.questionnaire fieldset")
    for index in range(groups.count()):
        # WHO-5 lists "Some of the time" fifth; the work scale's second point is "2".
        groups.nth(index).get_by_role("radio").nth(4 if index < 5 else 1).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you for your answers")).to_be_visible()
    expect(page.get_by_role("heading", name="Take care of yourself")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Ask the coordinator to contact me").click()
    expect(page.get_by_text("You have asked the coordinator to contact you.")).to_be_visible()
    assert_accessible(page)
