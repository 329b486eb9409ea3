"""Connects django-allauth to Kollega: its emails go through the outbox."""

from __future__ import annotations

import uuid
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from kollega.accounts.models import User
from kollega.accounts.notifications import LOGIN_CODE, PASSWORD_RESET, UNKNOWN_ACCOUNT

#: allauth's email templates and the outbox kind each becomes. Sign-up is
#: closed and notification emails (password changed, authenticator added …)
#: are off (ACCOUNT_EMAIL_NOTIFICATIONS), so allauth sends only these.
TEMPLATE_KINDS = {
    "account/email/login_code": LOGIN_CODE,
    "account/email/password_reset_key": PASSWORD_RESET,
    "account/email/unknown_account": UNKNOWN_ACCOUNT,
}


def _language_for(user: User | None) -> str:
    """The language the person is using right now; else the one stored for them."""
    known = {code for code, _name in settings.LANGUAGES}
    active = (translation.get_language() or "")[:2]
    if active in known:
        return active
    if user is not None and user.language in known:
        return user.language
    return settings.LANGUAGE_CODE


def _outbox_context(template_prefix: str, context: dict[str, Any]) -> dict[str, Any]:
    """Only what the message needs, as JSON: never the request or model objects."""
    if template_prefix == "account/email/login_code":
        timeout = int(getattr(settings, "ACCOUNT_LOGIN_BY_CODE_TIMEOUT", 180))
        return {"code": str(context["code"]), "minutes": max(1, timeout // 60)}
    if template_prefix == "account/email/password_reset_key":
        return {"url": str(context["password_reset_url"])}
    return {}


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Participants join by registering for a programme; staff by invitation.
        return False

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        # Back to the page the change started from.
        return reverse("mfa_index")

    def login(self, request: HttpRequest, user: Any) -> None:
        super().login(request, user)
        # A password typed a moment ago is as good as typing it again: staff
        # sent to set up their authenticator app right after signing in are
        # not asked for it twice. allauth still asks once its reauthentication
        # timeout (five minutes) has passed.
        records = get_authentication_records(request, user)
        if records and records[-1].get("method") == "password" and not records[-1].get("reauthenticated"):
            record_authentication(request, user, method="password", reauthenticated=True)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Queue allauth's message in the outbox instead of sending it here.

        Each request makes a new row (a fresh version): two codes asked for in
        a row are two messages.
        """
        from kollega.notifications.services import notification_queue

        kind = TEMPLATE_KINDS.get(template_prefix)
        if kind is None:
            raise ImproperlyConfigured(
                f"allauth wants to send {template_prefix!r}, which has no outbox kind in "
                "kollega.accounts.adapter.TEMPLATE_KINDS."
            )
        user = User.objects.filter(email__iexact=email.strip()).first()
        notification_queue(
            kind=kind,
            recipient=email,
            language=_language_for(user),
            context=_outbox_context(template_prefix, context),
            recipient_user=user,
            urgent=True,
            version=uuid.uuid4().hex,
        )
