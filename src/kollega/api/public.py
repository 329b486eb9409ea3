"""The public side of a published programme, without a token: its information and registration.

Anyone may call these, from any site: a partner's web page can show the
programme and send registrations here. They follow the same rules as the
registration form on the programme page (window, honeypot, rate limit per
address, validation), answer in the registrant's language, and never show
anyone else's data. Every answer, errors included, carries the CORS header
that lets a page on another site read it; no cookie or token is read, so there
is nothing for another site to ride on (and so no CSRF check to pass).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Router

from kollega.api import errors
from kollega.api import recruitment_schemas as rs
from kollega.api import schemas as s
from kollega.api.registrations import (
    BODY_LIMIT,
    REFUSAL_CODES,
    BodyProblem,
    check_meta,
    field_errors,
    read_json_object,
    unknown_keys,
)
from kollega.core.http import client_ip
from kollega.core.models import Participant, Programme, Status
from kollega.outreach import selectors as outreach_selectors
from kollega.outreach.models import PAGE_TEXT_FIELDS, ProgrammePage
from kollega.recruitment import selectors as recruitment_selectors
from kollega.recruitment import services as recruitment_services
from kollega.recruitment.models import Source
from kollega.surveys import engine
from kollega.surveys import selectors as surveys_selectors

router = Router(tags=["public"])

PATH = "/public/programmes/{org_slug}/{programme_slug}"
#: The honeypot: a field people never see or fill in, and form-filling robots do.
HONEYPOT = "website"
#: How long a rate-limited client is asked to wait, in seconds (the limit counts per hour).
RETRY_AFTER = 3600

_SLUG = re.compile(r"^[A-Za-z0-9_-]{1,100}$")

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept-Language",
    "Access-Control-Max-Age": "86400",
}


# --- reads ---------------------------------------------------------------------------


def programme_published(*, org_slug: str, programme_slug: str) -> tuple[Programme, ProgrammePage] | None:
    """The programme at a public address, when its page is published; None for the public otherwise."""
    if not (_SLUG.match(org_slug) and _SLUG.match(programme_slug)):
        return None  # no slug looks like that (and PostgreSQL refuses some characters outright)
    programme = outreach_selectors.programme_public_get(organisation_slug=org_slug, programme_slug=programme_slug)
    if programme is None:
        return None
    page = ProgrammePage.objects.filter(programme=programme).first()
    if page is None or not page.is_published:
        return None
    return programme, page


def programme_is_full(*, programme: Programme) -> bool:
    """A new registration would go to the waiting list: every place is taken, or others already wait."""
    if programme.capacity is None:
        return False
    if Participant.objects.filter(programme=programme, status=Status.WAITING_LIST).exists():
        return True
    return recruitment_selectors.places_taken(programme=programme) >= programme.capacity


# --- answers ---------------------------------------------------------------------------


def _answer(request: HttpRequest, body: Any, status: int = 200) -> HttpResponse:
    from kollega.api.urls import api  # the API object is built from this module's router

    response = api.create_response(request, body, status=status)
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


def _error(
    request: HttpRequest, status: int, detail: str, code: str, messages: dict[str, list[str]] | None = None
) -> HttpResponse:
    return _answer(request, errors.error_body(detail, code, messages), status)


def _not_found(request: HttpRequest) -> HttpResponse:
    return _error(request, 404, _("Not found."), "not_found")


def _language(request: HttpRequest, programme: Programme, asked: str | None) -> str:
    languages = [lang for lang in programme.languages or [] if lang in s.LANGUAGES] or ["fi"]
    for candidate in (asked, (translation.get_language() or "")[:2]):
        if candidate in languages:
            return str(candidate)
    return languages[0]


def _window(programme: Programme) -> rs.RegistrationWindowOut:
    tz = programme.organisation.tz
    now = timezone.now()
    if programme.registration_opens_at and now < programme.registration_opens_at:
        state = "not_open_yet"
    elif programme.registration_closes_at and now >= programme.registration_closes_at:
        state = "closed"
    else:
        state = "open"
    return rs.RegistrationWindowOut(
        opens_at=s.local(programme.registration_opens_at, tz),
        closes_at=s.local(programme.registration_closes_at, tz),
        state=state,  # type: ignore[arg-type]
    )


def _programme_out(programme: Programme, page: ProgrammePage, language: str) -> rs.PublicProgrammeOut:
    form = recruitment_selectors.registration_form(programme=programme)
    questions = surveys_selectors.form_questions(form=form) if form is not None else []
    text = rs.localized_text
    return rs.PublicProgrammeOut(
        organisation=programme.organisation.name,
        slug=programme.slug,
        title=text(programme.title, language),
        language=language,
        languages=[lang for lang in programme.languages or [] if lang in s.LANGUAGES],
        url=outreach_selectors.share_url(programme=programme),
        texts=rs.PublicPageTextsOut(**{name: page.text(name, language) for name in PAGE_TEXT_FIELDS}),
        meeting_count=programme.meeting_count,
        meeting_length_minutes=programme.meeting_length_minutes,
        meeting_interval_days=programme.meeting_interval_days,
        time_slots=[
            rs.PublicTimeSlotOut(
                key=slot.key,
                name=text(slot.name, language),
                start=slot.start_time.strftime("%H:%M"),
                end=slot.end_time.strftime("%H:%M"),
            )
            for slot in programme.time_slots.all()
        ],
        themes=[
            rs.PublicThemeOut(
                key=theme.key,
                title=text(theme.title, language),
                description=text(theme.description, language),
                position_rule=s.PositionRule(theme.position_rule),
                rankable=theme.is_rankable,
            )
            for theme in programme.themes.all()
        ],
        registration=_window(programme),
        full=programme_is_full(programme=programme),
        questions=[rs.public_question_out(q, language) for q in questions],
    )


def _outcome_detail(outcome: str, position: int | None) -> str:
    if outcome == "registered":
        return _("Thank you for registering. We sent a confirmation to your email address; it tells what happens next.")
    if outcome == "waiting_list":
        return _(
            "Thank you for registering. All places are taken for now, so you are on the waiting list in place "
            "%(position)s. We will email you if a place frees up."
        ) % {"position": position}
    if outcome == "confirm_email":
        return _(
            "This email address has already registered. We sent a link to it: nothing changes until the link "
            "is followed."
        )
    return _("Thank you. Your registration was received.")


# --- endpoints ---------------------------------------------------------------------


@router.get(
    PATH,
    auth=None,
    response={200: rs.PublicProgrammeOut, 404: s.Error},
    summary="Read a published programme",
    openapi_extra={
        "parameters": [
            {
                "in": "query",
                "name": "language",
                "required": False,
                "schema": {"type": "string", "enum": list(s.LANGUAGES)},
                "description": "The language of the texts; else Accept-Language; else the programme's first.",
            }
        ]
    },
)
def public_programme(request: HttpRequest, org_slug: str, programme_slug: str) -> HttpResponse:
    """Everything the programme page shows, and the registration form's questions, in one language. No token."""
    found = programme_published(org_slug=org_slug, programme_slug=programme_slug)
    if found is None:
        return _not_found(request)
    programme, page = found
    language = _language(request, programme, request.GET.get("language"))
    with translation.override(language):
        return _answer(request, _programme_out(programme, page, language).model_dump(mode="json"))


@router.post(
    PATH + "/registrations",
    auth=None,
    response={
        201: rs.PublicOutcomeOut,
        202: rs.PublicOutcomeOut,
        400: s.Error,
        404: s.Error,
        409: s.Error,
        429: s.Error,
    },
    summary="Register (public)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "The answers by question key (see `questions` of the programme), and "
                        "optionally `channel` (a share link's tag) and `language` (fi, sv or en).",
                        "additionalProperties": True,
                    }
                }
            },
        }
    },
)
def public_register(request: HttpRequest, org_slug: str, programme_slug: str) -> HttpResponse:
    """Register to a published programme under the rules of its registration form. No token.

    201 `registered` or `waiting_list` (with the place); 202 `confirm_email` (the address had registered
    already: nothing changes until its owner follows the emailed link). 400 with messages by question key;
    409 `closed` outside the registration window; 429 after too many registrations from one address.
    """
    found = programme_published(org_slug=org_slug, programme_slug=programme_slug)
    if found is None:
        return _not_found(request)
    programme, _page = found
    try:
        body = read_json_object(request, limit=BODY_LIMIT)
    except BodyProblem as problem:
        return _error(request, 400, problem.detail, problem.code)
    asked = body.get("language")
    language = _language(request, programme, asked if isinstance(asked, str) else None)
    with translation.override(language):
        return _register(request, programme, body, language)


def _register(request: HttpRequest, programme: Programme, body: dict[str, Any], language: str) -> HttpResponse:
    problems = check_meta(body)
    form = recruitment_selectors.registration_form(programme=programme)
    questions = surveys_selectors.form_questions(form=form) if form is not None else []
    if form is not None:  # without a form the programme takes no registrations: the service says so
        problems.update(unknown_keys(body, {q.key for q in questions} | {HONEYPOT}))
    if not problems and questions and programme.registration_is_open():
        # The form's own check, before anything is counted: correcting a mistake is not another registration.
        problems = engine.validate(questions, body, language).errors
    if problems:
        return _error(request, 400, _summary(problems), "invalid", problems)
    if recruitment_services.registration_rate_limited(programme=programme, client_ip=client_ip(request)):
        response = _error(
            request, 429, _("Too many registrations from this address. Please try again later."), "throttled"
        )
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    if _honeypot_filled(body.get(HONEYPOT)):
        # Only a robot fills this in: answer as if received, store nothing.
        received = rs.PublicOutcomeOut(outcome="received", waiting_position=None, detail=_outcome_detail("", None))
        return _answer(request, received.model_dump(mode="json"), 202)
    try:
        outcome = recruitment_services.registration_submit(
            programme=programme,
            raw={k: v for k, v in body.items() if k != HONEYPOT},
            language=language,
            channel_key=_channel_key(body.get("channel")),
            source=Source.API,
        )
    except ValidationError as error:
        refusal = errors.as_refusal(error, codes=REFUSAL_CODES)
        if refusal is not error:
            return _error(request, 409, " ".join(refusal.messages), refusal.code or "")
        messages = field_errors(error)
        return _error(request, 400, _summary(messages), "invalid", messages)
    result = rs.PublicOutcomeOut(
        outcome=outcome.outcome,
        waiting_position=outcome.waiting_position if outcome.outcome == "waiting_list" else None,
        detail=_outcome_detail(outcome.outcome, outcome.waiting_position),
    )
    return _answer(request, result.model_dump(mode="json"), 202 if outcome.outcome == "confirm_email" else 201)


def _honeypot_filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value is not False


def _channel_key(value: Any) -> str:
    """A share link's tag; anything that cannot be one is no channel, as an altered link on the page is."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if not value or len(value) > 40 or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in value):
        return ""
    return value


def _summary(messages: dict[str, list[str]]) -> str:
    flat = [m for msgs in messages.values() for m in msgs]
    if len(flat) == 1:
        return flat[0]
    return _("The registration has errors; see the message for each question.")


@router.api_operation(["OPTIONS"], PATH, auth=None, include_in_schema=False)
def public_programme_preflight(request: HttpRequest, org_slug: str, programme_slug: str) -> HttpResponse:
    """A browser asks whether a page on another site may call; it may."""
    return _preflight()


@router.api_operation(["OPTIONS"], PATH + "/registrations", auth=None, include_in_schema=False)
def public_register_preflight(request: HttpRequest, org_slug: str, programme_slug: str) -> HttpResponse:
    return _preflight()


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response
