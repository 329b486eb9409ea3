"""The personal links in registration emails: view or cancel a registration, answer an offer.

A link carries the participant's id signed with the secret key, so nothing
secret is stored; ``manage_token`` and ``participant_from_token`` are the whole API.
"""

from __future__ import annotations

from django.core import signing

from kollega.core.models import Participant

#: A value signed for anything else (a session, a demo link) never opens a registration.
SALT = "kollega.recruitment.manage"
# "." is outside the URL-safe base64 alphabet, so the token needs no escaping in a path.
_SEPARATOR = "."
#: Longer input is not a token we made; refuse it before doing any work.
_MAX_LENGTH = 200


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=_SEPARATOR)


def manage_token(participant: Participant) -> str:
    # The user id is signed too, so a reused row id (SQLite may reuse one) never opens another person's registration.
    return _signer().sign(f"{participant.pk}-{participant.user_id}")


def participant_from_token(token: str) -> Participant | None:
    """The participant a link names, or None for a link that was altered or never made."""
    if not isinstance(token, str) or not token or len(token) > _MAX_LENGTH:
        return None
    try:
        value = _signer().unsign(token)
        participant_id, user_id = (int(part) for part in value.split("-"))
    except (signing.BadSignature, ValueError):
        return None
    return (
        Participant.objects.select_related("programme__organisation", "user")
        .filter(pk=participant_id, user_id=user_id)
        .first()
    )
