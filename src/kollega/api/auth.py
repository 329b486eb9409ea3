"""Authentication for the API: ``Authorization: Bearer <personal API token>`` on every call."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from kollega.accounts.models import User
from kollega.accounts.tokens import api_token_authenticate

#: Set on the request when authentication fails, so the 401 can say why.
PROBLEM_ATTRIBUTE = "kollega_auth_problem"
MISSING = "missing"
INVALID = "invalid"


class TokenAuth(HttpBearer):
    """A personal API token of a staff member; the request then acts as that person."""

    def __call__(self, request: HttpRequest) -> User | None:
        header = request.headers.get(self.header, "")
        scheme, _sep, raw = header.strip().partition(" ")
        if not header.strip():
            setattr(request, PROBLEM_ATTRIBUTE, MISSING)
            return None
        if scheme.lower() != self.openapi_scheme or not raw.strip():
            setattr(request, PROBLEM_ATTRIBUTE, MISSING)
            return None
        user = self.authenticate(request, raw.strip())
        if user is None:
            setattr(request, PROBLEM_ATTRIBUTE, INVALID)
        return user

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_authenticate(token)


def request_user(request: HttpRequest) -> User:
    """The person whose token authenticated ``request``."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):  # the API refuses unauthenticated calls before any endpoint runs
        raise RuntimeError("request_user() called on an unauthenticated request")
    return user
