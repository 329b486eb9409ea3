"""The needs dashboard page: charts with their tables, the method, the empty state, who may see it."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollega.core.models import Role, Status, Theme
from tests.factories import make_organisation, make_participant, make_programme, make_staff
from tests.recruitment_coordinator.support import client_for, make_channel, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def dashboard():
    organisation = make_organisation()
    coordinator = make_staff(organisation)
    programme = make_programme(organisation)
    make_channel(programme, "lehti", "Paikallislehti")
    register(programme, themes=["goals", "networks"], channel_key="lehti", region="Tampere", years_in_business=1)
    register(programme, themes=["goals"], region="Oulu", time_slots=["morning", "afternoon"], heard_from="other")
    register(programme, themes=["networks", "goals", "recovery"], region="Tampere", industry="M")
    cancelled = register(programme, themes=["pricing-sales"])
    from kollega.recruitment.services import registration_cancel

    registration_cancel(participant=cancelled, reason="Changed my mind")
    return {"organisation": organisation, "coordinator": coordinator, "programme": programme}


def test_the_url_is_stable() -> None:
    assert reverse("recruitment:needs", args=[7]) == "/programmes/7/needs/"


def test_dashboard_shows_every_chart_with_its_table(dashboard) -> None:
    programme = dashboard["programme"]
    response = client_for(dashboard["coordinator"]).get(reverse("recruitment:needs", args=[programme.pk]))
    assert response.status_code == 200
    text = response.text
    svgs = re.findall(r"<svg[^>]*>", text)
    assert len(svgs) == 6
    assert all('role="img"' in svg and "aria-label=" in svg for svg in svgs)
    assert text.count("<title>") == 1 + 6  # the page's and one per chart
    for caption in (
        "Theme demand in numbers",
        "Time slots that suit, in numbers",
        "Industries in numbers",
        "Years in business in numbers",
        "Regions in numbers",
        "Channels in numbers",
    ):
        assert f"<caption>{caption}</caption>" in text
    # Every chart comes before its table.
    assert text.index('aria-label="Theme demand in Borda points.') < text.index("Theme demand in numbers")
    # The method in plain words, and who is counted.
    assert "A theme in first place gets 6 points, in second place 5" in text
    assert "except those who cancelled, were declined or withdrew" in text
    assert "Counted: 3 registrations." in text
    # goals: 6 + 6 + 5 = 17 points, ahead of networks: 5 + 6 = 11.
    assert re.search(r"Clarifying personal and business goals</a></th>\s*<td class=\"num\">17</td>", text)
    assert re.search(r"Networks supporting the entrepreneur</a></th>\s*<td class=\"num\">11</td>", text)
    assert text.index("Clarifying personal and business goals</a>") < text.index(
        "Networks supporting the entrepreneur</a>"
    )
    # The cancelled person's wish counts for nothing.
    assert re.search(
        r"Pricing, sales and marketing for a one-person business</a></th>\s*<td class=\"num\">0</td>", text
    )
    # The chart's text alternative carries the same numbers.
    assert "Clarifying personal and business goals: 17" in text
    # Each theme links to its page, where the coordinator orders the themes.
    goals = Theme.objects.get(programme=programme, key="goals")
    assert reverse("core:theme_edit", args=[programme.pk, goals.pk]) in text
    # Channels by name, "somewhere else" and "no channel".
    assert "Paikallislehti" in text and "Somewhere else" in text and "No channel" in text
    # Years in business in bands, "not told" included.
    for band in ("Under 2 years", "2–5 years", "6–10 years", "Over 10 years"):
        assert band in text
    # Chart element ids do not clash with each other on the page.
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert len(ids) == len(set(ids))


def test_the_charts_text_stays_text(dashboard) -> None:
    response = client_for(dashboard["coordinator"]).get(reverse("recruitment:needs", args=[dashboard["programme"].pk]))
    chart = response.text[response.text.index("<svg") : response.text.index("</svg>")]
    assert "<text" in chart and "Clarifying personal and business goals" in chart
    assert "<metadata" not in chart and "<?xml" not in response.text


def test_an_empty_programme_gets_a_friendly_empty_state() -> None:
    organisation = make_organisation()
    programme = make_programme(organisation)
    make_participant(programme, Status.CANCELLED)
    response = client_for(make_staff(organisation)).get(reverse("recruitment:needs", args=[programme.pk]))
    assert response.status_code == 200
    assert "There are no registrations to count yet." in response.text
    assert "<svg" not in response.text


def test_htmx_gets_only_the_numbers(dashboard) -> None:
    url = reverse("recruitment:needs", args=[dashboard["programme"].pk])
    response = client_for(dashboard["coordinator"]).get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="needs-body"')
    assert "<html" not in response.text
    assert 'hx-trigger="every 60s' in response.text
    assert "HX-Request" in response["Vary"]


def test_dashboard_queries_do_not_grow_with_registrations(dashboard) -> None:
    programme = dashboard["programme"]
    client = client_for(dashboard["coordinator"])
    url = reverse("recruitment:needs", args=[programme.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(15):
        register(programme, channel_key="lehti", region=f"Town {n}", industry="C", time_slots=["afternoon"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "Counted: 18 registrations." in response.text
    assert len(many) == len(few)
    assert len(many) <= 12  # session, user, roles, the programme, and five for the summary


def test_only_the_programmes_coordinators_see_it(dashboard) -> None:
    url = reverse("recruitment:needs", args=[dashboard["programme"].pk])
    other_org = make_organisation()
    for user in (make_staff(other_org), make_staff(dashboard["organisation"], Role.FACILITATOR)):
        assert client_for(user).get(url).status_code == 404
    signed_out = Client().get(url)
    assert signed_out.status_code == 302 and "/accounts/login/" in signed_out["Location"]
    elsewhere = make_programme(other_org)
    assert (
        client_for(dashboard["coordinator"]).get(reverse("recruitment:needs", args=[elsewhere.pk])).status_code == 404
    )


def test_theme_titles_with_markup_are_shown_as_text(dashboard) -> None:
    programme = dashboard["programme"]
    Theme.objects.filter(programme=programme, key="goals").update(title={"en": "<script>alert(1)</script> $5 & up"})
    response = client_for(dashboard["coordinator"]).get(reverse("recruitment:needs", args=[programme.pk]))
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; $5 &amp; up" in response.text
