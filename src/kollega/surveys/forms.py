"""A Form as a Django form in one language, and long forms split into steps.

The Django fields only render and collect; the engine alone decides what is
valid, so the page, the API and the importer accept exactly the same answers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _

from kollega.core.models.texts import localized
from kollega.surveys import engine, selectors
from kollega.surveys.models import Form, Question, QuestionType

#: More options than this in a single choice are shown as a drop-down list.
LONG_CHOICE_LIST = 8


class RankingWidget(forms.MultiWidget):
    """One select per place: first choice, second choice, …"""

    def __init__(self, choices: list[tuple[str, str]], places: int, attrs: dict[str, Any] | None = None) -> None:
        blank = [("", "—"), *choices]
        # Each place names itself for screen readers; the question is the group's label.
        selects = [
            forms.Select(choices=blank, attrs={"aria-label": _("Choice %(number)d") % {"number": n}})
            for n in range(1, places + 1)
        ]
        super().__init__(selects, attrs)

    def decompress(self, value: Any) -> list[Any]:
        return list(value) if isinstance(value, list | tuple) else []


class AnswerField(forms.Field):
    """Passes the submitted value through unchanged: the engine checks it in ``clean()`` of the form."""

    def clean(self, value: Any) -> Any:
        return value


class SurveyForm(forms.Form):
    """Base of the generated classes; ``questions`` and ``language`` are set on each class."""

    questions: list[Question] = []
    language: str = "fi"
    # Conditional questions cannot be required in the browser; the server decides.
    use_required_attribute = False

    def clean(self) -> dict[str, Any]:
        raw = {q.key: self.cleaned_data.get(q.key) for q in self.questions}
        result = engine.validate(self.questions, raw, self.language)
        for key, messages in result.errors.items():
            for message in messages:
                self.add_error(None if key == engine.FORM_ERROR_KEY else key, message)
        self.cleaned_data = result.cleaned
        return self.cleaned_data


def _options(question: Question, language: str) -> list[tuple[str, str]]:
    return [
        (str(o.get("key")), localized(o.get("label"), language) or str(o.get("key")))
        for o in question.options
        if isinstance(o, dict)
    ]


def _widget(question: Question, language: str) -> forms.Widget:
    kind = question.type
    if kind == QuestionType.LONG_TEXT:
        return forms.Textarea(attrs={"maxlength": question.max_length or engine.LONG_TEXT_MAX})
    if kind == QuestionType.SHORT_TEXT:
        return forms.TextInput(attrs={"maxlength": question.max_length or engine.SHORT_TEXT_MAX})
    if kind == QuestionType.EMAIL:
        return forms.EmailInput(attrs={"autocomplete": "email"})
    if kind == QuestionType.PHONE:
        return forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    if kind == QuestionType.NUMBER:
        attrs: dict[str, Any] = {"inputmode": "numeric"}
        if question.number_min is not None:
            attrs["min"] = question.number_min
        if question.number_max is not None:
            attrs["max"] = question.number_max
        return forms.NumberInput(attrs=attrs)
    if kind == QuestionType.SINGLE_CHOICE:
        options = _options(question, language)
        if len(options) > LONG_CHOICE_LIST:
            # A long list (the 21 industries) is one select on a phone, not a screenful of radio buttons.
            return forms.Select(choices=[("", _("Choose…")), *options])
        return forms.RadioSelect(choices=options)
    if kind == QuestionType.MULTIPLE_CHOICE:
        return forms.CheckboxSelectMultiple(choices=_options(question, language))
    if kind == QuestionType.RANKING:
        choices = _options(question, language)
        return RankingWidget(choices, len(choices))
    if kind == QuestionType.RATING_SCALE:
        low, high = engine._scale(question)
        labels = question.scale_labels if isinstance(question.scale_labels, dict) else {}
        ends = {low: localized(labels.get("min"), language), high: localized(labels.get("max"), language)}
        scale = [(str(n), f"{n} – {ends[n]}" if ends.get(n) else str(n)) for n in range(low, high + 1)]
        return forms.RadioSelect(choices=scale)
    if kind == QuestionType.YES_NO:
        return forms.RadioSelect(choices=[("yes", _("Yes")), ("no", _("No"))])
    return forms.CheckboxInput(check_test=lambda value: value in (True, "yes", "on", "true"))


def form_class(form: Form, language: str, *, version: int | None = None) -> type[SurveyForm]:
    """A Django form class asking the questions of ``form`` in ``language``."""
    questions = selectors.form_questions(form=form, version=version)
    fields: dict[str, forms.Field] = {}
    with translation.override(language):
        for question in questions:
            widget = _widget(question, language)
            if question.show_if:
                # Keys sorted: PostgreSQL's jsonb does not keep the order they were written in.
                widget.attrs["data-show-if"] = json.dumps(question.show_if, ensure_ascii=False, sort_keys=True)
            fields[question.key] = AnswerField(
                label=question.label(language),
                help_text=localized(question.help, language),
                required=question.required and not question.show_if,
                widget=widget,
            )
    attrs: dict[str, Any] = {"questions": questions, "language": language, **fields}
    return type(f"SurveyForm{form.pk}", (SurveyForm,), attrs)


def form_steps(questions: Sequence[Question], *, per_step: int = 5) -> list[list[Question]]:
    """Questions in steps of at most ``per_step``; a conditional question stays on the step of the one it follows."""
    if per_step < 1:
        raise ValueError("per_step must be at least 1")
    steps: list[list[Question]] = []
    for question in questions:
        follows_previous = (
            bool(question.show_if) and steps and steps[-1][-1].key == (question.show_if or {}).get("question")
        )
        if steps and (len(steps[-1]) < per_step or follows_previous):
            steps[-1].append(question)
        else:
            steps.append([question])
    return steps


def field_rows(form: SurveyForm) -> list[dict[str, Any]]:
    """The visible fields in order; a ranking gets its places spelled out, so each select has its own label."""
    rows: list[dict[str, Any]] = []
    for bound in form.visible_fields():
        widget = bound.field.widget
        if not isinstance(widget, RankingWidget):
            rows.append({"field": bound, "places": None})
            continue
        values = bound.value()
        values = values if isinstance(values, list) else []
        places = []
        for place, select in enumerate(widget.widgets):
            chosen = values[place] if place < len(values) and values[place] is not None else ""
            options = [
                (str(value), label, str(value) == str(chosen))
                for value, label in getattr(select, "choices", [])
                if str(value) != ""
            ]
            places.append(
                {
                    "id": f"{bound.auto_id}_{place}",
                    "name": f"{bound.html_name}_{place}",
                    "number": place + 1,
                    "options": options,
                }
            )
        rows.append({"field": bound, "places": places, "show_if": widget.attrs.get("data-show-if", "")})
    return rows
