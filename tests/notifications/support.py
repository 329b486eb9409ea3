"""Helpers shared by the notification tests."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from kollega.core.models import Participant

TEMPLATES = Path(__file__).parent / "templates"

NEWS = "tests.programme_news"
CODE = "tests.sign_in_code"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def news_kwargs(participant: Participant, **overrides: Any) -> dict[str, Any]:
    """The arguments of a programme-news message to one participant."""
    programme = participant.programme
    values: dict[str, Any] = {
        "kind": NEWS,
        "recipient": participant.user.email,
        "recipient_user": participant.user,
        "organisation": programme.organisation,
        "subject": programme,
        "language": participant.language,
        "context": {
            "programme_id": programme.pk,
            "programme_title": programme.name,
            "news": "The first meeting is on Tuesday & it starts at nine.",
        },
    }
    values.update(overrides)
    return values
