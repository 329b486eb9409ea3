"""Step 1: the public programme page and the outreach channels that lead to it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.models import Programme
from kollega.core.models.texts import localized


class ChannelKind(models.TextChoices):
    PARTNER_NETWORK = "partner_network", _("Partner network")
    SOCIAL_MEDIA = "social_media", _("Social media")
    PRESS_RELEASE = "press_release", _("Press release")
    NEWSLETTER = "newsletter", _("Newsletter")
    OTHER = "other", _("Other")


class Channel(models.Model):
    """One way the word is spread; its share link tags each registration it brings.

    ``name`` is per language: registrants see it in "where did you hear of us".
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="channels")
    key = models.SlugField(_("link tag"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices, default=ChannelKind.OTHER)
    name = models.JSONField(_("name"), default=dict)
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "key"], name="outreach_channel_key_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=ChannelKind.values), name="outreach_channel_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized(self.name) or self.key


# The texts of the public page, each ``{language: text}``, in the order the page shows them.
PAGE_TEXT_FIELDS = (
    "summary",
    "for_whom",
    "what_happens",
    "dates",
    "commitment",
    "facilitators",
    "cost",
    "privacy_notice",
)


class ProgrammePage(models.Model):
    """The public page of a programme. Unpublished, only the organisation's staff see it (as a preview)."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="page")
    summary = models.JSONField(_("in short"), default=dict, blank=True)
    for_whom = models.JSONField(_("who it is for"), default=dict, blank=True)
    what_happens = models.JSONField(_("what happens"), default=dict, blank=True)
    dates = models.JSONField(_("dates"), default=dict, blank=True)
    commitment = models.JSONField(_("commitment"), default=dict, blank=True)
    facilitators = models.JSONField(_("facilitators"), default=dict, blank=True)
    cost = models.JSONField(_("cost"), default=dict, blank=True)
    privacy_notice = models.JSONField(_("privacy notice"), default=dict, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("programme page")
        verbose_name_plural = _("programme pages")

    def __str__(self) -> str:
        return str(self.programme)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def text(self, field: str, language: str | None = None) -> str:
        return localized(getattr(self, field), language)
