"""Step 2: registrations, repeated-address confirmations, the waiting list's offers and imports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.models import Participant, Programme
from kollega.outreach.models import Channel


class Source(models.TextChoices):
    FORM = "form", _("Registration form")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    STAFF = "staff", _("Added by staff")


class Registration(models.Model):
    """How and where a participant came in: the channel, the answer to "where did you hear of us", the form."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="registration")
    channel = models.ForeignKey(
        Channel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("channel"),
    )
    # The option key chosen in "where did you hear of us" (a channel key or "other").
    heard_from = models.CharField(_("heard of the programme from"), max_length=60, blank=True)
    source = models.CharField(_("came in through"), max_length=10, choices=Source.choices, default=Source.FORM)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=Source.values), name="recruitment_registration_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} via {self.channel_id or '-'}"


class PendingChange(models.Model):
    """A registration sent again with an address already in the programme.

    Nothing changes until the owner of the address follows the emailed link;
    only the token's hash is stored.
    """

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="pending_changes")
    raw = models.JSONField()
    language = models.CharField(max_length=8)
    channel = models.ForeignKey(Channel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"pending change of {self.participant_id}"


class OfferOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Not answered in time")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WaitingListOffer(models.Model):
    """A freed place offered to the first on the waiting list, until ``expires_at``."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="offers")
    offered_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=OfferOutcome.choices, default=OfferOutcome.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("waiting-list offer")
        verbose_name_plural = _("waiting-list offers")
        ordering = ["offered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"], condition=models.Q(outcome="pending"), name="recruitment_offer_one_pending"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=OfferOutcome.values), name="recruitment_offer_outcome"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("offered_at")), name="recruitment_offer_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"offer to {self.participant_id}: {self.outcome}"


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All rows or none")
    VALID_ONLY = "valid_only", _("Only the valid rows")


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One file of registrations from another tool, checked (dry run) and then imported.

    The file is kept in the database, so any worker on any machine can read it.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    # {column header: question key}
    mapping = models.JSONField(default=dict)
    mode = models.CharField(max_length=20, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING)
    state = models.CharField(max_length=10, choices=ImportState.choices, default=ImportState.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # {"rejected": [{"line": n, "reasons": [...]}], "valid": n, "imported": n, "error": "..."}
    report = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(mode__in=ImportMode.values), name="recruitment_import_mode"),
            models.CheckConstraint(condition=models.Q(state__in=ImportState.values), name="recruitment_import_state"),
        ]

    def __str__(self) -> str:
        return self.file_name
