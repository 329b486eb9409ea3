"""Reads for outreach. Callers have checked access to the programme."""

from __future__ import annotations

from kollega.core.models import Organisation, Programme
from kollega.outreach.models import Channel


def programme_public_get(*, organisation_slug: str, programme_slug: str) -> Programme | None:
    """A programme by its public address (whether published is the caller's question)."""
    raise NotImplementedError


def channel_list(*, programme: Programme, include_inactive: bool = True) -> list[Channel]:
    raise NotImplementedError


def share_url(*, programme: Programme, channel: Channel | None = None) -> str:
    """The absolute address of the programme page, tagged with the channel."""
    raise NotImplementedError


__all__ = ["Organisation", "channel_list", "programme_public_get", "share_url"]
