"""Questionnaire rounds, the well-being instruments on a form, and participants' requests to be contacted."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.models import Participant, Programme
from kollega.surveys.models import Form, Response


class InstrumentKey(models.TextChoices):
    WHO5 = "who5", _("WHO-5 Well-Being Index")
    PEER_SUPPORT = "peer_support", _("Work and peer support")


class Instrument(models.Model):
    """One instrument's questions on a form, and which language versions are the official wording.

    A translation that is not the official one is shown as provisional until an
    organisation puts in the official text (``services.instrument_text_replace``).
    """

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="instruments")
    key = models.CharField(_("instrument"), max_length=20, choices=InstrumentKey.choices)
    position = models.PositiveSmallIntegerField(default=0)
    question_keys = models.JSONField(default=list)
    instruction = models.JSONField(
        default=dict, blank=True, help_text="Per language: {'fi': ..., 'sv': ..., 'en': ...}"
    )
    official_languages = models.JSONField(default=list, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="evaluation_instrument_once_per_form"),
            models.CheckConstraint(
                condition=models.Q(key__in=InstrumentKey.values), name="evaluation_instrument_key_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} on form {self.form_id}"

    def is_official(self, language: str) -> bool:
        return language in (self.official_languages or [])


class RoundKind(models.TextChoices):
    BASELINE = "baseline", _("Baseline")
    FINAL = "final", _("Final")
    FOLLOW_UP = "follow_up", _("Follow-up")


class QuestionnaireRound(models.Model):
    """A questionnaire sent to a set of participants, open from ``opens_at`` until it closes.

    Each round asks its own form, so a participant's baseline answer is never
    replaced by their final one.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="questionnaire_rounds")
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="rounds")
    kind = models.CharField(_("kind"), max_length=20, choices=RoundKind.choices)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reminders_sent = models.PositiveIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("questionnaire round")
        verbose_name_plural = _("questionnaire rounds")
        ordering = ["opens_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form"], name="evaluation_round_own_form"),
            models.CheckConstraint(condition=models.Q(kind__in=RoundKind.values), name="evaluation_round_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="evaluation_round_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.programme_id})"

    def is_closed(self, at: datetime | None = None) -> bool:
        """Closed by hand or by the job, or past its closing time (the job may not have run yet)."""
        return self.closed_at is not None or (at or timezone.now()) >= self.closes_at

    def is_open(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return not self.is_closed(at) and self.opens_at <= at


class RoundInvitation(models.Model):
    """One participant's place in one round: when they were asked, reminded and answered."""

    round = models.ForeignKey(QuestionnaireRound, on_delete=models.CASCADE, related_name="invitations")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="round_invitations")
    invited_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Reminders the periodic job has sent; reminders sent by hand are not capped.
    reminder_count = models.PositiveSmallIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    # The latest answer (answering again replaces it; the earlier stays in surveys with its time).
    response = models.ForeignKey(Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("round invitation")
        verbose_name_plural = _("round invitations")
        ordering = ["invited_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "participant"], name="evaluation_invitation_once_per_round"),
        ]
        indexes = [models.Index(fields=["round", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.participant_id} in round {self.round_id}"


class ContactRequest(models.Model):
    """A participant asked the coordinator to get in touch after a low well-being result."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="contact_requests")
    round = models.ForeignKey(QuestionnaireRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("request to be contacted")
        verbose_name_plural = _("requests to be contacted")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One waiting request per person: a double click must not make two requests (and two emails).
            models.UniqueConstraint(
                fields=["participant"],
                condition=models.Q(handled_at__isnull=True),
                name="evaluation_one_waiting_contact_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} asked at {self.created_at:%Y-%m-%d}"


class GroupFigureSnapshot(models.Model):
    """A group's means in a closed round, stored the first time they are shown and never worked out again.

    Means read from whoever is in the group now would move when someone joins
    or leaves after the round, and two readings (n + 1 answers, then n) would
    give away the score of the one who moved. So the first figures with means
    are kept, and the page shows this copy, with its date, from then on.
    """

    group = models.ForeignKey("grouping.Group", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(QuestionnaireRound, on_delete=models.CASCADE, related_name="group_figures")
    answered = models.PositiveIntegerField(_("answered"))
    who5_mean = models.FloatField(_("WHO-5 mean"), null=True, blank=True)
    peer_support_mean = models.FloatField(_("work and peer support mean"), null=True, blank=True)
    computed_at = models.DateTimeField(_("worked out"), default=timezone.now)

    class Meta:
        verbose_name = _("group figures")
        verbose_name_plural = _("group figures")
        constraints = [
            models.UniqueConstraint(fields=["group", "round"], name="evaluation_group_figures_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"group {self.group_id} in round {self.round_id}"
