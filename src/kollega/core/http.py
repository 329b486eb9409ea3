from __future__ import annotations

import hashlib
import ipaddress

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest

from kollega.accounts.models import User


class AuthedHttpRequest(HttpRequest):
    """A request behind ``login_required``: its user is a real account."""

    user: User  # type: ignore[assignment]


def client_ip(request: HttpRequest) -> str:
    """The visitor's address, read as sign-in's rate limits read it (behind KOLLEGA_TRUSTED_PROXIES proxies).

    A forwarded-for header shorter than the trusted proxy chain counts the
    nearest hop; anything that is not an IP address becomes "unknown".
    """
    from allauth.account.adapter import get_adapter

    try:
        candidate = get_adapter(request).get_client_ip(request)
    except (ImproperlyConfigured, PermissionDenied):
        candidate = ""
    for value in (candidate, request.META.get("REMOTE_ADDR", "")):
        try:
            return str(ipaddress.ip_address(str(value).strip()))
        except ValueError:
            continue
    return "unknown"


def asked_too_often(request: HttpRequest, *, scope: str, limit: int, window_seconds: int) -> bool:
    """Count one request from this visitor's network in ``scope``; True once more than ``limit`` came in the window.

    The count lives in the cache under a hash of the address (never the address itself) and
    starts again when the window since the first request has passed.
    """
    from django.core.cache import cache

    key = f"{scope}:" + hashlib.sha256(client_ip(request).encode()).hexdigest()[:32]
    if cache.add(key, 1, timeout=window_seconds):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count > limit
