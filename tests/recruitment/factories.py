"""Registration answers as a registrant sends them, made to fit a programme's default form."""

from __future__ import annotations

import itertools
from typing import Any

from kollega.core.models import Programme
from kollega.notifications.models import Notification
from kollega.outreach.models import Channel, ChannelKind

_seq = itertools.count(1)


def answers(programme: Programme, **overrides: Any) -> dict[str, Any]:
    """A complete, valid registration for the default form (a JSON object keyed by question key)."""
    n = next(_seq)
    rankable = [theme.key for theme in programme.themes.all() if theme.is_rankable]
    data: dict[str, Any] = {
        "name": f"Registrant {n}",
        "email": f"registrant{n}@example.org",
        "phone": "+358 40 123 4567",
        "company_name": f"Toiminimi {n}",
        "industry": "M",
        "years_in_business": 3,
        "region": "Tampere",
        "company_size": "solo",
        "gender": "woman",
        "time_slots": [programme.time_slots.order_by("position").first().key],  # type: ignore[union-attr]
        "themes": rankable[:3],
        "other_topics": "",
        "expectations": "Peers who understand the solo life.",
        "privacy": True,
        "share_name": True,
        "share_company": False,
        "share_email": True,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_channel(programme: Programme, key: str, name: str = "", active: bool = True) -> Channel:
    return Channel.objects.create(
        programme=programme,
        key=key,
        kind=ChannelKind.PARTNER_NETWORK,
        name={"fi": name or key, "en": name or key},
        active=active,
    )


def outbox(kind: str = "", recipient: str = "") -> list[Notification]:
    """The stored messages, oldest first, of one kind and/or to one address."""
    rows = Notification.objects.order_by("id")
    if kind:
        rows = rows.filter(kind=kind)
    if recipient:
        rows = rows.filter(recipient=recipient.lower())
    return list(rows)
