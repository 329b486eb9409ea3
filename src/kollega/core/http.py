from __future__ import annotations

from django.http import HttpRequest

from kollega.accounts.models import User


class AuthedHttpRequest(HttpRequest):
    """A request behind ``login_required``: its user is a real account."""

    user: User  # type: ignore[assignment]
