"""The coordinator's form editor and preview.

Only coordinators of the form's organisation reach these pages; anyone else gets 404.
A form that already has answers can only gain questions or be copied: the pages
hide the other controls, and the services refuse them anyway.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kollega.core.http import AuthedHttpRequest
from kollega.core.models.texts import localized
from kollega.core.selectors import programme_get_for_coordinator
from kollega.surveys import selectors, services
from kollega.surveys.editor_forms import (
    LANGUAGE_NAMES,
    QuestionForm,
    TypeChoiceForm,
    form_languages,
    language_gaps,
)
from kollega.surveys.forms import field_rows, form_class, form_steps
from kollega.surveys.models import OPTION_TYPES, Form, OptionsSource, Purpose, Question, QuestionType

SOURCE_NOTES: dict[str, Any] = {
    OptionsSource.TIME_SLOTS: gettext_lazy("Options come from the programme's time slots."),
    OptionsSource.THEMES: gettext_lazy("Options come from the programme's themes that registrants rank."),
    OptionsSource.INDUSTRIES: gettext_lazy("Options come from the industry classification (TOL 2008 main classes)."),
    OptionsSource.CHANNELS: gettext_lazy("Options come from the programme's channels in use, and “somewhere else”."),
}


def _apply_errors(form: QuestionForm, exc: ValidationError) -> None:
    aliases = form.service_aliases()
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = aliases.get(name, name)
            for error in errors:
                form.add_error(target if target in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _question(form: Form, question_pk: int) -> Question:
    question = form.questions.filter(pk=question_pk).first()
    if question is None:
        raise Http404
    return question


def _detail_url(form: Form, question: Question | None = None) -> str:
    url = reverse("surveys:form_detail", args=[form.pk])
    return f"{url}#question-{question.key}" if question is not None else url


def _source_note(question: Question) -> str:
    note = SOURCE_NOTES.get(question.options_source)
    return str(note) if note else ""


def condition_text(question: Question, by_key: dict[str, Question]) -> str:
    """The question's condition in words, in the page's language (empty when it is always shown)."""
    condition = question.show_if
    if not isinstance(condition, dict):
        return ""
    target = by_key.get(str(condition.get("question")))
    name = localized(target.text) if target else str(condition.get("question"))
    raw = condition.get("contains", condition.get("equals"))
    value = str(raw)
    if target is not None and target.type in OPTION_TYPES:
        option = next((o for o in target.options if isinstance(o, dict) and o.get("key") == value), None)
        if option is not None:
            value = localized(option.get("label")) or value
    elif target is not None and target.type in (QuestionType.YES_NO, QuestionType.CONSENT):
        value = _("Yes") if value.lower() in ("yes", "true") else _("No")
    if "contains" in condition:
        return _("Shown only when the answer to “%(question)s” includes “%(value)s”.") % {
            "question": name,
            "value": value,
        }
    return _("Shown only when the answer to “%(question)s” is “%(value)s”.") % {"question": name, "value": value}


def _language_names(codes: list[str]) -> str:
    return ", ".join(str(LANGUAGE_NAMES.get(code, code)) for code in codes)


# --- the programme's registration form --------------------------------------


@login_required
def registration_form(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The registration form the programme asks; a button to make the default one when it has none."""
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    if request.method == "POST":
        from kollega.recruitment.services import registration_form_ensure  # recruitment builds on surveys

        try:
            form = registration_form_ensure(programme=programme, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The registration form is ready. Check its questions below."))
            return redirect("surveys:form_detail", pk=form.pk)
    forms = selectors.form_list_for_programme(programme=programme, purpose=Purpose.REGISTRATION)
    active = next((f for f in forms if f.active), None)
    if active is not None and request.method == "GET":
        return redirect("surveys:form_detail", pk=active.pk)
    return render(request, "surveys/registration_form_none.html", {"programme": programme, "forms": forms})


# --- one form ---------------------------------------------------------------


@login_required
def form_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    form = selectors.form_get_for_coordinator(user=request.user, pk=pk)
    questions = selectors.form_questions(form=form)
    languages = form_languages(form)
    by_key = {q.key: q for q in questions}
    answers = selectors.form_response_count(form=form)
    rows: list[dict[str, Any]] = []
    for index, question in enumerate(questions):
        gaps = language_gaps(question, languages)
        rows.append(
            {
                "question": question,
                "condition": condition_text(question, by_key),
                "source_note": _source_note(question),
                "gaps": _language_names(gaps),
                "first": index == 0,
                "last": index == len(questions) - 1,
            }
        )
    is_registration = form.purpose == Purpose.REGISTRATION and form.programme is not None
    others: list[Form] = []
    if form.programme is not None:
        siblings = selectors.form_list_for_programme(programme=form.programme, purpose=form.purpose)
        others = [f for f in siblings if f.pk != form.pk]
    return render(
        request,
        "surveys/form_detail.html",
        {
            "survey": form,
            "programme": form.programme,
            "rows": rows,
            "answers": answers,
            "editable": answers == 0,
            "languages": [(lang, LANGUAGE_NAMES[lang]) for lang in languages],
            "gap_count": sum(1 for row in rows if row["gaps"]),
            "is_registration": is_registration,
            "problems": selectors.registration_form_problems(form=form) if is_registration else [],
            "others": others,
        },
    )


@login_required
def question_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    form = selectors.form_get_for_coordinator(user=request.user, pk=pk)
    qtype = request.POST.get("type") or request.GET.get("type") or ""
    answers = selectors.form_response_count(form=form)
    if qtype not in QuestionType.values:
        chooser = TypeChoiceForm(request.GET if "type" in request.GET else None)
        if chooser.is_bound:
            chooser.is_valid()  # shows "choose a type" when the address named none or an unknown one
        return render(
            request,
            "surveys/question_type.html",
            {"survey": form, "programme": form.programme, "chooser": chooser, "answers": answers},
        )
    earlier = selectors.form_questions(form=form)
    editor = QuestionForm(request.POST or None, form=form, qtype=qtype, earlier=earlier)
    if request.method == "POST" and editor.is_valid():
        values = editor.values()
        key, kind = values.pop("key"), values.pop("type")
        try:
            question = services.question_add(form=form, key=key, type=kind, actor=request.user, **values)
        except ValidationError as exc:
            _apply_errors(editor, exc)
        else:
            messages.success(request, _("The question was added."))
            return redirect(_detail_url(form, question))
    return render(
        request,
        "surveys/question_form.html",
        {
            "survey": form,
            "programme": form.programme,
            "editor": editor,
            "question": None,
            "qtype": qtype,
            "type_label": QuestionType(qtype).label,
            "answers": answers,
        },
    )


def _refuse_if_answered(request: AuthedHttpRequest, form: Form) -> HttpResponse | None:
    if selectors.form_has_responses(form=form):
        messages.error(request, _("A form that already has answers can only gain questions or be copied."))
        return redirect("surveys:form_detail", pk=form.pk)
    return None


@login_required
def question_edit(request: AuthedHttpRequest, pk: int, question_pk: int) -> HttpResponse:
    form = selectors.form_get_for_coordinator(user=request.user, pk=pk)
    question = _question(form, question_pk)
    refused = _refuse_if_answered(request, form)
    if refused is not None:
        return refused
    qtype = request.POST.get("type") or request.GET.get("type") or question.type
    if qtype not in QuestionType.values:
        qtype = question.type
    questions = selectors.form_questions(form=form)
    earlier = [q for q in questions if (q.position, q.pk) < (question.position, question.pk)]
    editor = QuestionForm(request.POST or None, form=form, qtype=qtype, earlier=earlier, question=question)
    if request.method == "POST" and editor.is_valid():
        try:
            services.question_update(question=question, actor=request.user, **editor.values())
        except ValidationError as exc:
            question = _question(form, question_pk)  # the service may have changed the copy it was given
            _apply_errors(editor, exc)
        else:
            messages.success(request, _("The question was saved."))
            return redirect(_detail_url(form, question))
    return render(
        request,
        "surveys/question_form.html",
        {
            "survey": form,
            "programme": form.programme,
            "editor": editor,
            "question": question,
            "qtype": qtype,
            "type_label": QuestionType(qtype).label,
            "type_choices": QuestionType.choices,
            "source_note": _source_note(question),
            "answers": 0,
        },
    )


@login_required
def question_delete(request: AuthedHttpRequest, pk: int, question_pk: int) -> HttpResponse:
    form = selectors.form_get_for_coordinator(user=request.user, pk=pk)
    question = _question(form, question_pk)
    refused = _refuse_if_answered(request, form)
    if refused is not None:
        return refused
    problem = ""
    if request.method == "POST":
        try:
            services.question_delete(question=question, actor=request.user)
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            messages.success(request, _("The question “%(key)s” was deleted.") % {"key": question.key})
            return redirect("surveys:form_detail", pk=form.pk)
    return render(
        request,
        "surveys/question_delete.html",
        {"survey": form, "programme": form.programme, "question": question, "problem": problem},
    )


@login_required
@require_POST
def question_move(request: AuthedHttpRequest, pk: int, question_pk: int) -> HttpResponse:
    form = selectors.form_get_for_coordinator(user=request.user, pk=pk)
    question = _question(form, question_pk)
    keys = [q.key for q in selectors.form_questions(form=form)]
    index = keys.index(question.key)
    target = index - 1 if request.POST.get("direction") == "up" else index + 1
    if 0 <= target < len(keys):
        keys[index], keys[target] = keys[target], keys[index]
        try:
            services.questions_reorder(form=form, keys=keys, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    return redirect(_detail_url(form, question))


@login_required
def form_preview(request: AuthedHttpRequest, pk: int, language: str) -> HttpResponse:
    """The form as registrants see it in ``language``, one step at a time. A preview never submits."""
    form = selectors.form_get_for_coordinator(user=request.user, pk=pk)
    languages = form_languages(form)
    if language not in languages:
        raise Http404
    survey_class = form_class(form, language)
    steps = form_steps(survey_class.questions)
    try:
        number = int(request.GET.get("step", "1"))
    except ValueError:
        number = 1
    number = min(max(number, 1), max(len(steps), 1))
    bound = survey_class(auto_id="preview_%s")
    # The preview draws the fields exactly as the registration page does (a ranking as labelled places).
    keys = {q.key for q in steps[number - 1]} if steps else set()
    by_key = {q.key: q for q in survey_class.questions}
    # The notes on conditions are for the coordinator: in the page's language, not the previewed one.
    shown = [
        {**row, "condition": condition_text(by_key[row["field"].name], by_key)}
        for row in field_rows(bound)
        if row["field"].name in keys
    ]
    return render(
        request,
        "surveys/form_preview.html",
        {
            "survey": form,
            "programme": form.programme,
            "language": language,
            "language_name": LANGUAGE_NAMES[language],
            "languages": [(lang, LANGUAGE_NAMES[lang]) for lang in languages],
            "title": localized(form.title, language),
            "shown": shown,
            "number": number,
            "step_count": len(steps),
        },
    )


@login_required
@require_POST
def form_copy(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    form = selectors.form_get_for_coordinator(user=request.user, pk=pk)
    title = {}
    for lang, text in (form.title or {}).items():
        with translation.override(lang):
            title[lang] = _("%(title)s (copy)") % {"title": text}
    copy = services.form_copy(form=form, actor=request.user, title=title or None)
    if copy.purpose == Purpose.REGISTRATION and copy.programme_id is not None:
        messages.success(
            request,
            _("This is a copy, not yet in use. Edit it freely; when it is ready, use it for registration."),
        )
    else:
        messages.success(request, _("This is a copy. Edit it freely."))
    return redirect("surveys:form_detail", pk=copy.pk)


@login_required
@require_POST
def form_activate(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    form = selectors.form_get_for_coordinator(user=request.user, pk=pk)
    try:
        services.form_activate(form=form, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, _("The form was not put in use: %(reason)s") % {"reason": message})
    else:
        messages.success(request, _("Registration now asks this form. The earlier form is kept with its answers."))
    return redirect("surveys:form_detail", pk=form.pk)
