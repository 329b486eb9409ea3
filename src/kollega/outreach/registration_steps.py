"""The registration form in short steps, with the answers kept server-side between steps.

The session holds, per programme, everything typed so far (as the browser sent
it, before cleaning), the furthest step reached, the channel of the share link
and whether the honeypot was ever filled. Nothing is stored in the database
until the last step sends the whole registration through
``recruitment.services.registration_submit``, which runs the same engine over
every answer again.

Each step is checked with ``surveys.engine.validate`` over the questions up to
and including that step, so a condition on an earlier answer is judged exactly
as the final check will judge it; only the step's own messages are shown.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Prefetch
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.core.models import Participant, Programme
from kollega.core.models.texts import localized
from kollega.surveys import engine
from kollega.surveys.forms import RankingWidget, SurveyForm, form_class, form_steps
from kollega.surveys.models import Answer, Form, Purpose, Question, QuestionType, Response
from kollega.surveys.selectors import form_questions, response_values

#: Questions per step: short enough for a phone screen.
PER_STEP = 5
#: The honeypot's field name. Question keys are slugs, so it can never be one of them.
HONEYPOT_FIELD = "website.address"
_STATE = "kollega.registration.{pk}"
_DONE = "kollega.registration.done.{pk}"


# --- the steps ------------------------------------------------------------------


class _StepOnly:
    """A step's form only collects and shows; the view runs the engine over all questions so far."""

    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        return self.cleaned_data


@dataclass
class Wizard:
    """One registration form in one language, split into steps."""

    form: Form
    language: str
    form_cls: type[SurveyForm]
    questions: list[Question]
    steps: list[list[Question]]

    @classmethod
    def build(cls, form: Form, language: str) -> Wizard:
        form_cls = form_class(form, language)
        questions = list(form_cls.questions)
        return cls(
            form=form,
            language=language,
            form_cls=form_cls,
            questions=questions,
            steps=form_steps(questions, per_step=PER_STEP),
        )

    @property
    def count(self) -> int:
        return len(self.steps)

    def upto(self, index: int) -> list[Question]:
        """The questions of every step up to and including ``index``."""
        return [q for step in self.steps[: index + 1] for q in step]

    def visible(self, index: int, answers: Mapping[str, Any]) -> list[Question]:
        """The step's questions, without those an answer on an earlier step has ruled out.

        A condition on a question of the same step is left to the page's script
        (and, without JavaScript, to the server, which ignores what it hides).
        """
        if not 0 <= index < self.count:
            return []
        earlier = {q.key for q in self.upto(index - 1)} if index else set()
        cleaned: dict[str, Any] | None = None
        shown = []
        for question in self.steps[index]:
            condition = question.show_if if isinstance(question.show_if, dict) else {}
            if condition and str(condition.get("question")) in earlier:
                if cleaned is None:
                    cleaned = engine.validate(self.upto(index - 1), answers, self.language).cleaned
                if not engine.is_shown(question, cleaned):
                    continue
            shown.append(question)
        return shown

    def next_index(self, index: int, answers: Mapping[str, Any]) -> int | None:
        """The next step with something to answer, or None after the last."""
        for candidate in range(index + 1, self.count):
            if self.visible(candidate, answers):
                return candidate
        return None

    def previous_index(self, index: int, answers: Mapping[str, Any]) -> int | None:
        for candidate in range(min(index, self.count) - 1, -1, -1):
            if self.visible(candidate, answers):
                return candidate
        return None

    def first_index(self, answers: Mapping[str, Any]) -> int:
        found = self.next_index(-1, answers)
        return 0 if found is None else found

    def step_of(self, key: str) -> int | None:
        for index, step in enumerate(self.steps):
            if any(q.key == key for q in step):
                return index
        return None

    def errors(self, index: int, answers: Mapping[str, Any]) -> dict[str, list[str]]:
        """The engine's messages for every question up to and including step ``index``."""
        return engine.validate(self.upto(index), answers, self.language).errors

    def collect(self, index: int, answers: dict[str, Any], post: QueryDict) -> None:
        """Copy what the step's fields sent into ``answers``, as each widget reads it (unchecked boxes too)."""
        form = self.form_cls()
        for question in self.visible(index, answers):
            bound_field = form.fields.get(question.key)
            if bound_field is None:
                continue
            value = bound_field.widget.value_from_datadict(post, {}, form.add_prefix(question.key))
            answers[question.key] = _storable(value)

    def step_form(
        self, index: int, answers: Mapping[str, Any], errors: Mapping[str, Sequence[str]] | None = None
    ) -> SurveyForm:
        """The step's fields, filled with the answers so far, with the step's own messages beside them."""
        visible = self.visible(index, answers)
        keep = {q.key for q in visible}
        step_cls = type("RegistrationStepForm", (_StepOnly, self.form_cls), {})
        form = step_cls(data=bound_data(visible, answers))
        for key in list(form.fields):
            if key not in keep:
                del form.fields[key]
        form.is_valid()  # the fields pass values through; this only prepares cleaned_data for add_error
        for key, messages in (errors or {}).items():
            if key in form.fields:
                for message in messages:
                    form.add_error(key, message)
        return form


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


def _storable(value: Any) -> Any:
    """A widget's value as JSON for the session, cut so a hostile post cannot bloat it.

    The cut keeps one character (or item) over the engine's limits, so the
    engine still reports the answer as too long instead of quietly shortening it.
    """
    if isinstance(value, str):
        return value[: engine.RAW_TEXT_LIMIT + 1]
    if isinstance(value, list | tuple):
        # A place of a ranking that was not sent at all is a place left empty.
        return ["" if item is None else _storable(item) for item in list(value)[: engine.RAW_LIST_LIMIT + 1]]
    if value is None or isinstance(value, bool):
        return value
    return str(value)[: engine.RAW_TEXT_LIMIT + 1]


def bound_data(questions: Sequence[Question], answers: Mapping[str, Any]) -> QueryDict:
    """The answers as the browser would post them, to bind a form that shows them again."""
    data = QueryDict(mutable=True)
    for question in questions:
        value = answers.get(question.key)
        if value is None or value is False:
            continue
        if question.type == QuestionType.RANKING:
            items = value if isinstance(value, list) else [value]
            for place, item in enumerate(items):
                data[f"{question.key}_{place}"] = "" if item is None else str(item)
        elif isinstance(value, list):
            data.setlist(question.key, ["" if item is None else str(item) for item in value])
        elif value is True:
            data[question.key] = "on"
        else:
            data[question.key] = str(value)
    return data


# --- the session ----------------------------------------------------------------


def state_get(session: SessionBase, programme: Programme) -> dict[str, Any] | None:
    state = session.get(_STATE.format(pk=programme.pk))
    return state if isinstance(state, dict) and isinstance(state.get("answers"), dict) else None


def state_new(form: Form) -> dict[str, Any]:
    return {
        "id": secrets.token_urlsafe(12),
        "form": form.pk,
        "answers": {},
        "reached": 0,
        "channel": "",
        "honeypot": False,
        "errors": {},
        "general_errors": [],
        "started_at": timezone.now().isoformat(),
    }


def state_save(session: SessionBase, programme: Programme, state: dict[str, Any]) -> None:
    session[_STATE.format(pk=programme.pk)] = state


def state_clear(session: SessionBase, programme: Programme) -> None:
    session.pop(_STATE.format(pk=programme.pk), None)


def done_set(session: SessionBase, programme: Programme, *, outcome: str, position: int | None, state_id: str) -> None:
    """What the confirmation page shows: the outcome only, never the answers."""
    session[_DONE.format(pk=programme.pk)] = {"outcome": outcome, "position": position, "state": state_id}


def done_get(session: SessionBase, programme: Programme) -> dict[str, Any] | None:
    done = session.get(_DONE.format(pk=programme.pk))
    return done if isinstance(done, dict) else None


# --- showing answers back -------------------------------------------------------


@dataclass
class AnswerRow:
    """One answer as a person reads it: ``items`` for lists, ``ordered`` for rankings."""

    key: str
    label: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    ordered: bool = False


def answer_row(question: Question, value: Any, language: str) -> AnswerRow:
    labels = {
        str(option.get("key")): localized(option.get("label"), language) or str(option.get("key"))
        for option in question.options or []
        if isinstance(option, dict)
    }
    row = AnswerRow(key=question.key, label=question.label(language))
    if isinstance(value, bool):
        row.text = _("Yes") if value else _("No")
    elif question.type == QuestionType.RANKING and isinstance(value, list):
        row.items = [labels.get(str(item), str(item)) for item in value]
        row.ordered = True
    elif isinstance(value, list):
        row.items = [labels.get(str(item), str(item)) for item in value]
    elif question.type == QuestionType.SINGLE_CHOICE:
        row.text = labels.get(str(value), str(value))
    else:
        row.text = str(value)
    return row


def answer_rows(questions: Sequence[Question], values: Mapping[str, Any], language: str) -> list[AnswerRow]:
    """The answers to every question but the consents (a page shows those with their own wording)."""
    return [
        answer_row(question, values[question.key], language)
        for question in questions
        if question.type != QuestionType.CONSENT and question.key in values and values[question.key] not in ("", [])
    ]


def registration_answers(*, participant: Participant, language: str) -> list[AnswerRow]:
    """The person's current registration answers, as the form asked them when they answered."""
    response = (
        Response.objects.filter(
            participant=participant,
            replaced_at__isnull=True,
            form__purpose=Purpose.REGISTRATION,
            form__programme_id=participant.programme_id,
        )
        .select_related("form")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")))
        .order_by("-submitted_at", "-id")
        .first()
    )
    if response is None:
        return []
    questions = form_questions(form=response.form, version=response.form_version)
    return answer_rows(questions, response_values(response=response), language)
