"""Registration answers and published programmes for the API tests of issue 3."""

from __future__ import annotations

import itertools
from typing import Any

from kollega.core.models import Programme
from kollega.outreach import services as outreach_services
from kollega.outreach.models import Channel, ChannelKind

_seq = itertools.count(1)


def answers(programme: Programme, **overrides: Any) -> dict[str, Any]:
    """A complete, valid registration for the default form, as a JSON object keyed by question key."""
    n = next(_seq)
    rankable = [theme.key for theme in programme.themes.all() if theme.is_rankable]
    slot = programme.time_slots.order_by("position").first()
    assert slot is not None
    data: dict[str, Any] = {
        "name": f"Registrant {n}",
        "email": f"api-registrant{n}@example.org",
        "company_name": f"Toiminimi {n}",
        "industry": "M",
        "years_in_business": 4,
        "region": "Tampere",
        "company_size": "solo",
        "time_slots": [slot.key],
        "themes": rankable[:3],
        "expectations": "Peers who understand the solo life.",
        "privacy": True,
        "share_name": True,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def publish(programme: Programme) -> Programme:
    outreach_services.programme_page_update(
        programme=programme,
        actor=None,
        privacy_notice={"fi": "Tietojasi käytetään vain ohjelmaan.", "en": "Your data is used for the programme only."},
    )
    outreach_services.programme_page_publish(programme=programme, actor=None)
    return programme


def channel(programme: Programme, key: str, name: str = "") -> Channel:
    return outreach_services.channel_create(
        programme=programme,
        name={"fi": name or key, "en": name or key},
        kind=ChannelKind.NEWSLETTER,
        key=key,
        actor=None,
    )
