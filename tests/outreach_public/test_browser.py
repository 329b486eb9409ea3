"""In real Chromium on a phone-sized screen: from a channel's share link to a registration the coordinator sees."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from kollega.accounts.services import sign_in_link_make
from kollega.core.models import Participant, Role, Status
from kollega.outreach.models import ChannelKind
from kollega.outreach.services import channel_create
from tests.factories import make_organisation, make_programme, make_staff
from tests.outreach_public.conftest import page_url, publish, register_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_entrepreneur_registers_on_a_phone_from_a_partners_link(page: Page, live_server, assert_accessible):
    organisation = make_organisation("Seudun Yrityspalvelut")
    coordinator = make_staff(organisation, Role.COORDINATOR)
    programme = publish(
        make_programme(organisation, registration_closes_at=timezone.now() + timezone.timedelta(days=20))
    )
    channel_create(
        programme=programme,
        name={"fi": "Kumppaniverkosto", "en": "Partner network"},
        kind=ChannelKind.PARTNER_NETWORK,
        key="kumppanit",
        actor=None,
    )

    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(live_server.url + page_url(programme) + "?c=kumppanit")
    expect(page.get_by_role("heading", level=1)).to_have_text(programme.name)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    page.get_by_role("link", name="Register").click()

    # Step 1, first sent empty: the errors show beside the fields and in a summary.
    expect(page.get_by_text("Step 1 of 4")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator("#id_name_error")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    page.get_by_label("Your name").fill("Aino Aaltonen")
    page.get_by_label("Email address").fill("aino@example.org")
    page.get_by_label("Name of your business").fill("Aaltosen Ateljee")
    industry = page.get_by_label("Your business's industry")
    industry.select_option(label="Professional, scientific and technical activities")
    page.get_by_role("button", name="Continue").click()

    # Step 2.
    expect(page.get_by_text("Step 2 of 4")).to_be_visible()
    page.get_by_label("How many years have you been in business?").fill("4")
    page.get_by_label("Municipality or region where your business works").fill("Kuopio")
    page.get_by_label("Solo entrepreneur (just me)").check()
    page.get_by_label(re.compile("Morning 09:00")).check()
    # Back and forth: nothing typed is lost.
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_label("Your name")).to_have_value("Aino Aaltonen")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Municipality or region where your business works")).to_have_value("Kuopio")
    page.get_by_role("button", name="Continue").click()

    # Step 3: put themes in order, say where the word came from, agree to the privacy notice.
    expect(page.get_by_text("Step 3 of 4")).to_be_visible()
    page.get_by_label("Choice 1", exact=True).select_option(label="Clarifying personal and business goals")
    page.get_by_label("Choice 2", exact=True).select_option(label="Networks supporting the entrepreneur")
    page.get_by_label("What do you hope to get from the peer group?").fill("Vertaistukea ja ideoita.")
    page.get_by_label("Partner network").check()
    page.get_by_label(re.compile("I have read the privacy notice")).check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_text("Step 4 of 4")).to_be_visible()
    page.get_by_label("My name may be shown to the members of my group.").check()
    page.get_by_role("button", name="Send the registration").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are registered")
    assert_accessible(page)
    participant = Participant.objects.get(programme=programme, user__email="aino@example.org")
    assert participant.status == Status.REGISTERED
    assert participant.registration.channel.key == "kumppanit"

    # The coordinator finds the confirmation in the outbox and the registration under its channel.
    page.goto(live_server.url + sign_in_link_make(user=coordinator))
    page.goto(live_server.url + reverse("notifications:outbox"))
    expect(page.get_by_role("cell", name=re.compile("aino@example.org")).first).to_be_visible()
    page.goto(live_server.url + reverse("recruitment:needs", args=[programme.pk]))
    channels = page.get_by_role("table", name="Channels in numbers")
    row = channels.get_by_role("row", name=re.compile("Partner network"))
    expect(row.get_by_role("cell").first).to_have_text("1")


def test_a_conditional_question_appears_when_its_answer_is_given(page: Page, live_server, assert_accessible):
    from kollega.recruitment.selectors import registration_form
    from kollega.surveys.models import QuestionType
    from kollega.surveys.services import question_add, questions_reorder

    programme = publish(make_programme(make_organisation()))
    form = registration_form(programme=programme)
    assert form is not None
    question_add(
        form=form,
        key="wants_call",
        type=QuestionType.YES_NO,
        text={"en": "Would you like a phone call before the interview?"},
    )
    question_add(
        form=form,
        key="call_time",
        type=QuestionType.SHORT_TEXT,
        required=True,
        text={"en": "When is a good time to call?"},
        show_if={"question": "wants_call", "equals": "yes"},
    )
    keys = list(form.questions.order_by("position").values_list("key", flat=True))
    questions_reorder(form=form, keys=["wants_call", "call_time", *keys[:-2]])  # onto the first step

    page.goto(live_server.url + register_url(programme))
    question = page.get_by_label("When is a good time to call?")
    expect(question).to_be_hidden()
    page.get_by_label("Yes").check()
    expect(question).to_be_visible()
    assert_accessible(page)
    page.get_by_label("No").check()
    expect(question).to_be_hidden()
    assert_accessible(page)


def test_the_poster_and_the_privacy_notice_are_accessible(page: Page, live_server, assert_accessible):
    programme = publish(make_programme(make_organisation()))
    page.goto(live_server.url + page_url(programme) + "poster/")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert page.evaluate("document.querySelector('.poster-qr').naturalWidth") > 0
    assert_accessible(page)
    page.goto(live_server.url + page_url(programme) + "privacy/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    assert_accessible(page)


def test_the_personal_link_pages_are_accessible_on_a_phone(page: Page, live_server, assert_accessible):
    from kollega.recruitment.services import registration_cancel, registration_submit
    from kollega.recruitment.tokens import manage_token
    from tests.recruitment.factories import answers

    programme = publish(make_programme(make_organisation(), capacity=1))
    first = registration_submit(programme=programme, raw=answers(programme), language="en").participant
    waiting = registration_submit(programme=programme, raw=answers(programme), language="en").participant
    registration_cancel(participant=first)  # the place is offered to the one waiting
    page.set_viewport_size({"width": 320, "height": 640})
    token = manage_token(waiting)
    for path in (
        reverse("public:manage", args=[token]),
        reverse("public:offer", args=[token]),
        reverse("public:cancel", args=[token]),
        reverse("public:manage", args=[manage_token(first)]),
        "/r/not-a-token/",
    ):
        page.goto(live_server.url + path)
        expect(page.locator("main h1")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        assert_accessible(page)
    page.goto(live_server.url + reverse("public:offer", args=[token]))
    page.get_by_role("button", name="Decline the place").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decline the place?")
    assert_accessible(page)
