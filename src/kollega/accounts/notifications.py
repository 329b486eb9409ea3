"""The messages the accounts app sends through the outbox.

Each kind has three templates in ``accounts/templates/notifications/<kind>/``.
All are urgent (someone is waiting for them); those that carry a code or a
personal link are sensitive, so the outbox never shows their content.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kollega.notifications import kinds

LOGIN_CODE = "accounts.login_code"
PASSWORD_RESET = "accounts.password_reset"  # noqa: S105 (a message kind, not a password)
UNKNOWN_ACCOUNT = "accounts.unknown_account"
STAFF_INVITATION = "accounts.staff_invitation"

KINDS = (
    kinds.Kind(name=LOGIN_CODE, label=_("Sign-in code"), urgent=True, sensitive=True),
    kinds.Kind(name=PASSWORD_RESET, label=_("Password reset link"), urgent=True, sensitive=True),
    kinds.Kind(name=UNKNOWN_ACCOUNT, label=_("Sign-in asked for an unknown address"), urgent=True, sensitive=False),
    kinds.Kind(name=STAFF_INVITATION, label=_("Staff invitation"), urgent=True, sensitive=True),
)


def register_kinds() -> None:
    for kind in KINDS:
        kinds.register(kind)
