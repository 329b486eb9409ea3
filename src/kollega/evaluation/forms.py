"""The answering form of a round, the coordinator's forms (a follow-up round, an instrument's wording),
and the form that sends a broken link again."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kollega.core.models import Status
from kollega.evaluation import instruments
from kollega.evaluation.selectors import InstrumentWording
from kollega.evaluation.services import last_closing_day
from kollega.surveys.forms import SurveyForm, form_class
from kollega.surveys.models import Form, QuestionType


def answer_form(form: Form, language: str, *, data: Any = None, initial: dict[str, Any] | None = None) -> SurveyForm:
    """The surveys engine's form for ``form``, with every answer point labelled as the instrument labels it."""
    survey_form = form_class(form, language)(data=data, initial=initial or {})
    for question in survey_form.questions:
        if question.type == QuestionType.RATING_SCALE:
            field = survey_form.fields[question.key]
            field.widget.choices = instruments.answer_choices(  # type: ignore[attr-defined]
                scale_min=question.scale_min if question.scale_min is not None else 1,
                scale_max=question.scale_max if question.scale_max is not None else 5,
                labels=question.scale_labels,
                language=language,
            )
    return survey_form


#: Who a follow-up round is usually for.
FOLLOW_UP_STATUSES = (Status.ACCEPTED, Status.IN_GROUP, Status.COMPLETED)


class FollowUpRoundForm(forms.Form):
    statuses = forms.MultipleChoiceField(
        label=_("Send it to participants whose status is"),
        choices=Status.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(FOLLOW_UP_STATUSES),
        error_messages={"required": _("Choose at least one status.")},
    )
    closes = forms.DateField(
        label=_("Closes at the end of"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Give the closing date."), "invalid": _("Give the date as year-month-day.")},
    )

    def __init__(self, *args: Any, tz: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.fields["closes"].initial = timezone.localdate() + timedelta(days=14)

    def clean_closes(self) -> datetime:
        day = self.cleaned_data["closes"]
        today = timezone.localdate(timezone=self.tz) if self.tz is not None else timezone.localdate()
        last = last_closing_day(today)
        # Checked before any arithmetic: a date like 9999-12-31 has no next day.
        if not today <= day <= last:
            raise forms.ValidationError(
                _("Choose a date from %(first)s to %(last)s.")
                % {"first": formats.date_format(today, "j.n.Y"), "last": formats.date_format(last, "j.n.Y")},
                code="out_of_range",
            )
        return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=self.tz)


class InstrumentWordingForm(forms.Form):
    """One language's wording of an instrument: its instruction, every question and every labelled answer point.

    Each field starts with the wording in use and shows the English beside it.
    """

    def __init__(self, *args: Any, wording: InstrumentWording, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wording = wording
        for item in wording.items:
            if item.part == "instruction":
                field: forms.CharField = forms.CharField(
                    label=_("Instruction"),
                    max_length=1000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    error_messages={"required": _("Give the instruction.")},
                )
            elif item.part == "question":
                field = forms.CharField(
                    label=_("Question %(number)s") % {"number": item.ref},
                    max_length=500,
                    error_messages={"required": _("Give the wording of this question.")},
                )
            else:
                field = forms.CharField(
                    label=_("Answer %(value)s") % {"value": item.ref},
                    max_length=200,
                    error_messages={"required": _("Give the label of this answer.")},
                )
            field.initial = item.current
            field.widget.attrs["lang"] = wording.language
            if item.reference:
                field.help_text = format_html('{} <span lang="en">{}</span>', _("English:"), item.reference)
            self.fields[item.name] = field
        self.fields["official"] = forms.BooleanField(
            label=_("This is the official %(language)s translation of the instrument.")
            % {"language": wording.language_name},
            error_messages={"required": _("Confirm that this is the official translation.")},
        )

    def _bound(self, part: str) -> list[forms.BoundField]:
        return [self[item.name] for item in self.wording.items if item.part == part]

    def instruction_fields(self) -> list[forms.BoundField]:
        return self._bound("instruction")

    def question_fields(self) -> list[forms.BoundField]:
        return self._bound("question")

    def answer_fields(self) -> list[forms.BoundField]:
        return self._bound("answer")

    def texts(self) -> dict[str, Any]:
        """The wording as ``services.instrument_text_replace`` takes it (after ``is_valid``)."""
        data = self.cleaned_data
        texts: dict[str, Any] = {"instruction": "", "questions": {}, "answers": {}}
        for item in self.wording.items:
            if item.part == "instruction":
                texts["instruction"] = data[item.name]
            elif item.part == "question":
                texts["questions"][item.key] = data[item.name]
            else:
                texts["answers"][item.key] = data[item.name]
        return texts

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """The service's complaints: the instruction's on its field, the rest above the form."""
        for key, messages in errors.items():
            self.add_error("instruction" if key == "instruction" and "instruction" in self.fields else None, messages)


class LinkResendForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        error_messages={"required": _("Give your email address."), "invalid": _("Check the email address.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
