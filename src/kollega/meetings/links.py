"""Video links: Jitsi rooms made by Kollega, or links the staff paste (Zoom, Teams, anything).

A room's name is unguessable (96 random bits), so nobody finds a group's room
by trying names. Pasted links must be ``https`` addresses with a host; they
are shown and sent as they are.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from kollega.core.models import LinkScope, Organisation, VideoLinks

LINK_MAX = 500


def jitsi_room(organisation: Organisation) -> str:
    """A new room on the organisation's Jitsi server."""
    base = (organisation.jitsi_url or "https://meet.jit.si").rstrip("/")
    return f"{base}/{organisation.slug.replace('-', '')[:20].capitalize()}{secrets.token_hex(12)}"


def clean_link(value: str) -> str:
    """A pasted video link, or a ValidationError saying what is wrong with it."""
    link = (value or "").strip()
    if not link:
        return ""
    if len(link) > LINK_MAX:
        raise ValidationError(_("The link is longer than %(max)s characters.") % {"max": LINK_MAX})
    parts = urlsplit(link)
    if parts.scheme.lower() != "https":
        raise ValidationError(
            _("Paste the whole meeting link, starting with https:// (for example https://zoom.us/j/123456789).")
        )
    try:
        URLValidator(schemes=["https"])(link)
    except ValidationError:
        raise ValidationError(
            _("This is not a working web address. Copy the meeting link again and paste it here.")
        ) from None
    return link


def makes_rooms(organisation: Organisation) -> bool:
    return organisation.video_links == VideoLinks.JITSI


def per_meeting(organisation: Organisation) -> bool:
    return organisation.link_scope == LinkScope.MEETING
