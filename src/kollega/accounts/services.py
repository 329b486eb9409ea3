"""Staff invitations and one-click demo sign-in links. One service is one transaction.

Sign-in itself (codes, passwords, authenticator apps) is django-allauth's; its
emails reach the outbox through :mod:`kollega.accounts.adapter`.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kollega.accounts.models import StaffInvitation, User
from kollega.accounts.notifications import STAFF_INVITATION
from kollega.core.models import Organisation, Role, StaffMembership
from kollega.core.services import audit_log, staff_membership_add

#: How long an invitation link works.
INVITATION_VALID_DAYS = 14
#: How long a demo sign-in link works.
SIGN_IN_LINK_MAX_AGE = timedelta(days=30)
#: Signing salt for demo sign-in links: a value signed for anything else never opens one.
SIGN_IN_LINK_SALT = "kollega.accounts.demo-sign-in"


class InvitationClosedError(ValidationError):
    """The invitation was accepted, cancelled or has expired; ``code`` says which."""


# --- staff invitations ---------------------------------------------------------


def invitation_path(token: str) -> str:
    return reverse("accounts:invitation", kwargs={"token": token})


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, StaffInvitation.hash(token)


def _language_for(email: str) -> str:
    """The invitee's own language if they have an account, else the inviter's current one."""
    known = {code for code, _name in settings.LANGUAGES}
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and user.language in known:
        return user.language
    active = (translation.get_language() or "")[:2]
    return active if active in known else settings.LANGUAGE_CODE


def _invitation_email(*, invitation: StaffInvitation, token: str) -> None:
    """Queue the email with the link. Every sending is a new message (a fresh version)."""
    from kollega.notifications.services import notification_queue

    organisation = invitation.organisation
    inviter = invitation.invited_by
    expires = timezone.localtime(invitation.expires_at, organisation.tz)
    context: dict[str, Any] = {
        "url": settings.KOLLEGA_BASE_URL + invitation_path(token),
        "role": invitation.role,
        "invitee_name": invitation.full_name,
        "inviter_name": inviter.display_name if inviter else "",
        "inviter_email": inviter.email if inviter else "",
        "expires_on": f"{expires.day}.{expires.month}.{expires.year}",
    }
    notification_queue(
        kind=STAFF_INVITATION,
        recipient=invitation.email,
        language=_language_for(invitation.email),
        context=context,
        subject=invitation,
        version=uuid.uuid4().hex,
        organisation=organisation,
        recipient_user=User.objects.filter(email__iexact=invitation.email).first(),
        urgent=True,
    )


def _renew(invitation: StaffInvitation) -> str:
    """A new link (the old one stops working) that works for another full period."""
    token, token_hash = _new_token()
    now = timezone.now()
    invitation.token_hash = token_hash
    invitation.expires_at = now + timedelta(days=INVITATION_VALID_DAYS)
    invitation.sent_at = now
    invitation.link = settings.KOLLEGA_BASE_URL + invitation_path(token)
    return token


@transaction.atomic
def staff_invite(
    *, organisation: Organisation, email: str, role: str, invited_by: User | None, full_name: str = ""
) -> StaffInvitation:
    """Invite someone to the organisation's staff with a role, by an emailed link.

    Inviting an address that already waits for the same role sends it a new
    link instead of making a second invitation.
    """
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter an email address in the form name@example.org.")}) from None
    if role not in Role.values:
        raise ValidationError({"role": _("Choose coordinator or facilitator.")})
    role_label = Role(role).label
    if StaffMembership.objects.filter(organisation=organisation, user__email__iexact=email, role=role).exists():
        raise ValidationError(
            {
                "email": _("%(email)s is already a %(role)s in %(organisation)s.")
                % {"email": email, "role": str(role_label).lower(), "organisation": organisation.name}
            }
        )
    invitation = (
        StaffInvitation.objects.select_for_update()
        .filter(organisation=organisation, email=email, role=role, accepted_at__isnull=True, cancelled_at__isnull=True)
        .first()
    )
    renewed = invitation is not None
    if invitation is None:
        invitation = StaffInvitation(organisation=organisation, email=email, role=role)
    invitation.full_name = full_name.strip() or invitation.full_name
    invitation.invited_by = invited_by
    token = _renew(invitation)
    if renewed:
        invitation.save(update_fields=["full_name", "invited_by", "token_hash", "expires_at", "sent_at"])
    else:
        invitation.save(force_insert=True)
    audit_log(
        action="accounts.staff_invitation.resent" if renewed else "accounts.staff_invitation.created",
        subject=invitation,
        actor=invited_by,
        organisation=organisation,
        data={"email": email, "role": role},
    )
    _invitation_email(invitation=invitation, token=token)
    return invitation


def _lock_waiting(invitation: StaffInvitation) -> StaffInvitation:
    locked = StaffInvitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise InvitationClosedError(_("This invitation has already been accepted."), code="accepted")
    if locked.cancelled_at is not None:
        raise InvitationClosedError(_("This invitation was cancelled."), code="cancelled")
    return locked


@transaction.atomic
def staff_invitation_resend(*, invitation: StaffInvitation, actor: User | None) -> StaffInvitation:
    """Email a new link (also for an expired invitation); the previous link stops working."""
    invitation = _lock_waiting(invitation)
    if actor is not None and actor.is_authenticated:
        invitation.invited_by = actor
    token = _renew(invitation)
    invitation.save(update_fields=["token_hash", "expires_at", "sent_at", "invited_by"])
    audit_log(
        action="accounts.staff_invitation.resent",
        subject=invitation,
        actor=actor,
        organisation=invitation.organisation,
        data={"email": invitation.email, "role": invitation.role},
    )
    _invitation_email(invitation=invitation, token=token)
    return invitation


@transaction.atomic
def staff_invitation_cancel(*, invitation: StaffInvitation, actor: User | None) -> StaffInvitation:
    """The link stops working at once."""
    invitation = _lock_waiting(invitation)
    invitation.cancelled_at = timezone.now()
    invitation.save(update_fields=["cancelled_at"])
    audit_log(
        action="accounts.staff_invitation.cancelled",
        subject=invitation,
        actor=actor,
        organisation=invitation.organisation,
        data={"email": invitation.email, "role": invitation.role},
    )
    return invitation


def _password_errors(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from None


@transaction.atomic
def staff_invitation_accept(
    *, invitation: StaffInvitation, user: User | None, full_name: str = "", password: str = ""
) -> StaffMembership:
    """Join the organisation's staff through an invitation.

    ``user`` is the signed-in person, who must have the invited address; with
    no ``user`` a new account is made for the invited address (name and
    password required). Staff sign in with a password, so a person who had
    none (a participant who signs in by code) chooses one here.
    """
    invitation = _lock_waiting(invitation)
    if invitation.expires_at <= timezone.now():
        raise InvitationClosedError(_("This invitation has expired."), code="expired")
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(
                _("There is already an account for %(email)s. Sign in first, then open the invitation link again.")
                % {"email": invitation.email},
                code="sign_in_first",
            )
        if not full_name.strip():
            raise ValidationError({"full_name": _("Write your name as others in your organisation know it.")})
        user = User(email=invitation.email, full_name=full_name.strip(), language=_language_for(invitation.email))
        _password_errors(password, user)
        user.set_password(password)
        user.save()
        audit_log(action="accounts.user.created", subject=user, actor=user, organisation=invitation.organisation)
    else:
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(
                _("This invitation was sent to %(invited)s, but you are signed in as %(current)s.")
                % {"invited": invitation.email, "current": user.email},
                code="wrong_person",
            )
        changed: list[str] = []
        if full_name.strip() and full_name.strip() != user.full_name:
            user.full_name = full_name.strip()
            changed.append("full_name")
        if password or not user.has_usable_password():
            if not password:
                raise ValidationError({"password1": _("Choose a password: staff sign in with email and password.")})
            _password_errors(password, user)
            user.set_password(password)
            changed.append("password")
        if changed:
            user.save(update_fields=changed)
    membership = staff_membership_add(organisation=invitation.organisation, user=user, role=invitation.role, actor=user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_log(
        action="accounts.staff_invitation.accepted",
        subject=invitation,
        actor=user,
        organisation=invitation.organisation,
        data={"user": user.pk, "role": invitation.role},
    )
    return membership


# --- demo sign-in links ------------------------------------------------------------


def sign_in_link_make(*, user: User) -> str:
    """A one-click sign-in path for the demo (refused in production).

    The path carries the person's id, signed with the site's secret key; it
    works for 30 days and never in production.
    """
    if settings.KOLLEGA_ENV == "production":
        raise RuntimeError("One-click sign-in links exist only outside production.")
    value = signing.dumps(user.pk, salt=SIGN_IN_LINK_SALT, compress=False)
    return reverse("accounts:demo_sign_in", kwargs={"value": value})
