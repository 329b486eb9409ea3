from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("%(zone)s is not a known time zone."), params={"zone": value}) from exc


class VideoLinks(models.TextChoices):
    """How the organisation's online meetings and interviews get their video links."""

    JITSI = "jitsi", _("A room on our Jitsi server, made by Kollega")
    PASTED = "pasted", _("A link the staff member pastes (Zoom, Teams or other)")


class LinkScope(models.TextChoices):
    """Whether a group keeps one video link for all its meetings or gets one per meeting."""

    GROUP = "group", _("One link per group, for all its meetings")
    MEETING = "meeting", _("A link of its own for each meeting")


class Organisation(models.Model):
    """Who runs programmes: a university, an association, a business service."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Helsinki", validators=[validate_time_zone]
    )
    support_email = models.EmailField(_("support email"), blank=True)
    support_phone = models.CharField(_("support phone"), max_length=40, blank=True)
    support_hours = models.CharField(_("support hours"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    video_links = models.CharField(
        _("video links"), max_length=10, choices=VideoLinks.choices, default=VideoLinks.JITSI
    )
    # Rooms are this address plus an unguessable name. The public meet.jit.si asks the
    # first person in a room to sign in: the settings page says so.
    jitsi_url = models.URLField(_("Jitsi server"), default="https://meet.jit.si", blank=True)
    link_scope = models.CharField(
        _("one video link per"), max_length=10, choices=LinkScope.choices, default=LinkScope.GROUP
    )
    # Partner organisations whose coordinators may make this organisation's staff facilitators
    # of their groups. One direction only: lending is not borrowing.
    lends_facilitators_to = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="borrows_facilitators_from",
        verbose_name=_("partner organisations that may ask our facilitators"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def uses_public_jitsi(self) -> bool:
        """meet.jit.si asks the first person in a room to sign in: facilitators must join first."""
        from urllib.parse import urlsplit

        host = (urlsplit(self.jitsi_url or "").hostname or "").lower()
        return self.video_links == VideoLinks.JITSI and host == "meet.jit.si"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class ClosedPeriod(models.Model):
    """Days when the organisation holds no meetings or interviews (Christmas, summer)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="closed_periods")
    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="core_closedperiod_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.start_date}–{self.end_date}"


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    FACILITATOR = "facilitator", _("Facilitator")


class StaffMembership(models.Model):
    """A person's role in an organisation. One person may be staff of several."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user", "role"], name="core_staff_unique_role"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="core_staff_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"
