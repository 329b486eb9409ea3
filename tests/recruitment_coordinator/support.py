"""Registrations made as the product makes them: through ``registration_submit``."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from django.test import Client

from kollega.accounts.models import User
from kollega.core.models import Participant, Programme
from kollega.outreach.models import Channel, ChannelKind
from kollega.outreach.services import channel_create
from kollega.recruitment.services import registration_submit

_seq = itertools.count(1)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_channel(programme: Programme, key: str, name: str, kind: str = ChannelKind.PARTNER_NETWORK) -> Channel:
    return channel_create(programme=programme, name={"fi": name, "en": name}, kind=kind, key=key, actor=None)


def register(
    programme: Programme,
    *,
    name: str = "",
    channel_key: str = "",
    at: datetime | None = None,
    language: str = "en",
    **answers: Any,
) -> Participant:
    """One registration through the registration form's rules; ``answers`` override the defaults."""
    n = next(_seq)
    raw: dict[str, Any] = {
        "name": name or f"Registrant {n}",
        "email": f"registrant{n}@example.org",
        "company_name": f"Company {n} Oy",
        "industry": "J",
        "years_in_business": 3,
        "region": "Tampere",
        "company_size": "solo",
        "time_slots": ["morning"],
        "themes": ["goals", "work-and-time", "networks"],
        "privacy": True,
    }
    raw.update(answers)
    raw = {key: value for key, value in raw.items() if value is not None}
    outcome = registration_submit(
        programme=programme,
        raw=raw,
        language=language,
        channel_key=channel_key,
        notify=False,
        check_window=False,
        at=at,
    )
    return outcome.participant
