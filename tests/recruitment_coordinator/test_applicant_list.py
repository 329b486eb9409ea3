"""The applicant list: filters by industry, channel and theme wish, in the address, with counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollega.core.models import Status
from tests.factories import make_organisation, make_participant, make_programme, make_staff
from tests.recruitment_coordinator.support import client_for, make_channel, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing():
    organisation = make_organisation()
    coordinator = make_staff(organisation)
    programme = make_programme(organisation)
    make_channel(programme, "yrittajat", "Yrittäjäjärjestö")
    make_channel(programme, "lehti", "Paikallislehti")
    register(programme, name="Aino Aamu", industry="I", channel_key="yrittajat", themes=["networks", "goals"])
    register(
        programme,
        name="Bertta Ilta",
        industry="J",
        heard_from="lehti",
        themes=["goals", "work-and-time", "recovery", "networks"],
        time_slots=["afternoon"],
    )
    register(programme, name="Cecilia Kesä", industry="J", themes=["recovery"], heard_from="other")
    make_participant(programme, Status.INTERVIEWED, full_name="Daniel Staff", industry="I")
    return {"client": client_for(coordinator), "programme": programme}


def names(response) -> list[str]:
    return [n for n in ("Aino Aamu", "Bertta Ilta", "Cecilia Kesä", "Daniel Staff") if n in response.text]


def test_industry_filter(listing) -> None:
    url = reverse("core:participant_list", args=[listing["programme"].pk])
    response = listing["client"].get(url, {"industry": "J"})
    assert names(response) == ["Bertta Ilta", "Cecilia Kesä"]
    assert "2 participants of 4 match the filters." in response.text


def test_channel_filter_and_no_channel(listing) -> None:
    url = reverse("core:participant_list", args=[listing["programme"].pk])
    assert names(listing["client"].get(url, {"channel": "yrittajat"})) == ["Aino Aamu"]
    # Named in "where did you hear of us" counts for the channel too.
    assert names(listing["client"].get(url, {"channel": "lehti"})) == ["Bertta Ilta"]
    assert names(listing["client"].get(url, {"channel": "-"})) == ["Cecilia Kesä", "Daniel Staff"]


def test_theme_filter_looks_at_the_first_three_wishes(listing) -> None:
    url = reverse("core:participant_list", args=[listing["programme"].pk])
    # Bertta ranked networks fourth: not among her first three.
    assert names(listing["client"].get(url, {"theme": "networks"})) == ["Aino Aamu"]
    assert names(listing["client"].get(url, {"theme": "recovery"})) == ["Bertta Ilta", "Cecilia Kesä"]


def test_filters_combine_and_stay_in_the_address(listing) -> None:
    url = reverse("core:participant_list", args=[listing["programme"].pk])
    response = listing["client"].get(
        url, {"industry": "J", "theme": "goals", "time_slot": "afternoon", "order": "-name"}
    )
    assert names(response) == ["Bertta Ilta"]
    # The form shows what was chosen, so the page can be bookmarked and shared.
    assert '<option value="J" selected>' in response.text
    assert '<option value="goals" selected>' in response.text
    assert "Clear filters" in response.text
    assert names(listing["client"].get(url, {"status": Status.INTERVIEWED, "industry": "I"})) == ["Daniel Staff"]


def test_the_table_shows_channel_and_top_wishes(listing) -> None:
    response = listing["client"].get(reverse("core:participant_list", args=[listing["programme"].pk]))
    assert "4 participants" in response.text
    text = response.text
    row = text[text.index("Aino Aamu") : text.index("Bertta Ilta")]
    assert "Yrittäjäjärjestö" in row
    assert row.index("Networks supporting the entrepreneur") < row.index("Clarifying personal and business goals")
    bertta = text[text.index("Bertta Ilta") : text.index("Cecilia Kesä")]
    assert "Paikallislehti" in bertta
    assert "Recovery and boundaries" in bertta and "Networks supporting" not in bertta  # only the first three
    assert reverse("recruitment:needs", args=[listing["programme"].pk]) in text


def test_an_unknown_filter_value_is_explained_not_a_server_error(listing) -> None:
    url = reverse("core:participant_list", args=[listing["programme"].pk])
    response = listing["client"].get(url, {"industry": "Ö", "theme": "nope", "channel": "x" * 500})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert names(response) == ["Aino Aamu", "Bertta Ilta", "Cecilia Kesä", "Daniel Staff"]


def test_nobody_matches(listing) -> None:
    url = reverse("core:participant_list", args=[listing["programme"].pk])
    response = listing["client"].get(url, {"industry": "A"})
    assert "Nobody matches these filters." in response.text
    assert "Excel (XLSX)" not in response.text


def test_list_queries_do_not_grow_with_registrations(listing) -> None:
    programme = listing["programme"]
    url = reverse("core:participant_list", args=[programme.pk])
    params = {"theme": "goals"}
    listing["client"].get(url, params)
    with CaptureQueriesContext(connection) as few:
        listing["client"].get(url, params)
    for _ in range(12):
        register(programme, channel_key="lehti", themes=["goals", "networks", "recovery"])
    with CaptureQueriesContext(connection) as many:
        response = listing["client"].get(url, params)
    assert "14 participants of 16 match the filters." in response.text
    assert len(many) == len(few)
