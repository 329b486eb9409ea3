from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.models.participants import Participant
from kollega.core.models.programmes import Programme
from kollega.core.models.texts import localized


class ConsentItem(models.TextChoices):
    PRIVACY_NOTICE = "privacy_notice", _("Privacy notice")
    SHARE_NAME = "share_name", _("Share my name with my group")
    SHARE_COMPANY = "share_company", _("Share my company with my group")
    SHARE_EMAIL = "share_email", _("Share my email with my group")
    WELLBEING_QUESTIONNAIRE = "wellbeing_questionnaire", _("Well-being questionnaire")


class ConsentText(models.Model):
    """A version of the text a person agrees to. Editing a text makes a new version."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="consent_texts")
    item = models.CharField(max_length=40, choices=ConsentItem.choices)
    version = models.PositiveIntegerField()
    text = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "item", "version"], name="core_consenttext_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item} v{self.version}"

    @property
    def body(self) -> str:
        return localized(self.text)


class Consent(models.Model):
    """One decision about one item. The latest per item wins; the history stays."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="consents")
    item = models.CharField(_("consent"), max_length=40, choices=ConsentItem.choices)
    given = models.BooleanField(_("given"))
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=40, blank=True, help_text="registration, interview, participant, api …")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["participant", "item", "at"])]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.item}={'yes' if self.given else 'no'}"
