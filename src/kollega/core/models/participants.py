from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.models.programmes import Programme, TimeSlot


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITING_LIST = "waiting_list", _("On the waiting list")
    INTERVIEW_BOOKED = "interview_booked", _("Interview booked")
    INTERVIEWED = "interviewed", _("Interviewed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_GROUP = "in_group", _("In a group")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Gender(models.TextChoices):
    """Asked only for reporting, and optional."""

    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Other")
    UNSPECIFIED = "", _("Not told")


class CompanySize(models.TextChoices):
    SOLO = "solo", _("Solo entrepreneur")
    MICRO = "2-9", _("2–9 people")


class Participant(models.Model):
    """One person in one programme, from registration to the end."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participations")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="fi")
    # The name the person gave in this programme. The account's name is shared by
    # every organisation the person meets, so a registration never writes it.
    full_name = models.CharField(_("name"), max_length=200, blank=True)
    # The profile the grouping and the reports need; the full registration
    # answers live in the surveys app.
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    industry = models.CharField(_("industry (TOL 2008)"), max_length=1, blank=True)
    years_in_business = models.PositiveSmallIntegerField(_("years in business"), null=True, blank=True)
    region = models.CharField(_("region or municipality"), max_length=100, blank=True)
    company_size = models.CharField(_("company size"), max_length=10, choices=CompanySize.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Theme keys in the order the person ranked them at registration (most wanted first).
    theme_ranking = models.JSONField(_("theme wishes"), default=list, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True, default="")
    time_slots = models.ManyToManyField(
        TimeSlot, blank=True, related_name="participants", verbose_name=_("suitable time slots")
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["registered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"], name="core_participant_once_per_programme"),
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="core_participant_status_valid"),
        ]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.programme_id})"

    @property
    def display_name(self) -> str:
        """The name given in this programme, else the account's name, else the email address."""
        return self.full_name or self.user.display_name

    @property
    def industry_name(self) -> str:
        from kollega.core.industries import industry_name

        return industry_name(self.industry) if self.industry else ""


class ParticipantStatusChange(models.Model):
    """The full history of a participant: who moved them, when, why.

    An event that does not change the status (such as an interview no-show) is a
    row too, with ``event`` naming it.
    """

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    event = models.CharField(max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.from_status} → {self.to_status}"
