"""Meetings of a group. Agendas, links, attendance and materials arrive with the meetings issue."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")


class Meeting(models.Model):
    group = models.ForeignKey("grouping.Group", on_delete=models.CASCADE, related_name="meetings")
    number = models.PositiveSmallIntegerField(_("number"))
    theme = models.ForeignKey(
        "core.Theme", null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings", verbose_name=_("theme")
    )
    starts_at = models.DateTimeField(_("starts"))
    length_minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=120)
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    held_at = models.DateTimeField(_("marked held"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["group", "number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="meetings_meeting_number_unique"),
            models.CheckConstraint(condition=models.Q(status__in=MeetingStatus.values), name="meetings_status_valid"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="meetings_number_min"),
        ]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return f"{self.group} #{self.number}"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.length_minutes)
