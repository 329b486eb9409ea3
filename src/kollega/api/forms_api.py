"""Forms, their questions and their answers.

A form that already has answers can only gain questions or be copied; a change
the rules refuse answers 409 with the code ``form_answered`` and changes nothing.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status

from kollega.accounts.models import User
from kollega.api import recruitment_schemas as rs
from kollega.api import schemas as s
from kollega.api import selectors
from kollega.api.auth import request_user
from kollega.api.errors import refusals
from kollega.core.models import Participant
from kollega.surveys import selectors as surveys_selectors
from kollega.surveys import services as surveys_services
from kollega.surveys.models import Form, Purpose, Question, Response

router = Router(tags=["forms"])

#: The surveys services' code for a change an answered form refuses.
FORM_ANSWERED = "form_answered"


# --- permission-checked reads ------------------------------------------------------


def _forms_counted(qs: QuerySet[Form]) -> QuerySet[Form]:
    return qs.annotate(
        question_count=Count("questions", distinct=True),
        response_count=Count("responses", filter=Q(responses__replaced_at__isnull=True), distinct=True),
    )


def form_get_for_api(*, user: User, pk: int) -> Form:
    """A form of an organisation ``user`` coordinates; 404 (or 403 for a facilitator) otherwise."""
    form = Form.objects.select_related("organisation", "programme").filter(pk=pk).first()
    if form is None:
        raise Http404
    selectors.access_for_user(user=user).check(form.organisation_id)
    return form


def question_get_for_api(*, user: User, pk: int) -> Question:
    question = Question.objects.select_related("form__organisation", "form__programme").filter(pk=pk).first()
    if question is None:
        raise Http404
    selectors.access_for_user(user=user).check(question.form.organisation_id)
    return question


def registration_response_for_api(*, participant: Participant) -> Response | None:
    """The participant's current answers to a registration form (the latest, should there be several)."""
    return (
        Response.objects.filter(participant=participant, form__purpose=Purpose.REGISTRATION, replaced_at__isnull=True)
        .select_related("form")
        .prefetch_related("answers__question")
        .order_by("-submitted_at", "-id")
        .first()
    )


# --- helpers -------------------------------------------------------------------


def _detail(form: Form) -> rs.FormDetailOut:
    form = Form.objects.select_related("organisation", "programme").get(pk=form.pk)
    questions = surveys_selectors.form_questions(form=form)
    responses = Response.objects.filter(form=form)
    return rs.form_detail_out(
        form,
        questions,
        response_count=responses.filter(replaced_at__isnull=True).count(),
        answered=responses.exists(),
        tz=form.organisation.tz,
    )


def _question(question: Question) -> rs.QuestionOut:
    """The question as a reader of the form sees it: options from the programme filled in."""
    for current in surveys_selectors.form_questions(form=question.form):
        if current.pk == question.pk:
            return rs.question_out(current)
    return rs.question_out(question)


# --- forms -----------------------------------------------------------------------


@router.get("/programmes/{programme_id}/forms", response={200: list[rs.FormOut], **s.ERRORS}, summary="List forms")
def form_list(request: HttpRequest, programme_id: int) -> list[rs.FormOut]:
    """The programme's forms, newest first, with how many questions and current answers each has."""
    programme = selectors.programme_get_for_api(user=request_user(request), pk=programme_id)
    forms = _forms_counted(Form.objects.filter(programme=programme)).order_by("-created_at", "-id")
    tz = programme.organisation.tz
    return [rs.form_out(form, tz) for form in forms]


@router.get("/forms/{form_id}", response={200: rs.FormDetailOut, **s.ERRORS}, summary="Read a form")
def form_read(request: HttpRequest, form_id: int) -> rs.FormDetailOut:
    """A form with its questions in order, texts in every language; options from the programme are filled in."""
    return _detail(form_get_for_api(user=request_user(request), pk=form_id))


@router.post("/forms/{form_id}/copy", response={201: rs.FormDetailOut, **s.ERRORS}, summary="Copy a form")
def form_copy(request: HttpRequest, form_id: int, payload: rs.FormCopyIn) -> Status[rs.FormDetailOut]:
    """A new, unanswered form with the same questions. A copy of a registration form waits until activated."""
    user = request_user(request)
    form = form_get_for_api(user=user, pk=form_id)
    title = s.merge_texts(form.title, payload.title) if payload.title is not None else None
    copy = surveys_services.form_copy(form=form, actor=user, title=title or None)
    return Status(201, _detail(copy))


@router.post(
    "/forms/{form_id}/activate",
    response={200: rs.FormDetailOut, **s.ERRORS},
    summary="Use a form for registration",
)
def form_activate(request: HttpRequest, form_id: int) -> rs.FormDetailOut:
    """Make this registration form the one the programme's registration asks; the one before is kept, unused."""
    user = request_user(request)
    form = form_get_for_api(user=user, pk=form_id)
    surveys_services.form_activate(form=form, actor=user)
    return _detail(form)


# --- questions -------------------------------------------------------------------


@router.post(
    "/forms/{form_id}/questions", response={201: rs.QuestionOut, **s.ERRORS}, summary="Add a question to a form"
)
def question_add(request: HttpRequest, form_id: int, payload: rs.QuestionCreateIn) -> Status[rs.QuestionOut]:
    """A question at the end of the form. Added to an answered form, it makes a new version of the form."""
    user = request_user(request)
    form = form_get_for_api(user=user, pk=form_id)
    fields = rs.question_changes(payload)
    fields.pop("key", None)
    fields.pop("type", None)
    question = surveys_services.question_add(
        form=form, key=payload.key.strip(), type=payload.type.value, actor=user, **fields
    )
    return Status(201, _question(question))


@router.patch("/questions/{question_id}", response={200: rs.QuestionOut, **s.REFUSED}, summary="Change a question")
def question_update(request: HttpRequest, question_id: int, payload: rs.QuestionUpdateIn) -> rs.QuestionOut:
    """Change what the body names. Refused (409, `form_answered`) once the form has answers."""
    user = request_user(request)
    question = question_get_for_api(user=user, pk=question_id)
    fields = rs.question_changes(payload, question)
    with refusals(codes={FORM_ANSWERED}):
        question = surveys_services.question_update(question=question, actor=user, **fields)
    return _question(question)


@router.delete("/questions/{question_id}", response={204: None, **s.REFUSED}, summary="Delete a question")
def question_delete(request: HttpRequest, question_id: int) -> Status[None]:
    """Delete a question of a form nobody has answered. Refused (409, `form_answered`) once it has answers."""
    user = request_user(request)
    question = question_get_for_api(user=user, pk=question_id)
    with refusals(codes={FORM_ANSWERED}):
        surveys_services.question_delete(question=question, actor=user)
    return Status(204, None)


@router.post(
    "/forms/{form_id}/order", response={200: rs.FormDetailOut, **s.REFUSED}, summary="Reorder a form's questions"
)
def questions_reorder(request: HttpRequest, form_id: int, payload: rs.QuestionOrderIn) -> rs.FormDetailOut:
    """Put the questions in the order of `keys` (every key once). Refused (409) once the form has answers."""
    user = request_user(request)
    form = form_get_for_api(user=user, pk=form_id)
    with refusals(codes={FORM_ANSWERED}):
        surveys_services.questions_reorder(form=form, keys=payload.keys, actor=user)
    return _detail(form)


# --- answers ---------------------------------------------------------------------


@router.get("/forms/{form_id}/responses", response={200: rs.ResponsePage, **s.ERRORS}, summary="List a form's answers")
def response_list(request: HttpRequest, form_id: int, page: Query[rs.ResponseQuery]) -> rs.ResponsePage:
    """Answers to the form, first submitted first, one page at a time, with each answer's form version."""
    form = form_get_for_api(user=request_user(request), pk=form_id)
    qs = surveys_selectors.responses_for_form(form=form, include_replaced=page.include_replaced).order_by(
        "submitted_at", "id"
    )
    count = qs.count()
    items = list(qs[page.offset : page.offset + page.limit]) if page.offset < count else []
    tz = form.organisation.tz
    return rs.ResponsePage(
        count=count, limit=page.limit, offset=page.offset, items=[rs.response_out(r, tz) for r in items]
    )


@router.get(
    "/participants/{participant_id}/registration-answers",
    response={200: rs.RegistrationAnswersOut, **s.ERRORS},
    summary="Read a participant's registration answers",
)
def registration_answers(request: HttpRequest, participant_id: int) -> rs.RegistrationAnswersOut:
    """The participant's current answers to the registration form; `response` is null when there are none."""
    participant = selectors.participant_get_for_api(user=request_user(request), pk=participant_id)
    response = registration_response_for_api(participant=participant)
    tz = participant.programme.organisation.tz
    return rs.RegistrationAnswersOut(
        participant_id=participant.pk, response=rs.response_out(response, tz) if response else None
    )
