"""The answering form of a round, and the coordinator's form for opening a follow-up round."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.models import Status
from kollega.evaluation import instruments
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
