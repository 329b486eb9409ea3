from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kollega.core import services
from kollega.core.models import PositionRule
from tests.factories import make_organisation, make_programme


@pytest.mark.django_db
def test_template_gives_piloted_defaults_and_catalogue() -> None:
    programme = make_programme()
    assert programme.meeting_count == 5
    assert programme.meeting_interval_days == 21
    assert programme.meeting_length_minutes == 120
    assert (programme.group_size_min, programme.group_size_max) == (6, 12)
    assert programme.reminder_lead_hours == 48
    slots = list(programme.time_slots.all())
    assert [(s.key, s.start_time.hour, s.end_time.hour) for s in slots] == [("morning", 9, 11), ("afternoon", 13, 15)]
    themes = list(programme.themes.all())
    assert len(themes) == 7
    assert themes[0].position_rule == PositionRule.FIRST and not themes[0].is_rankable
    assert themes[0].title["en"].startswith("Getting to know each other")
    networks = next(t for t in themes if t.key == "networks")
    assert networks.position_rule == PositionRule.LAST
    assert {t.title["fi"] for t in themes} >= {"Yrittäjää tukevat verkostot"}
    assert programme.consent_texts.count() == 5


@pytest.mark.django_db
def test_every_value_can_be_changed_at_creation_and_after() -> None:
    org = make_organisation()
    programme = services.programme_create_from_template(
        organisation=org, title={"en": "Short"}, meeting_count=3, group_size_max=8
    )
    assert (programme.meeting_count, programme.group_size_max) == (3, 8)
    services.programme_update(programme=programme, actor=None, meeting_interval_days=14, capacity=30)
    programme.refresh_from_db()
    assert (programme.meeting_interval_days, programme.capacity) == (14, 30)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"group_size_min": 8, "group_size_max": 6}, "group_size_max"),
        ({"meeting_count": 0}, "meeting_count"),
        ({"languages": ["de"]}, "languages"),
        ({"title": {"fi": " "}}, "title"),
    ],
)
def test_wrong_settings_are_refused_and_nothing_is_stored(changes: dict, field: str) -> None:
    programme = make_programme()
    with pytest.raises(ValidationError) as info:
        services.programme_update(programme=programme, actor=None, **changes)
    assert field in info.value.error_dict
    programme.refresh_from_db()
    assert programme.meeting_count == 5 and programme.group_size_max == 12


@pytest.mark.django_db
def test_unknown_template_is_refused() -> None:
    with pytest.raises(ValidationError):
        services.programme_create_from_template(organisation=make_organisation(), title={"fi": "X"}, template_key="x")


@pytest.mark.django_db
def test_only_one_theme_can_come_first() -> None:
    programme = make_programme()
    with pytest.raises(ValidationError):
        services.theme_create(programme=programme, title={"fi": "Toinen alku"}, position_rule=PositionRule.FIRST)
    theme = services.theme_create(programme=programme, title={"fi": "Asiakkaat"})
    assert theme.key == "asiakkaat" and theme.is_rankable


@pytest.mark.django_db
def test_registration_window() -> None:
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    programme = make_programme(
        registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=1)
    )
    assert programme.registration_is_open()
    assert not programme.registration_is_open(now + timedelta(days=2))
    assert not programme.registration_is_open(now - timedelta(days=2))
    with pytest.raises(ValidationError):
        services.programme_update(programme=programme, actor=None, registration_closes_at=now - timedelta(days=5))
