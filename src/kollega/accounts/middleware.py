"""Staff must enrol a second factor (TOTP) before using staff pages, where required."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Paths a staff member without a second factor may still reach: enrolment
# itself, signing out, static files, the language switch, and invitation links
# (accepting one leads to enrolment anyway).
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/media/", "/invitation/")


class StaffMfaRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(settings, "KOLLEGA_STAFF_MFA_REQUIRED", False) and self._needs_enrolment(request):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _needs_enrolment(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path.startswith(_ALLOWED_PREFIXES) or request.path.startswith("/api/"):
            return False
        from allauth.mfa.models import Authenticator

        from kollega.core.selectors import user_is_staff

        # Organisation staff and the installation's operators (admin site) alike.
        if not (user.is_staff or user_is_staff(user=user)):
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
