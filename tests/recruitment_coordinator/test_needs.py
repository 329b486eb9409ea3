"""The needs summary: Borda points, first choices, top three, and the background counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kollega.core.models import Status
from kollega.recruitment.needs import borda_points, needs_summary, year_band
from tests.factories import make_participant, make_programme
from tests.recruitment_coordinator.support import make_channel, register

pytestmark = pytest.mark.django_db

# The template's rankable themes, in catalogue order (the first theme is always first and not ranked).
RANKABLE = ["goals", "work-and-time", "operating-environment", "networks", "recovery", "pricing-sales"]


def test_borda_points_of_one_partial_ranking() -> None:
    assert borda_points(ranking=["networks", "goals"], rankable=RANKABLE) == {"networks": 6, "goals": 5}
    # Unknown and repeated keys are dropped before the places are counted.
    assert borda_points(ranking=["gone", "goals", "goals", "recovery"], rankable=RANKABLE) == {
        "goals": 6,
        "recovery": 5,
    }
    assert borda_points(ranking=[], rankable=RANKABLE) == {}


def test_theme_demand_on_a_hand_made_example() -> None:
    programme = make_programme()
    # Six rankable themes: first place 6 points, second 5, third 4, fourth 3, …
    make_participant(programme, theme_ranking=["goals", "networks", "recovery"])
    make_participant(programme, theme_ranking=["networks", "goals"])
    make_participant(programme, theme_ranking=["networks"])
    make_participant(programme, theme_ranking=["work-and-time", "pricing-sales", "recovery", "goals"])
    make_participant(programme, theme_ranking=[])  # counted, but ranked nothing
    # Cancelled and declined people are not counted at all.
    make_participant(programme, Status.CANCELLED, theme_ranking=["pricing-sales"])
    make_participant(programme, Status.DECLINED, theme_ranking=["pricing-sales"])

    summary = needs_summary(programme=programme)

    assert summary.respondents == 5
    assert summary.rankings == 4
    assert summary.rankable_themes == 6
    by_key = {t.key: t for t in summary.themes}
    # goals: 6 + 5 + 3 = 14; networks: 5 + 6 + 6 = 17; recovery: 4 + 4 = 8;
    # work-and-time: 6; pricing-sales: 5; operating-environment: 0.
    assert {k: t.borda for k, t in by_key.items()} == {
        "networks": 17,
        "goals": 14,
        "recovery": 8,
        "work-and-time": 6,
        "pricing-sales": 5,
        "operating-environment": 0,
    }
    assert by_key["networks"].first_choices == 2 and by_key["goals"].first_choices == 1
    assert by_key["work-and-time"].first_choices == 1 and by_key["recovery"].first_choices == 0
    assert by_key["goals"].top_three == 2  # fourth place in the last ranking is not top three
    assert by_key["recovery"].top_three == 2
    assert by_key["goals"].rankings == 3
    assert [t.key for t in summary.themes] == [
        "networks",
        "goals",
        "recovery",
        "work-and-time",
        "pricing-sales",
        "operating-environment",
    ]
    assert all(t.pk for t in summary.themes)
    assert "getting-to-know" not in by_key


def test_ties_go_to_first_choices_then_to_the_catalogue_order() -> None:
    programme = make_programme()
    make_participant(programme, theme_ranking=["recovery", "goals"])  # recovery 6, goals 5
    make_participant(programme, theme_ranking=["work-and-time", "goals", "recovery"])  # goals 5, recovery 4
    make_participant(programme, theme_ranking=["goals"])  # goals 6 → goals 16 with 1 first choice
    make_participant(programme, theme_ranking=["recovery", "pricing-sales"])  # recovery 16 with 2 first choices
    summary = needs_summary(programme=programme)
    assert [(t.key, t.borda, t.first_choices) for t in summary.themes[:2]] == [
        ("recovery", 16, 2),
        ("goals", 16, 1),
    ]
    zeros = [t.key for t in summary.themes if t.borda == 0]
    assert zeros == ["operating-environment", "networks"]  # the catalogue's order


def test_background_counts() -> None:
    programme = make_programme()
    morning, afternoon = programme.time_slots.order_by("position", "start_time")
    make_participant(programme, time_slots=[morning], industry="J", years_in_business=0, region="Tampere")
    make_participant(programme, time_slots=[morning, afternoon], industry="J", years_in_business=2, region="tampere ")
    make_participant(programme, time_slots=[afternoon], industry="M", years_in_business=5, region="Oulu")
    make_participant(programme, industry="", years_in_business=6)
    make_participant(programme, industry="M", years_in_business=11)
    make_participant(programme, Status.CANCELLED, industry="A")
    summary = needs_summary(programme=programme)

    assert [(c.key, c.count) for c in summary.time_slots] == [("morning", 2), ("afternoon", 2), ("", 2)]
    assert [(c.key, c.count) for c in summary.time_slots_only[:2]] == [("morning", 1), ("afternoon", 1)]
    assert [(c.key, c.count) for c in summary.industries] == [("J", 2), ("M", 2), ("", 1)]
    assert summary.industries[0].label.startswith("J ")
    assert [(c.key, c.count) for c in summary.years_in_business] == [
        ("under-2", 1),
        ("2-5", 2),
        ("6-10", 1),
        ("over-10", 1),
        ("", 0),
    ]
    # "Tampere" and "tampere " are one region; the label is the spelling people used.
    assert [(c.label, c.count) for c in summary.regions] == [("Tampere", 2), ("Oulu", 1), ("Not told", 2)]


def test_years_in_business_bands() -> None:
    assert [year_band(y) for y in (None, 0, 1, 2, 5, 6, 10, 11, 40)] == [
        "",
        "under-2",
        "under-2",
        "2-5",
        "2-5",
        "6-10",
        "6-10",
        "over-10",
        "over-10",
    ]


def test_regions_show_the_top_ten_and_sum_the_rest() -> None:
    programme = make_programme()
    for n in range(12):
        for _ in range(12 - n):
            make_participant(programme, region=f"Town {n:02d}")
    summary = needs_summary(programme=programme)
    assert len(summary.regions) == 11
    assert summary.regions[0].label == "Town 00" and summary.regions[0].count == 12
    assert summary.regions[-1].label == "Others" and summary.regions[-1].count == 2 + 1


def test_channels_from_links_answers_and_nowhere() -> None:
    programme = make_programme()
    make_channel(programme, "yrittajat", "Yrittäjäjärjestö")
    make_channel(programme, "lehti", "Paikallislehti")
    register(programme, channel_key="yrittajat")
    register(programme, channel_key="yrittajat")
    register(programme, heard_from="lehti")  # named in "where did you hear of us"
    register(programme, heard_from="other")
    register(programme)
    summary = needs_summary(programme=programme)
    assert [(c.label, c.count) for c in summary.channels] == [
        ("Yrittäjäjärjestö", 2),
        ("Paikallislehti", 1),
        ("Somewhere else", 1),
        ("No channel", 1),
    ]


def test_an_empty_programme_is_empty() -> None:
    summary = needs_summary(programme=make_programme())
    assert summary.is_empty and summary.rankings == 0
    assert all(t.borda == 0 for t in summary.themes)


def test_summary_queries_do_not_grow_with_registrations() -> None:
    programme = make_programme()
    make_channel(programme, "lehti", "Paikallislehti")
    for _ in range(3):
        register(programme, channel_key="lehti")
    with CaptureQueriesContext(connection) as few:
        needs_summary(programme=programme)
    for _ in range(20):
        register(programme, time_slots=["morning", "afternoon"])
    with CaptureQueriesContext(connection) as many:
        summary = needs_summary(programme=programme)
    assert summary.respondents == 23
    assert len(many) == len(few) <= 6
