"""A published programme to register for, and a registrant who walks through the steps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollega.core.models import Programme
from kollega.core.services import organisation_update
from kollega.outreach import services as outreach_services
from kollega.outreach.registration_steps import HONEYPOT_FIELD, Wizard, bound_data
from kollega.recruitment.selectors import registration_form

# The browser tests here use the Chromium and axe-core fixtures of tests/browser/.
from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args  # noqa: F401
from tests.factories import make_organisation, make_programme

PRIVACY = {
    "fi": "Käsittelemme tietojasi vain ohjelman järjestämiseksi.",
    "en": "We use your data only to run the programme.",
}


def publish(programme: Programme) -> Programme:
    outreach_services.programme_page_update(
        programme=programme,
        actor=None,
        privacy_notice=PRIVACY,
        summary={"fi": "Vertaisryhmä yksinyrittäjille.", "en": "A peer group for solo entrepreneurs."},
        cost={"fi": "Maksuton.", "en": "Free of charge."},
    )
    outreach_services.programme_page_publish(programme=programme, actor=None)
    return programme


@pytest.fixture
def organisation(db: None) -> Any:
    organisation = make_organisation("Testikylän Yrityspalvelut")
    return organisation_update(
        organisation=organisation,
        actor=None,
        support_email="tuki@testikyla.example.org",
        support_phone="+358 40 765 4321",
    )


@pytest.fixture
def programme(organisation: Any) -> Programme:
    now = timezone.now()
    programme = make_programme(
        organisation,
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=30),
    )
    return publish(programme)


def register_url(programme: Programme) -> str:
    return reverse("public:register", args=[programme.organisation.slug, programme.slug])


def page_url(programme: Programme) -> str:
    return reverse("public:programme", args=[programme.organisation.slug, programme.slug])


def wizard(programme: Programme) -> Wizard:
    form = registration_form(programme=programme)
    assert form is not None
    return Wizard.build(form, "en")


def step_post(
    programme: Programme, answers: dict[str, Any], index: int, started: str, *, action: str = "next", **extra: str
) -> dict[str, Any]:
    """What a browser posts for step ``index`` (0-based) with these answers."""
    data = bound_data(wizard(programme).steps[index], answers)
    data["step"] = str(index + 1)
    data["started"] = started
    data["action"] = action
    for key, value in extra.items():
        data[key] = value
    return data


def walk(client: Client, programme: Programme, answers: dict[str, Any], *, query: str = "", honeypot: str = "") -> Any:
    """Open the form and send every step; returns the last response (not followed)."""
    url = register_url(programme)
    response = client.get(url + query)
    assert response.status_code == 200, response.content[:500]
    started = response.context["state_id"]
    action = response.context["action_url"]  # where the page's form posts (it carries a share link's channel)
    steps = wizard(programme).steps
    for index in range(len(steps)):
        extra = {HONEYPOT_FIELD: honeypot} if honeypot else {}
        response = client.post(action if index == 0 else url, step_post(programme, answers, index, started, **extra))
        if index < len(steps) - 1:
            assert response.status_code == 302, response.content.decode()[:3000]
    return response
