"""Changes to the programme page and the outreach channels. One service is one transaction."""

from __future__ import annotations

from typing import Any

from kollega.accounts.models import User
from kollega.core.models import Programme
from kollega.outreach.models import Channel, ProgrammePage


def programme_page_get_or_create(*, programme: Programme) -> ProgrammePage:
    """The programme's page, made with texts drawn from the programme's settings when it has none."""
    raise NotImplementedError


def programme_page_update(*, programme: Programme, actor: User | None, **texts: dict[str, str]) -> ProgrammePage:
    """Set page texts (names from ``PAGE_TEXT_FIELDS``, each ``{language: text}``)."""
    raise NotImplementedError


def programme_page_publish(*, programme: Programme, actor: User | None) -> ProgrammePage:
    raise NotImplementedError


def programme_page_unpublish(*, programme: Programme, actor: User | None) -> ProgrammePage:
    raise NotImplementedError


def channel_create(
    *, programme: Programme, name: dict[str, str], kind: str, key: str = "", actor: User | None
) -> Channel:
    """A new channel; ``key`` (the share link's tag) is made from the name when empty."""
    raise NotImplementedError


def channel_update(*, channel: Channel, actor: User | None, **fields: Any) -> Channel:
    """Change name, kind, active or position. The key of a channel that brought registrations stays."""
    raise NotImplementedError


def channel_delete(*, channel: Channel, actor: User | None) -> None:
    """Delete an unused channel; one that brought registrations can only be taken out of use."""
    raise NotImplementedError
