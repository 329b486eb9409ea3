"""Forms as data: a form is an ordered list of typed questions; answers keep the form's version."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.models import ConsentItem, Organisation, Participant, Programme
from kollega.core.models.texts import localized


class Purpose(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")
    FEEDBACK = "feedback", _("Feedback")


class QuestionType(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    RANKING = "ranking", _("Ranking")
    RATING_SCALE = "rating_scale", _("Rating scale")
    YES_NO = "yes_no", _("Yes or no")
    CONSENT = "consent", _("Consent")


class OptionsSource(models.TextChoices):
    """Options that come from the programme when the form is shown, not from the question itself."""

    NONE = "", _("The question's own options")
    TIME_SLOTS = "time_slots", _("The programme's time slots")
    THEMES = "themes", _("The programme's rankable themes")
    INDUSTRIES = "industries", _("Industries (TOL 2008 main classes)")
    CHANNELS = "channels", _("The programme's outreach channels")


# Types whose answer is one of, or an ordering of, the question's options.
OPTION_TYPES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING})


class Form(models.Model):
    """A registration form, questionnaire or feedback form. Its version grows when an answered form gains questions."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="forms")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="forms")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    title = models.JSONField(_("title"), default=dict, help_text="Per language: {'fi': ..., 'sv': ..., 'en': ...}")
    version = models.PositiveIntegerField(_("version"), default=1)
    # A programme asks one registration form at a time; copies wait inactive until chosen.
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme"],
                condition=models.Q(purpose="registration", active=True, programme__isnull=False),
                name="surveys_form_one_active_registration",
            ),
            models.CheckConstraint(condition=models.Q(purpose__in=Purpose.values), name="surveys_form_purpose_valid"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="surveys_form_version_min"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.title)


class Question(models.Model):
    """One question of a form. Texts are per language; options are ``[{"key", "label": {lang: text}}]``."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("key"), max_length=50)
    type = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.JSONField(_("question"), default=dict)
    help = models.JSONField(_("help text"), default=dict, blank=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    # When set, ``options`` are filled from the programme each time the form is read.
    options_source = models.CharField(
        _("options from"), max_length=20, choices=OptionsSource.choices, blank=True, default=""
    )
    # A ranking may let the respondent order only the options they care about.
    allow_partial = models.BooleanField(_("partial ranking allowed"), default=False)
    scale_min = models.IntegerField(null=True, blank=True)
    scale_max = models.IntegerField(null=True, blank=True)
    # {"min": {lang: text}, "max": {lang: text}}: what the ends of a rating scale mean.
    scale_labels = models.JSONField(default=dict, blank=True)
    number_min = models.BigIntegerField(null=True, blank=True)
    number_max = models.BigIntegerField(null=True, blank=True)
    max_length = models.PositiveIntegerField(null=True, blank=True)
    # {"question": key of an earlier question, "equals": value} or {"question": ..., "contains": option key}.
    show_if = models.JSONField(null=True, blank=True)
    consent_item = models.CharField(max_length=40, choices=ConsentItem.choices, blank=True)
    added_in_version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="surveys_question_key_unique"),
            models.CheckConstraint(
                condition=models.Q(type__in=QuestionType.values), name="surveys_question_type_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(type=QuestionType.CONSENT) | ~models.Q(consent_item=""),
                name="surveys_question_consent_has_item",
            ),
            models.CheckConstraint(
                condition=models.Q(scale_min__isnull=True)
                | models.Q(scale_max__isnull=True)
                | models.Q(scale_max__gt=models.F("scale_min")),
                name="surveys_question_scale_order",
            ),
            models.CheckConstraint(
                condition=models.Q(number_min__isnull=True)
                | models.Q(number_max__isnull=True)
                | models.Q(number_max__gte=models.F("number_min")),
                name="surveys_question_number_bounds",
            ),
            models.CheckConstraint(condition=models.Q(added_in_version__gte=1), name="surveys_question_version_min"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def option_keys(self) -> list[str]:
        return [str(option.get("key")) for option in self.options if isinstance(option, dict)]

    def label(self, language: str | None = None) -> str:
        return localized(self.text, language)


class Response(models.Model):
    """One submission of a form. Answering again replaces it; the earlier one stays with the time it was replaced."""

    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="responses")
    form_version = models.PositiveIntegerField()
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="responses"
    )
    language = models.CharField(max_length=8)
    submitted_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "participant"],
                condition=models.Q(replaced_at__isnull=True, participant__isnull=False),
                name="surveys_response_one_current",
            ),
        ]
        indexes = [models.Index(fields=["form", "participant", "replaced_at"])]

    def __str__(self) -> str:
        return f"{self.form_id} v{self.form_version} #{self.pk}"


class Answer(models.Model):
    """The cleaned value of one question in one response."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField()

    class Meta:
        ordering = ["id"]  # stored in question order
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="surveys_answer_once_per_response"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}={self.value!r}"
