from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kollega.core.selectors import roles_for_user


def roles(request: HttpRequest) -> dict[str, Any]:
    """What the signed-in person is, for the navigation: ``roles.coordinator`` etc."""
    return {"roles": SimpleLazyObject(lambda: roles_for_user(user=request.user))}
