"""The personal link to one questionnaire round: ``/q/<token>/``.

The token carries the invitation (its id, the round and the participant) signed
with the site's key and a salt of its own, so a link made for registration or
for another round never opens this one, and nothing secret is stored.
"""

from __future__ import annotations

from django.core import signing

from kollega.evaluation.models import RoundInvitation

SALT = "kollega.evaluation.round"
_SEPARATOR = "."
_MAX_LENGTH = 200


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=_SEPARATOR)


def round_token(invitation: RoundInvitation) -> str:
    return _signer().sign(f"{invitation.pk}-{invitation.round_id}-{invitation.participant_id}")


def invitation_from_token(token: str) -> RoundInvitation | None:
    """The invitation a link names, or None for a link that was altered or never made."""
    if not isinstance(token, str) or not token or len(token) > _MAX_LENGTH:
        return None
    try:
        invitation_id, round_id, participant_id = (int(part) for part in _signer().unsign(token).split("-"))
    except (signing.BadSignature, ValueError):
        return None
    return (
        RoundInvitation.objects.select_related(
            "round__programme__organisation", "round__form", "participant__user", "participant__programme"
        )
        .filter(pk=invitation_id, round_id=round_id, participant_id=participant_id)
        .first()
    )
