"""Personal API tokens for staff.

A token is shown once, when it is made; only its SHA-256 hash is stored, so a
leaked database does not leak working tokens. Only staff (anyone with a staff
membership) may hold one, and a token stops working when it is revoked, when
its holder is deactivated or when they are no longer staff of any organisation.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.accounts.models import ApiToken, User
from kollega.core.models import StaffMembership
from kollega.core.services import audit_log

#: How often ``last_used_at`` is written: often enough to tell an unused token
#: from a busy one, rarely enough that a busy script does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)

#: Characters of the raw token kept as its visible hint ("kol_" and six more).
HINT_LENGTH = 10


def _is_staff(user: User) -> bool:
    return StaffMembership.objects.filter(user=user).exists()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``. Returns the stored token and the raw value, which is never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, such as the script or tool that will use it.")})
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationError({"name": _("Use a shorter name: at most 100 characters.")})
    if not user.is_active or not _is_staff(user):
        raise ValidationError(_("Only staff members of an organisation can have API tokens."), code="not_staff")
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(user=user, name=name, token_hash=ApiToken.hash(raw), hint=raw[:HINT_LENGTH])
    audit_log(action="accounts.api_token.created", subject=token, actor=user, data={"name": name, "hint": token.hint})
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None) -> ApiToken:
    """Stop ``token`` from working. Revoking a revoked token changes nothing."""
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_log(
        action="accounts.api_token.revoked",
        subject=token,
        actor=actor,
        data={"name": token.name, "hint": token.hint, "user": token.user_id},
    )
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The person ``raw`` belongs to, or ``None`` if it is unknown, revoked or its holder may not use it."""
    raw = raw.strip()
    if not raw.startswith(ApiToken.PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=ApiToken.hash(raw), revoked_at__isnull=True, user__is_active=True)
        .filter(Exists(StaffMembership.objects.filter(user_id=OuterRef("user_id"))))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A conditional update: concurrent requests write the time at most once a minute.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return token.user
