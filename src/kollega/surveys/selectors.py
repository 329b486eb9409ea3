"""Reads of forms, questions and responses."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kollega.core.industries import industries
from kollega.core.models import ConsentItem, Participant, Programme
from kollega.core.selectors import AnyUser, organisation_ids_for_coordinator
from kollega.surveys.models import Answer, Form, OptionsSource, Question, QuestionType, Response

#: The last option of a channel question: heard of it some other way.
OTHER_OPTION = "other"
OTHER_LABEL = {"fi": "Muualta", "sv": "Någon annanstans", "en": "Somewhere else"}


def form_questions(*, form: Form, version: int | None = None) -> list[Question]:
    """The questions of ``form`` as they stood at ``version`` (default: now), in order.

    A question whose options come from the programme (``options_source``) gets
    them filled in here, so the engine, the pages and the API see real options.
    """
    questions = list(form.questions.filter(added_in_version__lte=version or form.version).order_by("position", "id"))
    if any(q.options_source for q in questions):
        cache: dict[str, list[dict[str, Any]]] = {}
        for question in questions:
            if question.options_source:
                if question.options_source not in cache:
                    cache[question.options_source] = sourced_options(form=form, source=question.options_source)
                question.options = cache[question.options_source]
    return questions


def sourced_options(*, form: Form, source: str) -> list[dict[str, Any]]:
    """The options ``[{"key", "label": {lang: text}}]`` a programme gives a question, right now."""
    programme = form.programme
    if programme is None:
        return []
    if source == OptionsSource.TIME_SLOTS:
        return [
            {
                "key": slot.key,
                "label": {
                    lang: f"{text} {slot.start_time:%H:%M}–{slot.end_time:%H:%M}" for lang, text in slot.name.items()
                },
            }
            for slot in programme.time_slots.all()
        ]
    if source == OptionsSource.THEMES:
        return [{"key": theme.key, "label": dict(theme.title)} for theme in programme.themes.all() if theme.is_rankable]
    if source == OptionsSource.INDUSTRIES:
        return [{"key": code, "label": dict(names)} for code, names in industries().items()]
    if source == OptionsSource.CHANNELS:
        from kollega.outreach.models import Channel  # outreach builds on surveys, not the other way round

        channels = [
            {"key": channel.key, "label": dict(channel.name) or {"fi": channel.key}}
            for channel in Channel.objects.filter(programme=programme, active=True).order_by("position", "id")
        ]
        return [*channels, {"key": OTHER_OPTION, "label": OTHER_LABEL}]
    return []


def form_get_for_coordinator(*, user: AnyUser, pk: int) -> Form:
    """The form, if ``user`` coordinates its organisation; otherwise 404 (never reveal others)."""
    form = (
        Form.objects.select_related("organisation", "programme", "programme__organisation")
        .filter(pk=pk, organisation_id__in=organisation_ids_for_coordinator(user=user))
        .first()
    )
    if form is None:
        raise Http404
    return form


def form_list_for_programme(*, programme: Programme, purpose: str) -> list[Form]:
    """The programme's forms of one purpose, the one in use first, each with ``response_count``."""
    return list(
        Form.objects.filter(programme=programme, purpose=purpose)
        .annotate(response_count=Count("responses"))
        .order_by("-active", "-created_at", "-id")
    )


def form_response_count(*, form: Form) -> int:
    return Response.objects.filter(form=form).count()


def registration_form_problems(*, form: Form) -> list[str]:
    """What a registration form lacks before people can register with it (empty when nothing).

    Registration makes a person from the name and the email address, and nobody
    registers without agreeing to the privacy notice.
    """
    by_key = {q.key: q for q in form.questions.all()}
    problems = []
    name = by_key.get("name")
    if name is None or name.type != QuestionType.SHORT_TEXT or not name.required or name.show_if:
        problems.append(_("The form needs a required short-text question with the key “name”."))
    email = by_key.get("email")
    if email is None or email.type != QuestionType.EMAIL or not email.required or email.show_if:
        problems.append(_("The form needs a required email question with the key “email”."))
    if not any(
        q.type == QuestionType.CONSENT and q.consent_item == ConsentItem.PRIVACY_NOTICE and q.required and not q.show_if
        for q in by_key.values()
    ):
        problems.append(_("The form needs a required consent question for the privacy notice."))
    return problems


def form_has_responses(*, form: Form) -> bool:
    return Response.objects.filter(form=form).exists()


def response_current(*, form: Form, participant: Participant) -> Response | None:
    """The participant's answer to ``form`` that has not been replaced, with its answers loaded."""
    return (
        Response.objects.filter(form=form, participant=participant, replaced_at__isnull=True)
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")))
        .first()
    )


def responses_for_form(*, form: Form, include_replaced: bool = False) -> QuerySet[Response]:
    """Every current response to ``form`` with its participant and answers, in a fixed number of queries."""
    responses = Response.objects.filter(form=form)
    if not include_replaced:
        responses = responses.filter(replaced_at__isnull=True)
    return responses.select_related("participant__user").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("question"))
    )


def response_values(*, response: Response) -> dict[str, object]:
    """The answers of a response by question key (uses prefetched answers when present)."""
    return {answer.question.key: answer.value for answer in response.answers.all()}
