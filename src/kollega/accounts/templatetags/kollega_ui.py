"""Small helpers for the page shell (navigation state, the organisation line)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

register = template.Library()


@register.filter
def is_current(path: str, url: str) -> bool:
    """Whether the page at ``path`` belongs to the navigation item ``url``.

    A section's own pages count as current (``/programmes/5/`` for
    ``/programmes/``); the home page only matches itself.
    """
    if not url or not path:
        return False
    if url == "/":
        return path == "/"
    return path == url or path.startswith(url)


@register.simple_tag
def staff_organisations(roles: Any) -> list[Any]:
    """The organisations a staff member works for, each once, by name."""
    seen: dict[int, Any] = {}
    for organisation in [*getattr(roles, "coordinator_of", []), *getattr(roles, "facilitator_of", [])]:
        seen.setdefault(organisation.pk, organisation)
    return sorted(seen.values(), key=lambda org: org.name)


@register.simple_tag
def support_organisation(roles: Any) -> Any:
    """The organisation a participant should contact: the one running their newest programme."""
    participations = list(getattr(roles, "participations", []) or [])
    if not participations:
        return None
    newest = max(participations, key=lambda p: (p.programme.created_at, p.pk))
    return newest.programme.organisation


@register.simple_tag
def staff_mfa_required() -> bool:
    """Whether staff must use an authenticator app (always in production)."""
    return bool(getattr(settings, "KOLLEGA_STAFF_MFA_REQUIRED", False))
