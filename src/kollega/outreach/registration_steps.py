"""The registration form in short steps, with the answers kept server-side between steps.

The session holds, per programme, everything typed so far (as the browser sent
it, before cleaning), the furthest step reached, the channel of the share link
and whether the honeypot was ever filled. Nothing is stored in the database
until the last step sends the whole registration through
``recruitment.services.registration_submit``, which runs the same engine over
every answer again.

Only the form's own questions are kept, and each answer is cut to what its
question can accept plus one character (see ``stored_value``), so a session
stays a few tens of kilobytes whatever is posted. The step that was just sent
is checked and shown again with the full text, so the engine's "it is now N
characters" counts what was typed.

Each step is checked with ``surveys.engine.validate`` over the questions up to
and including that step, so a condition on an earlier answer is judged exactly
as the final check will judge it; only the step's own messages are shown.
"""

from __future__ import annotations

import re
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
from kollega.surveys.forms import SurveyForm, form_class, form_steps
from kollega.surveys.models import Answer, Form, Purpose, Question, QuestionType, Response
from kollega.surveys.selectors import form_questions, response_values

#: Questions per step: short enough for a phone screen.
PER_STEP = 5
#: The honeypot's field name. Question keys are slugs, so it can never be one of them.
HONEYPOT_FIELD = "website.address"
#: What the session keeps of an email address, a phone number and any other short answer (a number,
#: a choice, yes or no), plus one character so that a longer answer is still refused as too long.
EMAIL_MAX = 254
PHONE_MAX = engine.PHONE_MAX
OTHER_MAX = 40
_STATE = "kollega.registration.{pk}"
#: The form of a state's id (``secrets.token_urlsafe(12)``).
_STATE_ID = re.compile(r"[A-Za-z0-9_-]{16}")
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

    def collect(self, index: int, answers: dict[str, Any], post: QueryDict) -> dict[str, Any]:
        """Copy what the step's fields sent into ``answers``, as each widget reads it (unchecked boxes too).

        ``answers`` (kept in the session) gets each value cut by ``stored_value``;
        the values as sent are returned, to check and show again in this request only.
        """
        form = self.form_cls()
        sent: dict[str, Any] = {}
        for question in self.visible(index, answers):
            bound_field = form.fields.get(question.key)
            if bound_field is None:
                continue
            value = _plain(bound_field.widget.value_from_datadict(post, {}, form.add_prefix(question.key)))
            sent[question.key] = value
            answers[question.key] = stored_value(question, value)
        return sent

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


def _plain(value: Any) -> Any:
    """A widget's value as JSON can hold it: text, a list of texts, true/false or nothing."""
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return value
    if isinstance(value, list | tuple):
        # A place of a ranking that was not sent at all is a place left empty.
        return ["" if item is None else item if isinstance(item, str) else str(item) for item in value]
    return str(value)


def _longest_option(question: Question) -> int:
    return max((len(key) for key in question.option_keys), default=0)


def _limit(question: Question) -> int:
    """The most characters an acceptable answer to ``question`` can have (after the engine strips it)."""
    kind = question.type
    if kind == QuestionType.SHORT_TEXT:
        return question.max_length or engine.SHORT_TEXT_MAX
    if kind == QuestionType.LONG_TEXT:
        return question.max_length or engine.LONG_TEXT_MAX
    if kind == QuestionType.EMAIL:
        return EMAIL_MAX
    if kind == QuestionType.PHONE:
        return PHONE_MAX
    return max(OTHER_MAX, _longest_option(question))


def _cut(text: str, keep: int, *, stripped: bool) -> str:
    """``text`` in at most ``keep`` characters, still refused by the engine when the whole of it is.

    The cut keeps ``keep - 1`` characters and then the next one that is not
    white space, so the engine's own stripping cannot turn a too-long answer
    into a short enough one. ``stripped``: the engine strips this answer before
    judging it, so white space around it is left out first.
    """
    if len(text) <= keep:
        return text
    if stripped:
        text = text.strip()
        if len(text) <= keep:
            return text
    rest = text[keep - 1 :]
    last = next((ch for ch in rest if not ch.isspace()), rest[0])
    return text[: keep - 1] + last


def stored_value(question: Question, value: Any) -> Any:
    """What the session keeps of an answer: at most what the question can accept plus one character.

    The extra character keeps a too-long answer too long, so the engine still
    refuses it with its usual message. Lists keep at most one item more than
    the question has options (more can never be a valid answer). Only what the
    engine strips is stripped: an option key must match exactly.
    """
    stripped = question.type not in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING)
    keep = _limit(question) + 1
    if isinstance(value, str):
        return _cut(value, keep, stripped=stripped)
    if isinstance(value, list):
        most = len(question.option_keys) + 1
        if len(value) > most:
            # Blank items mean nothing to the engine; leave them out before counting.
            value = [item for item in value if not (isinstance(item, str) and not item.strip())]
        item_keep = max(OTHER_MAX, _longest_option(question)) + 1
        return [_cut(item, item_keep, stripped=False) if isinstance(item, str) else item for item in value[:most]]
    return value


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


def state_new(form: Form, *, state_id: str = "") -> dict[str, Any]:
    """A new, empty set of answers; ``state_id``: the id the page was shown with, if it is one of ours."""
    return {
        "id": state_id if _STATE_ID.fullmatch(state_id) else secrets.token_urlsafe(12),
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
