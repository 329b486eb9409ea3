"""Every state change of forms, questions and responses. One service is one transaction."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.models import ConsentItem, Organisation, Participant, Programme
from kollega.core.services import audit_log
from kollega.surveys import engine, selectors
from kollega.surveys.models import (
    OPTION_TYPES,
    Answer,
    Form,
    OptionsSource,
    Purpose,
    Question,
    QuestionType,
    Response,
)

# What a coordinator may set on a question besides its key and type.
QUESTION_FIELDS = frozenset(
    {
        "required",
        "text",
        "help",
        "options",
        "allow_partial",
        "scale_min",
        "scale_max",
        "scale_labels",
        "number_min",
        "number_max",
        "max_length",
        "show_if",
        "consent_item",
        "options_source",
    }
)
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
#: What a question's key and an option's key look like.
KEY_PATTERN = _KEY
#: The most points a rating scale can show (0–10 has 11).
SCALE_POINTS_MAX = 21


def _answered_refusal() -> ValidationError:
    return ValidationError(
        _("A form that already has answers can only gain questions or be copied."), code="form_answered"
    )


def _lock(form: Form) -> Form:
    return Form.objects.select_for_update().get(pk=form.pk)


# --- forms ------------------------------------------------------------------


@transaction.atomic
def form_create(
    *,
    organisation: Organisation,
    purpose: str,
    title: dict[str, str],
    programme: Programme | None = None,
    actor: User | None = None,
) -> Form:
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Unknown purpose of a form.")})
    if not isinstance(title, dict) or not any(isinstance(v, str) and v.strip() for v in title.values()):
        raise ValidationError({"title": _("Give the form a title in at least one language.")})
    if programme is not None and programme.organisation_id != organisation.pk:
        raise ValidationError({"programme": _("The programme belongs to another organisation.")})
    # A programme asks one registration form at a time: a second one waits, not in use, until it is chosen.
    active = not (
        purpose == Purpose.REGISTRATION
        and programme is not None
        and Form.objects.filter(programme=programme, purpose=Purpose.REGISTRATION, active=True).exists()
    )
    form = Form.objects.create(
        organisation=organisation, programme=programme, purpose=purpose, title=title, active=active
    )
    audit_log(action="surveys.form.created", subject=form, actor=actor, organisation=organisation)
    return form


@transaction.atomic
def form_copy(*, form: Form, actor: User | None = None, title: dict[str, str] | None = None) -> Form:
    """A new, unanswered form with the same questions as ``form`` has now."""
    form = Form.objects.get(pk=form.pk)  # the caller's copy may predate a new version
    copy = Form.objects.create(
        organisation=form.organisation,
        programme=form.programme,
        purpose=form.purpose,
        title=title or dict(form.title),
        # A programme asks one registration form at a time: the copy waits until it is chosen.
        active=form.purpose != Purpose.REGISTRATION,
    )
    fields = ["key", "type", "position", *sorted(QUESTION_FIELDS)]
    Question.objects.bulk_create(
        Question(form=copy, added_in_version=1, **{name: getattr(q, name) for name in fields})
        for q in selectors.form_questions(form=form)
    )
    audit_log(
        action="surveys.form.copied",
        subject=copy,
        actor=actor,
        organisation=form.organisation,
        data={"from_form": form.pk, "from_version": form.version},
    )
    return copy


@transaction.atomic
def form_activate(*, form: Form, actor: User | None = None) -> Form:
    """Make ``form`` the registration form its programme asks; the one asked until now is kept, not in use."""
    if form.purpose != Purpose.REGISTRATION or form.programme_id is None:
        raise ValidationError(_("Only a programme's registration form can be put in use this way."), code="purpose")
    # Lock the programme's registration forms: two activations at once must leave one form in use.
    forms = list(
        Form.objects.select_for_update()
        .filter(programme_id=form.programme_id, purpose=Purpose.REGISTRATION)
        .order_by("pk")
    )
    form = next(f for f in forms if f.pk == form.pk)
    if form.active:
        return form
    problems = selectors.registration_form_problems(form=form)
    if problems:
        raise ValidationError(problems, code="incomplete")
    previous = [f for f in forms if f.active]
    Form.objects.filter(pk__in=[f.pk for f in previous]).update(active=False)
    form.active = True
    form.save(update_fields=["active"])
    audit_log(
        action="surveys.form.activated",
        subject=form,
        actor=actor,
        organisation=form.organisation,
        data={"replaced": [f.pk for f in previous]},
    )
    return form


# --- questions --------------------------------------------------------------


def _check_question(question: Question, earlier: list[Question]) -> None:
    """Refuse a question definition that could not be answered sensibly."""
    errors: dict[str, str] = {}
    if not _KEY.match(question.key or ""):
        errors["key"] = _("Use lower-case letters, digits, hyphens and underscores in the key, at most 50 characters.")
    if question.type not in QuestionType.values:
        errors["type"] = _("Unknown type of question.")
    if not isinstance(question.text, dict) or not any(isinstance(v, str) and v.strip() for v in question.text.values()):
        errors["text"] = _("Write the question in at least one language.")
    if question.options_source and question.options_source not in OptionsSource.values:
        errors["options_source"] = _("Unknown source of options.")
    elif question.options_source and question.type not in OPTION_TYPES:
        errors["options_source"] = _("Only a choice or ranking question can take its options from the programme.")
    elif question.options_source and question.form.programme_id is None:
        errors["options_source"] = _("Only a programme's form can take options from the programme.")
    elif question.type in OPTION_TYPES and not question.options_source:
        options = question.options if isinstance(question.options, list) else []
        keys = [o.get("key") for o in options if isinstance(o, dict)]
        if (
            len(options) < 2
            or len(keys) != len(options)
            or not all(isinstance(k, str) and _KEY.match(k) for k in keys)
            or len(set(keys)) != len(keys)
            or not all(isinstance(o.get("label"), dict) and o["label"] for o in options)
        ):
            errors["options"] = _("Give at least two options, each with its own key and a label.")
    if question.type == QuestionType.CONSENT and question.consent_item not in ConsentItem.values:
        errors["consent_item"] = _("Choose the consent this question asks for.")
    if question.scale_min is not None and question.scale_max is not None and question.scale_max <= question.scale_min:
        errors["scale_max"] = _("The top of the scale must be greater than its bottom.")
    elif (
        question.type == QuestionType.RATING_SCALE
        and engine._scale(question)[1] - engine._scale(question)[0] + 1 > SCALE_POINTS_MAX
    ):
        errors["scale_max"] = _("A scale can have at most %(count)d points.") % {"count": SCALE_POINTS_MAX}
    if (
        question.number_min is not None
        and question.number_max is not None
        and question.number_max < question.number_min
    ):
        errors["number_max"] = _("The largest number cannot be smaller than the smallest.")
    if question.max_length is not None and question.max_length < 1:
        errors["max_length"] = _("The longest answer must be at least one character.")
    if question.show_if:
        condition = question.show_if
        target = next((q for q in earlier if isinstance(condition, dict) and q.key == condition.get("question")), None)
        wants = set(condition) - {"question"} if isinstance(condition, dict) else set()
        if target is None or len(wants) != 1 or not wants <= {"equals", "contains"}:
            errors["show_if"] = _("A condition must name an earlier question and the answer that shows this one.")
        elif "contains" in wants and target.type != QuestionType.MULTIPLE_CHOICE:
            errors["show_if"] = _("Only a multiple-choice question can be used with “contains”.")
        else:
            message = _condition_value_problem(target, condition.get("equals", condition.get("contains")))
            if message:
                errors["show_if"] = message
    if errors:
        raise ValidationError(errors)


def _condition_value_problem(target: Question, value: Any) -> str:
    """Why ``value`` can never be the answer to ``target`` (empty when it can)."""
    if value is None or isinstance(value, dict | list) or str(value).strip() == "":
        return _("Give the answer that shows this question.")
    if target.type in OPTION_TYPES and target.option_keys and str(value) not in target.option_keys:
        return _("“%(value)s” is not an option of the question “%(key)s”. Use one of: %(options)s.") % {
            "value": value,
            "key": target.key,
            "options": ", ".join(target.option_keys),
        }
    if target.type in {QuestionType.YES_NO, QuestionType.CONSENT} and str(value).lower() not in {
        "yes",
        "no",
        "true",
        "false",
    }:
        return _("The answer to a yes-or-no question is “yes” or “no”.")
    return ""


def _unknown_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - QUESTION_FIELDS
    if unknown:
        raise ValidationError(_("These cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})


@transaction.atomic
def question_add(*, form: Form, key: str, type: str, actor: User | None = None, **fields: Any) -> Question:
    """Add a question at the end. Adding to an answered form makes a new version of the form."""
    _unknown_fields(fields)
    form = _lock(form)
    existing = selectors.form_questions(form=form)
    if any(q.key == key for q in form.questions.all()):
        raise ValidationError({"key": _("Another question of this form already has this key.")})
    question = Question(form=form, key=key, type=type, **fields)
    _check_question(question, existing)
    if selectors.form_has_responses(form=form):
        form.version += 1
        form.save(update_fields=["version"])
    question.added_in_version = form.version
    question.position = (form.questions.aggregate(top=Max("position"))["top"] or 0) + 1
    question.save()
    audit_log(
        action="surveys.question.added",
        subject=question,
        actor=actor,
        organisation=form.organisation,
        data={"form": form.pk, "key": key, "version": form.version},
    )
    return question


@transaction.atomic
def question_update(*, question: Question, actor: User | None = None, **fields: Any) -> Question:
    """Change a question of a form nobody has answered yet."""
    changeable = QUESTION_FIELDS | {"key", "type"}
    unknown = set(fields) - changeable
    if unknown:
        raise ValidationError(_("These cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    form = _lock(question.form)
    if selectors.form_has_responses(form=form):
        raise _answered_refusal()
    questions = selectors.form_questions(form=form)
    if "key" in fields and fields["key"] != question.key:
        if any(q.key == fields["key"] for q in questions):
            raise ValidationError({"key": _("Another question of this form already has this key.")})
        if any(isinstance(q.show_if, dict) and q.show_if.get("question") == question.key for q in questions):
            raise ValidationError(
                {"key": _("Another question's condition uses this key; change that condition first.")}
            )
    for name, value in fields.items():
        setattr(question, name, value)
    earlier = [q for q in questions if (q.position, q.pk) < (question.position, question.pk)]
    _check_question(question, earlier)
    question.save(update_fields=sorted(fields))
    audit_log(
        action="surveys.question.updated",
        subject=question,
        actor=actor,
        organisation=form.organisation,
        data={"fields": sorted(fields)},
    )
    return question


@transaction.atomic
def question_delete(*, question: Question, actor: User | None = None) -> None:
    form = _lock(question.form)
    if selectors.form_has_responses(form=form):
        raise _answered_refusal()
    if form.questions.filter(show_if__question=question.key).exists():
        raise ValidationError(_("Another question is shown only after this one; change that condition first."))
    audit_log(
        action="surveys.question.deleted",
        subject=question,
        actor=actor,
        organisation=form.organisation,
        data={"form": form.pk, "key": question.key},
    )
    question.delete()


@transaction.atomic
def questions_reorder(*, form: Form, keys: list[str], actor: User | None = None) -> list[Question]:
    """Put the questions of an unanswered form in the order of ``keys``."""
    form = _lock(form)
    if selectors.form_has_responses(form=form):
        raise _answered_refusal()
    by_key = {q.key: q for q in selectors.form_questions(form=form)}
    if sorted(keys) != sorted(by_key):
        raise ValidationError(_("Give every question of the form exactly once."))
    ordered = [by_key[key] for key in keys]
    for index, question in enumerate(ordered):
        condition = question.show_if
        if isinstance(condition, dict) and condition.get("question") not in keys[:index]:
            raise ValidationError(
                _("The question “%(key)s” depends on an answer that would come after it.") % {"key": question.key}
            )
        question.position = index + 1
    Question.objects.bulk_update(ordered, ["position"])
    audit_log(action="surveys.questions.reordered", subject=form, actor=actor, organisation=form.organisation)
    return ordered


# --- responses --------------------------------------------------------------


@transaction.atomic
def response_submit(*, form: Form, participant: Participant | None, raw: Any, language: str) -> Response:
    """Validate and store an answer to the form's current version; an earlier answer is replaced and kept.

    Invalid input raises ValidationError with messages per question key and stores nothing.
    """
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    form = _lock(form)
    if participant is not None and form.programme_id is not None and participant.programme_id != form.programme_id:
        raise ValidationError(_("This form belongs to another programme."))
    questions = selectors.form_questions(form=form)
    result = engine.validate(questions, raw, language)
    if not result.is_valid:
        raise ValidationError(result.errors)
    now = timezone.now()
    replaced: list[int] = []
    if participant is not None:
        earlier = Response.objects.select_for_update().filter(
            form=form, participant=participant, replaced_at__isnull=True
        )
        replaced = list(earlier.values_list("pk", flat=True))
        earlier.update(replaced_at=now)
    response = Response.objects.create(
        form=form, form_version=form.version, participant=participant, language=language, submitted_at=now
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=q, value=result.cleaned[q.key]) for q in questions if q.key in result.cleaned
    )
    audit_log(
        action="surveys.response.submitted",
        subject=response,
        organisation=form.organisation,
        data={"form": form.pk, "version": form.version, "replaced": replaced},
    )
    return response
