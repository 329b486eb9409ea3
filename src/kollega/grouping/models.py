"""Groups and their members. The optimiser and theme plans arrive with the grouping issue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class Group(models.Model):
    """A peer group: at most a dozen entrepreneurs meeting at one time slot."""

    programme = models.ForeignKey("core.Programme", on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=100)
    time_slot = models.ForeignKey(
        "core.TimeSlot", on_delete=models.PROTECT, related_name="groups", verbose_name=_("time slot")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    start_date = models.DateField(_("first meeting"))
    lead_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="groups_led",
        verbose_name=_("lead facilitator"),
    )
    co_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="groups_supported",
        verbose_name=_("co-facilitator"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["start_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="grouping_group_name_unique"),
            models.CheckConstraint(condition=models.Q(weekday__gte=0, weekday__lte=6), name="grouping_group_weekday"),
            models.CheckConstraint(
                condition=models.Q(lead_facilitator__isnull=True)
                | models.Q(co_facilitator__isnull=True)
                | ~models.Q(lead_facilitator=models.F("co_facilitator")),
                name="grouping_group_two_facilitators",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    """A participant's place in a group. A participant is in at most one group."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    participant = models.OneToOneField("core.Participant", on_delete=models.CASCADE, related_name="membership")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")

    def __str__(self) -> str:
        return f"{self.participant_id} in {self.group_id}"
