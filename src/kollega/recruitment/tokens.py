"""The personal links in registration emails: view or cancel a registration, answer an offer.

A link carries the participant's id signed with the secret key, so nothing
secret is stored; ``manage_token`` and ``participant_from_token`` are the whole API.
"""

from __future__ import annotations

from kollega.core.models import Participant


def manage_token(participant: Participant) -> str:
    raise NotImplementedError


def participant_from_token(token: str) -> Participant | None:
    """The participant a link names, or None for a link that was altered or never made."""
    raise NotImplementedError
