from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.models.organisations import Organisation
from kollega.core.models.texts import localized


def default_languages() -> list[str]:
    return ["fi", "sv", "en"]


class MoveRule(models.TextChoices):
    """Where a meeting goes when its date is a public holiday or in a closed period."""

    NEXT_WORKING_DAY = "next_working_day", _("The next working day, at the same time")
    NEXT_WEEK = "next_week", _("The same weekday a week later")


class Programme(models.Model):
    """One round of peer mentoring, from recruitment to evaluation.

    Its settings are copied from a template when it is created and can all be changed.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="programmes")
    slug = models.SlugField(_("address name"), max_length=80)
    title = models.JSONField(_("title"), default=dict, help_text="Per language: {'fi': ..., 'sv': ..., 'en': ...}")
    template_key = models.CharField(_("template"), max_length=40, blank=True)
    meeting_count = models.PositiveSmallIntegerField(_("number of meetings"), default=5)
    meeting_interval_days = models.PositiveSmallIntegerField(_("days between meetings"), default=21)
    meeting_length_minutes = models.PositiveSmallIntegerField(_("meeting length in minutes"), default=120)
    group_size_min = models.PositiveSmallIntegerField(_("smallest group"), default=6)
    group_size_max = models.PositiveSmallIntegerField(_("largest group"), default=12)
    reminder_lead_hours = models.PositiveSmallIntegerField(_("reminder before a meeting, hours"), default=48)
    # Where a meeting goes when its date is a public holiday or in a closed period.
    move_rule = models.CharField(
        _("a meeting on a holiday moves to"),
        max_length=20,
        choices=MoveRule.choices,
        default=MoveRule.NEXT_WORKING_DAY,
    )
    languages = models.JSONField(_("languages"), default=default_languages)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    # How long a freed place offered to the first on the waiting list stays theirs.
    # How the group optimiser treats industries: a mix in every group (the default), or alike together.
    grouping_industries = models.CharField(
        _("industries in a group"),
        max_length=10,
        choices=[("mix", _("A mix of industries")), ("same", _("The same industry together"))],
        default="mix",
    )
    offer_hours = models.PositiveSmallIntegerField(_("hours to answer a waiting-list offer"), default=72)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="core_programme_slug_unique"),
            models.CheckConstraint(condition=models.Q(meeting_count__gte=1), name="core_programme_meetings_min"),
            models.CheckConstraint(
                condition=models.Q(meeting_interval_days__gte=1), name="core_programme_interval_min"
            ),
            models.CheckConstraint(
                condition=models.Q(meeting_length_minutes__gte=15), name="core_programme_length_min"
            ),
            models.CheckConstraint(
                condition=models.Q(group_size_min__gte=2) & models.Q(group_size_max__gte=models.F("group_size_min")),
                name="core_programme_group_sizes",
            ),
            models.CheckConstraint(condition=models.Q(offer_hours__gte=1), name="core_programme_offer_hours_min"),
            models.CheckConstraint(
                condition=models.Q(registration_opens_at__isnull=True)
                | models.Q(registration_closes_at__isnull=True)
                | models.Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="core_programme_registration_window",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.title)

    def registration_is_open(self, at: datetime | None = None) -> bool:
        now = at or timezone.now()
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return not (self.registration_closes_at and now >= self.registration_closes_at)


class TimeSlot(models.Model):
    """A time of day when groups can meet, such as "morning 09:00–11:00"."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="time_slots")
    key = models.SlugField(max_length=40)
    name = models.JSONField(_("name"), default=dict)
    start_time = models.TimeField(_("starts"))
    end_time = models.TimeField(_("ends"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        ordering = ["position", "start_time"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "key"], name="core_timeslot_key_unique"),
            models.CheckConstraint(condition=models.Q(end_time__gt=models.F("start_time")), name="core_timeslot_order"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    @property
    def label(self) -> str:
        return localized(self.name)


class PositionRule(models.TextChoices):
    FIRST = "first", _("Always first")
    LAST = "last", _("Last when chosen")
    FREE = "free", _("Any place")


class Theme(models.Model):
    """A topic for one meeting. Themes with a fixed first place are not ranked by registrants."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="themes")
    key = models.SlugField(max_length=60)
    title = models.JSONField(_("title"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)
    position_rule = models.CharField(
        _("place in the plan"), max_length=10, choices=PositionRule.choices, default=PositionRule.FREE
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "key"], name="core_theme_key_unique"),
            models.UniqueConstraint(
                fields=["programme"], condition=models.Q(position_rule="first"), name="core_theme_one_first"
            ),
            models.CheckConstraint(
                condition=models.Q(position_rule__in=PositionRule.values), name="core_theme_rule_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized(self.title)

    @property
    def text(self) -> str:
        return localized(self.description)

    @property
    def is_rankable(self) -> bool:
        return self.position_rule != PositionRule.FIRST
