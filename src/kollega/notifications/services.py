"""The one path for every outgoing email: store a row, then let a sender job deliver it.

Apps call :func:`notification_queue`; nothing else in Kollega sends mail. The
delivery itself (claiming, SMTP, retries) is in :mod:`kollega.notifications.sender`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.models import Organisation
from kollega.core.services import audit_log, subject_key
from kollega.notifications import kinds
from kollega.notifications.models import FailingAddress, Notification, NotificationStatus

RESENDABLE = frozenset({NotificationStatus.FAILED, NotificationStatus.SENT, NotificationStatus.SKIPPED})
#: Statuses from which sending again needs a confirmation: the message may already be in the inbox.
RESEND_NEEDS_CONFIRMATION = frozenset({NotificationStatus.SENT, NotificationStatus.SKIPPED})


def message_id_domain() -> str:
    """The domain for our Message-IDs: the sender address's, else the site's."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    domain = address.rpartition("@")[2].strip().lower()
    if domain and domain != "localhost":
        return domain
    return urlsplit(settings.KOLLEGA_BASE_URL).hostname or "kollega.invalid"


def message_id_make() -> str:
    # From the operating system's randomness: unique across processes and never
    # tied to the shared ``random`` module (which tests and libraries reseed).
    return f"<{secrets.token_hex(16)}.kollega@{message_id_domain()}>"


def _language(value: str) -> str:
    code = (value or "").strip().lower()[:2]
    known = {code for code, _name in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE


def _queue_send_job(notification_id: int) -> None:
    from kollega.notifications.tasks import notification_send_task

    notification_send_task(notification_id)


def notification_queue(
    *,
    kind: str,
    recipient: str,
    context: dict[str, Any],
    language: str = "fi",
    subject: str | models.Model = "",
    version: str | int | None = None,
    due_at: datetime | None = None,
    organisation: Organisation | None = None,
    recipient_user: User | None = None,
    urgent: bool = False,
) -> Notification:
    """Store one message to one recipient; send it at once when it is urgent or already due.

    ``subject`` is what the message is about (a model instance or ``app.model:pk``);
    ``version`` changes when the message must go again about the same thing
    (a rescheduled meeting). Asking twice for the same ``(recipient, kind,
    subject, version)`` returns the stored row and sends nothing twice. Without
    a subject and a version, every call is a new message (a fresh sign-in code).

    The send job is queued when the surrounding transaction commits, so a
    rolled-back change never sends mail.
    """
    spec = kinds.get(kind)  # refuses unregistered kinds
    recipient = recipient.strip().lower()
    if not recipient or "@" not in recipient:
        raise ValidationError({"recipient": _("The message has no valid recipient address.")})
    about = subject_key(subject) if isinstance(subject, models.Model) else subject.strip()
    if version is None:
        # Something stored is written about once per version; a message about
        # nothing stored (a sign-in code) is always a new one.
        version = "1" if about else secrets.token_hex(8)
    now = timezone.now()
    due = due_at or now
    key = {"recipient": recipient, "kind": kind, "subject": about, "version": str(version)}

    with transaction.atomic():
        existing = Notification.objects.filter(**key).first()
        if existing is not None:
            return existing
        row = Notification(
            **key,
            organisation=organisation,
            recipient_user=recipient_user,
            language=_language(language),
            context=context,
            urgent=urgent or spec.urgent,
            sensitive=spec.sensitive,
            due_at=due,
            next_attempt_at=due,
            message_id=message_id_make(),
            created_at=now,
        )
        try:
            # A savepoint, so a lost race leaves the caller's transaction usable.
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            # Another process stored the same message between our read and our write.
            existing = Notification.objects.filter(**key).first()
            if existing is None:
                raise
            return existing
        if row.urgent or due <= now:
            pk = row.pk
            transaction.on_commit(lambda: _queue_send_job(pk), robust=True)
    return row


@transaction.atomic
def notification_resend(*, notification: Notification, actor: User | None, confirmed: bool = False) -> Notification:
    """A coordinator sends a message again: it waits again, due now, with a fresh count of attempts.

    A failed message goes again as it was (same Message-ID: it never arrived).
    A sent or skipped one needs ``confirmed``; a sent one gets a new Message-ID
    so that the recipient's mail program shows the new copy. Sensitive
    messages (sign-in codes, invitations) are never sent again from here.
    """
    row = Notification.objects.select_for_update().get(pk=notification.pk)
    if row.sensitive:
        raise ValidationError(
            _("This message contains a sign-in code or a personal link, so it cannot be sent again from here.")
        )
    if row.status not in RESENDABLE:
        raise ValidationError(_("This message is still waiting to be sent."))
    if FailingAddress.objects.filter(address=row.recipient).exists():
        raise ValidationError(
            _(
                "The mail server refuses the address %(address)s, so Kollega does not send to it. Once the address "
                "has been fixed, clear its mark in the outbox: the messages held back then go out by themselves."
            )
            % {"address": row.recipient}
        )
    if row.status in RESEND_NEEDS_CONFIRMATION and not confirmed:
        raise ValidationError(
            {"confirm": _("Tick the box to confirm that the message may reach the recipient a second time.")}
        )
    now = timezone.now()
    previous = {
        "status": row.status,
        "due_at": row.due_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "message_id": row.message_id,
    }
    if row.status == NotificationStatus.SENT:
        row.message_id = message_id_make()
    row.status = NotificationStatus.PENDING
    row.due_at = now
    row.next_attempt_at = now
    row.attempts = 0
    row.last_error = ""
    row.sent_at = None
    row.claimed_at = None
    row.claimed_by = ""
    row.address_refused = False
    row.save(
        update_fields=[
            "address_refused",
            "message_id",
            "status",
            "due_at",
            "next_attempt_at",
            "attempts",
            "last_error",
            "sent_at",
            "claimed_at",
            "claimed_by",
        ]
    )
    audit_log(
        action="notifications.notification.resent",
        subject=row,
        actor=actor,
        organisation=row.organisation,
        data={"previous": previous},
    )
    pk = row.pk
    transaction.on_commit(lambda: _queue_send_job(pk), robust=True)
    return row


#: A sign-in code or personal link held for a refusing address longer than this is not sent when the mark is cleared.
SENSITIVE_HELD_MAX = timedelta(hours=1)


@transaction.atomic
def failing_address_clear(*, address: str, actor: User) -> int:
    """A coordinator clears the mark on an address that refused mail; the messages held for it wait again.

    Allowed to a coordinator of an organisation that has written to the
    address. The held messages of every organisation go back to waiting, due
    now, with a fresh count of attempts and their own Message-ID (they never
    arrived); they were held only because of the mark. Returns how many.
    """
    from kollega.notifications.selectors import failing_address_organisations

    address = address.strip().lower()
    organisations = failing_address_organisations(user=actor, address=address)
    if not organisations:
        raise PermissionDenied
    # Locked: a sender holding a message to the address at this moment waits for us, or has finished.
    mark = FailingAddress.objects.select_for_update().filter(address=address).first()
    if mark is None:
        raise ValidationError(
            _("The address %(address)s is not marked as refusing mail; someone may have cleared it already.")
            % {"address": address}
        )
    now = timezone.now()
    waiting = Notification.objects.filter(recipient=address, status=NotificationStatus.FAILED, address_refused=True)
    # Sign-in codes and personal links held for days may have expired (or been blanked): they are not sent
    # late; the person asks for a fresh one. Everything else waits again.
    stale = waiting.filter(sensitive=True, created_at__lt=now - SENSITIVE_HELD_MAX)
    stale.update(
        status=NotificationStatus.SKIPPED,
        next_attempt_at=None,
        address_refused=False,
        last_error="Held while the address refused mail; a sign-in code or personal link this old is not sent.",
    )
    held = list(waiting.values_list("pk", flat=True))
    Notification.objects.filter(pk__in=held).update(
        status=NotificationStatus.PENDING,
        next_attempt_at=now,
        attempts=0,
        last_error="",
        address_refused=False,
        claimed_at=None,
        claimed_by="",
    )
    data = {
        "address": address,
        "first_failed_at": mark.first_failed_at.isoformat(),
        "last_failed_at": mark.last_failed_at.isoformat(),
        "failures": mark.failures,
        "last_error": mark.last_error,
        "released": len(held),
    }
    for organisation in organisations:
        audit_log(
            action="notifications.failing_address.cleared",
            subject=mark,
            actor=actor,
            organisation=organisation,
            data=data,
        )
    mark.delete()
    for pk in held:
        transaction.on_commit(partial(_queue_send_job, pk), robust=True)
    return len(held)


#: A link someone asks for again goes at most once per thing within this time (a rolling window).
RESEND_INTERVAL = timedelta(hours=1)


def resend_version(at: datetime) -> str:
    """The version of a message sent again at ``at``: unique per send, in time order as text (UTC, fixed width)."""
    return f"resend-{at.astimezone(UTC):%Y%m%d%H%M%S%f}"


def resent_recently(*, recipient: str, kind: str, subject: str | models.Model, now: datetime) -> bool:
    """Whether the message was sent again to ``recipient`` about ``subject`` within ``RESEND_INTERVAL`` of ``now``.

    The versions hold the send time, so the window is found by comparing them (the recipient first, as in
    the messages' unique index).
    """
    about = subject_key(subject) if isinstance(subject, models.Model) else subject
    return Notification.objects.filter(
        recipient=recipient.strip().lower(),
        kind=kind,
        subject=about,
        version__startswith="resend-",
        version__gt=resend_version(now - RESEND_INTERVAL),
    ).exists()
