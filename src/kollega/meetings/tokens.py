"""Signed links of the meetings: "can't come this time" and "test your set-up".

Each carries only ids, signed with the site's key and a salt of its own, so a
link made for one purpose never opens another and nothing secret is stored.
"""

from __future__ import annotations

from django.core import signing

ABSENCE_SALT = "kollega.meetings.absence"
SETUP_SALT = "kollega.meetings.setup-test"
_MAX_LENGTH = 200


def _signer(salt: str) -> signing.Signer:
    return signing.Signer(salt=salt, sep=".")


def absence_token(meeting_id: int, participant_id: int) -> str:
    return _signer(ABSENCE_SALT).sign(f"{meeting_id}-{participant_id}")


def absence_from_token(token: str) -> tuple[int, int] | None:
    """(meeting id, participant id), or None for a link that was altered or never made."""
    if not isinstance(token, str) or not token or len(token) > _MAX_LENGTH:
        return None
    try:
        meeting_id, participant_id = (int(part) for part in _signer(ABSENCE_SALT).unsign(token).split("-"))
    except (signing.BadSignature, ValueError):
        return None
    return meeting_id, participant_id


def setup_test_token(group: object, user_id: int) -> str:
    """The "test your set-up" link of one person in one group: it opens only while they belong to it."""
    return _signer(SETUP_SALT).sign(f"{getattr(group, 'pk', group)}-{user_id}")


def setup_from_token(token: str) -> tuple[int, int] | None:
    """(group id, user id), or None for a link that was altered or never made."""
    if not isinstance(token, str) or not token or len(token) > _MAX_LENGTH:
        return None
    try:
        group_id, user_id = (int(part) for part in _signer(SETUP_SALT).unsign(token).split("-"))
    except (signing.BadSignature, ValueError):
        return None
    return group_id, user_id
