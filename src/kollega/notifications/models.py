"""Every outgoing email is a row here before it is sent (the outbox)."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Notification(models.Model):
    """One message to one recipient about one thing.

    ``(recipient, kind, subject, version)`` is unique in the database, so asking
    twice to send the same message stores it once. ``subject`` names what the
    message is about as ``app.model:pk`` (or is empty for messages about nothing
    stored, such as a sign-in code, which then use a fresh version).

    ``next_attempt_at`` is when a sender may next take the row: the due time for
    a new message, a later time after a failure, and empty once nothing more
    will be tried (sent, skipped, or failed too many times).
    """

    organisation = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=60)
    recipient = models.EmailField(_("recipient"))
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    language = models.CharField(_("language"), max_length=8, default="fi")
    subject = models.CharField(_("about"), max_length=100, blank=True, default="")
    version = models.CharField(_("version"), max_length=64, default="1")
    context = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    urgent = models.BooleanField(_("urgent"), default=False)
    # Copied from the kind when queued, so the outbox hides the content even if
    # the kind's definition changes later.
    sensitive = models.BooleanField(_("sensitive"), default=False)
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    claimed_at = models.DateTimeField(_("taken by a sender"), null=True, blank=True)
    claimed_by = models.CharField(_("sender"), max_length=100, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    rendered_subject = models.CharField(_("subject line"), max_length=255, blank=True)
    # Failed because the mail server refuses the address for good (an SMTP 5xx
    # answer), either on this message or on an earlier one (the row was then
    # held back, never shown to the server). Clearing the address's mark puts
    # these rows back to waiting.
    address_refused = models.BooleanField(_("address refuses mail"), default=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject", "version"], name="notifications_one_per_recipient_version"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=NotificationStatus.values), name="notifications_status_valid"
            ),
        ]
        indexes = [
            # What the sender looks for: waiting or failed rows whose time has come.
            models.Index(fields=["status", "next_attempt_at"], name="notifications_due_idx"),
            # The outbox: one organisation's messages, newest due first.
            models.Index(fields=["organisation", "-due_at"], name="notifications_outbox_idx"),
            models.Index(fields=["organisation", "status", "-due_at"], name="notifications_outbox_st_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.status})"

    @property
    def kind_label(self) -> str:
        """What the outbox calls this kind of message."""
        from kollega.notifications.kinds import label_for

        return label_for(self.kind)

    @property
    def is_retrying(self) -> bool:
        """Failed, but a sender will try again by itself."""
        return self.status == NotificationStatus.FAILED and self.next_attempt_at is not None


class FailingAddress(models.Model):
    """An address the mail server refused for good (an SMTP 5xx answer).

    While a row exists for an address, the sender does not hand further
    messages to that address to the mail server: they become failed, held,
    with a note saying why. A coordinator clears the mark (deleting the row;
    the audit log keeps what it said) once the address has been fixed, and the
    held messages go out again. The mark is about the address, not about one
    organisation: the same mail server answers for every organisation.
    """

    address = models.EmailField(_("address"), unique=True)
    first_failed_at = models.DateTimeField(_("first refused"), default=timezone.now)
    last_failed_at = models.DateTimeField(_("last refused"), default=timezone.now)
    last_error = models.TextField(_("the mail server's answer"), blank=True)
    failures = models.PositiveIntegerField(_("refusals"), default=1)

    class Meta:
        verbose_name = _("address that refuses mail")
        verbose_name_plural = _("addresses that refuse mail")
        ordering = ["-last_failed_at", "address"]
        constraints = [
            # Rows are stored lower-cased (as the outbox's recipients are), so one address is one mark.
            models.CheckConstraint(condition=models.Q(address=Lower("address")), name="notifications_failing_lower"),
        ]

    def __str__(self) -> str:
        return self.address
