"""Reads of forms, questions and responses."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from kollega.core.models import Participant
from kollega.surveys.models import Answer, Form, Question, Response


def form_questions(*, form: Form, version: int | None = None) -> list[Question]:
    """The questions of ``form`` as they stood at ``version`` (default: now), in order."""
    return list(form.questions.filter(added_in_version__lte=version or form.version).order_by("position", "id"))


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
