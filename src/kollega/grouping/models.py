"""Groups, their members and theme plans; pair rules and the optimiser's proposals."""

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
    # The group's video link when the organisation keeps one link per group (a Jitsi room or a pasted link).
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    # When the coordinator set the schedule and the invitations went out.
    schedule_set_at = models.DateTimeField(_("schedule set"), null=True, blank=True)
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


class PairKind(models.TextChoices):
    APART = "apart", _("Must not share a group")
    TOGETHER = "together", _("Should share a group")


class PairRule(models.Model):
    """Two applicants the coordinator wants apart (competitors, relatives) or together."""

    programme = models.ForeignKey("core.Programme", on_delete=models.CASCADE, related_name="pair_rules")
    first = models.ForeignKey("core.Participant", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("core.Participant", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("rule"), max_length=10, choices=PairKind.choices)
    note = models.CharField(_("why"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pair rule")
        verbose_name_plural = _("pair rules")
        ordering = ["kind", "id"]
        constraints = [
            # Stored in one order (smaller id first), so a pair has one row whatever its kind.
            models.CheckConstraint(condition=models.Q(first__lt=models.F("second")), name="grouping_pair_ordered"),
            models.UniqueConstraint(fields=["programme", "first", "second"], name="grouping_pair_once"),
            models.CheckConstraint(condition=models.Q(kind__in=PairKind.values), name="grouping_pair_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id}–{self.second_id} {self.kind}"


class ProposalState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being worked out")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    ACCEPTED = "accepted", _("Accepted")
    REPLACED = "replaced", _("Replaced by a newer proposal")


class Proposal(models.Model):
    """One run of the optimiser for a programme, and the coordinator's edits of its answer.

    The placement is kept as JSON (participant id → group key) because it is
    edited as a whole and read as a whole; groups and memberships are written
    only when the coordinator accepts. ``solver_assignment`` keeps what the
    optimiser proposed, so the page can show what was moved by hand.
    """

    programme = models.ForeignKey("core.Programme", on_delete=models.CASCADE, related_name="proposals")
    number = models.PositiveIntegerField(_("number"))
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=ProposalState.choices, default=ProposalState.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    time_limit = models.PositiveSmallIntegerField(_("time limit in seconds"), default=20)
    weights = models.JSONField(_("weights"), default=dict)
    industry_mode = models.CharField(_("industries"), max_length=10, default="mix")
    late_joiners = models.BooleanField(_("only late joiners, into groups with room"), default=False)
    # The answer.
    status = models.CharField(_("result"), max_length=12, blank=True)
    objective = models.IntegerField(null=True, blank=True)
    bound = models.IntegerField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    exact = models.BooleanField(default=True)
    parts = models.PositiveIntegerField(default=1)
    wall_seconds = models.FloatField(null=True, blank=True)
    goals = models.JSONField(default=dict, blank=True)
    baseline_goals = models.JSONField(default=dict, blank=True)
    conflicts = models.JSONField(default=list, blank=True)
    groups = models.JSONField(default=list, blank=True)  # [{"key", "slot", "name", "group_id"}]
    solver_assignment = models.JSONField(default=dict, blank=True)
    assignment = models.JSONField(default=dict, blank=True)  # participant id (str) → group key
    locks = models.JSONField(default=dict, blank=True)  # participant id (str) → group key
    left_out = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("group proposal")
        verbose_name_plural = _("group proposals")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="grouping_proposal_number_unique"),
            models.CheckConstraint(
                condition=models.Q(state__in=ProposalState.values), name="grouping_proposal_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(time_limit__gte=1, time_limit__lte=600), name="grouping_proposal_time_limit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} #{self.number}"


class ThemePlanItem(models.Model):
    """The theme of one of a group's meetings after the fixed first one, chosen from the members' wishes."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="theme_plan")
    number = models.PositiveSmallIntegerField(_("meeting"))
    theme = models.ForeignKey("core.Theme", on_delete=models.PROTECT, related_name="+", verbose_name=_("theme"))
    support = models.PositiveIntegerField(_("support"), default=0)
    overridden = models.BooleanField(_("chosen by the coordinator"), default=False)

    class Meta:
        verbose_name = _("theme plan item")
        verbose_name_plural = _("theme plan items")
        ordering = ["group", "number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="grouping_plan_number_unique"),
            models.UniqueConstraint(fields=["group", "theme"], name="grouping_plan_theme_once"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} #{self.number}: {self.theme_id}"
