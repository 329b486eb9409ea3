"""Registrations of a programme, its waiting list and the needs summary."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.request import RawPostDataException
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kollega.api import errors, selectors
from kollega.api import recruitment_schemas as rs
from kollega.api import schemas as s
from kollega.api.auth import request_user
from kollega.core.models import Participant, Programme
from kollega.recruitment import needs
from kollega.recruitment import selectors as recruitment_selectors
from kollega.recruitment import services as recruitment_services
from kollega.recruitment.models import OfferOutcome, Source, WaitingListOffer
from kollega.recruitment.services import RegistrationOutcome

router = Router(tags=["registrations"])

#: Keys of a registration body that are not answers.
META_KEYS = ("channel", "language")
#: A registration is a few kilobytes; a body near this size is not one.
BODY_LIMIT = 64 * 1024
#: The registration service's codes for a programme that takes no registrations now.
REFUSAL_CODES = frozenset({"closed", "no_form"})


# --- permission-checked reads ------------------------------------------------------


def registration_list_for_api(*, programme: Programme, statuses: list[str], channel: str) -> QuerySet[Participant]:
    """The programme's participants with how they registered, first registered first. Callers checked access."""
    qs = Participant.objects.filter(programme=programme).select_related("user", "registration__channel")
    if statuses:
        qs = qs.filter(status__in=statuses)
    if channel:
        qs = qs.filter(registration__channel__key=channel)
    return qs.order_by("registered_at", "id")


def pending_offers(*, participants: list[Participant]) -> dict[int, WaitingListOffer]:
    offers = WaitingListOffer.objects.filter(participant__in=participants, outcome=OfferOutcome.PENDING)
    return {offer.participant_id: offer for offer in offers}


# --- helpers -------------------------------------------------------------------


def registration_language(body: dict[str, Any], programme: Programme) -> str:
    """The registrant's language: the one the body names, else the request's if the programme uses it."""
    given = body.get("language")
    if isinstance(given, str) and given:
        return given
    active = (translation.get_language() or "")[:2]
    languages = list(programme.languages or [])
    if active in languages or not languages:
        return active or "fi"
    return str(languages[0])


def check_meta(body: dict[str, Any]) -> dict[str, list[str]]:
    """Messages for ``channel`` and ``language`` when they are not what they should be."""
    problems: dict[str, list[str]] = {}
    channel = body.get("channel", "")
    if channel is not None and not isinstance(channel, str):
        problems["channel"] = [_("Enter a text.")]
    language = body.get("language")
    if language is not None and language not in s.LANGUAGES:
        problems["language"] = [_("Choose one of fi, sv and en.")]
    return problems


def unknown_keys(body: dict[str, Any], known: set[str]) -> dict[str, list[str]]:
    """Names that are neither questions of the form nor ``channel`` or ``language`` (the first 50 of them)."""
    unknown = [key for key in body if key not in known and key not in META_KEYS][:50]
    return {key: [_("This field is not known here; check its name.")] for key in unknown}


def outcome_detail(outcome: RegistrationOutcome) -> str:
    if outcome.outcome == "registered":
        return _("The registration was received. A confirmation was sent to the registrant's email address.")
    if outcome.outcome == "waiting_list":
        return _("All places are taken: the registrant is on the waiting list, in place %(position)s.") % {
            "position": outcome.waiting_position
        }
    return _(
        "This email address is already registered. Nothing changes until the address's owner confirms it "
        "through the link just sent to it."
    )


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {key: list(messages) for key, messages in error.message_dict.items()}
    return {"__all__": list(error.messages)}


class BodyProblem(Exception):  # noqa: N818 — an answer to send, not a failure
    """A request body that is not one JSON object of a sensible size; ``detail`` says so in the request's language."""

    def __init__(self, detail: str, code: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code


def read_json_object(request: HttpRequest, *, limit: int = BODY_LIMIT) -> dict[str, Any]:
    """The request body as a JSON object of at most ``limit`` bytes; raises ``BodyProblem`` otherwise."""
    too_large = _("The request is too large for a registration.")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise BodyProblem(too_large, "too_large")
    try:
        raw = request.body
    except RequestDataTooBig:
        raise BodyProblem(too_large, "too_large") from None
    except (RawPostDataException, UnreadablePostError):
        raise BodyProblem(_("The request body could not be read."), "bad_request") from None
    if len(raw) > limit:
        raise BodyProblem(too_large, "too_large")
    try:
        body = json.loads(raw or b"null")
    except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
        raise BodyProblem(_("The request body is not valid JSON."), "bad_request") from None
    if not isinstance(body, dict):
        raise BodyProblem(_("Send the answers as one JSON object, with the question keys as names."), "bad_request")
    return body


def errors_response(
    request: HttpRequest, status: int, detail: str, code: str, field_messages: dict[str, list[str]] | None = None
) -> HttpResponse:
    from kollega.api.urls import api  # the API object is built from this module's router

    return api.create_response(request, errors.error_body(detail, code, field_messages), status=status)


# --- registrations ---------------------------------------------------------------


@router.get(
    "/programmes/{programme_id}/registrations",
    response={200: rs.RegistrationPage, **s.ERRORS},
    summary="List registrations",
)
def registration_list(
    request: HttpRequest, programme_id: int, filters: Query[rs.RegistrationQuery]
) -> rs.RegistrationPage:
    """Everyone registered to the programme, with the channel and source, first registered first."""
    programme = selectors.programme_get_for_api(user=request_user(request), pk=programme_id)
    qs = registration_list_for_api(
        programme=programme, statuses=[status.value for status in filters.status], channel=filters.channel.strip()
    )
    count = qs.count()
    items = list(qs[filters.offset : filters.offset + filters.limit]) if filters.offset < count else []
    tz = programme.organisation.tz
    return rs.RegistrationPage(
        count=count,
        limit=filters.limit,
        offset=filters.offset,
        items=[_registration_out(p, tz) for p in items],
    )


def _registration_out(participant: Participant, tz: Any) -> rs.RegistrationOut:
    registration = getattr(participant, "registration", None)
    status = s.Status(participant.status)
    return rs.RegistrationOut(
        participant_id=participant.pk,
        name=participant.full_name or participant.user.full_name,
        email=participant.user.email,
        status=status,
        status_label=str(status.label),
        channel=registration.channel.key if registration and registration.channel else None,
        heard_from=registration.heard_from if registration else "",
        source=registration.source if registration else None,
        registered_at=s.local(participant.registered_at, tz),  # type: ignore[arg-type]
    )


@router.post(
    "/programmes/{programme_id}/registrations",
    response={201: rs.RegistrationOutcomeOut, 202: rs.RegistrationOutcomeOut, 400: s.Error, **s.REFUSED},
    summary="Register a person",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "The answers by question key, and optionally `channel` (a channel key) "
                        "and `language` (fi, sv or en: the registrant's).",
                        "additionalProperties": True,
                    }
                }
            },
        }
    },
)
def registration_create(request: HttpRequest, programme_id: int) -> Any:
    """Register someone with the answers of the registration form, under the same rules as the form.

    201 for `registered` and `waiting_list`, 202 for `confirm_email` (the address is already registered:
    nothing changed until its owner confirms). Outside the registration window: 409 `closed`.
    """
    user = request_user(request)
    programme = selectors.programme_get_for_api(user=user, pk=programme_id)
    try:
        body = read_json_object(request)
    except BodyProblem as problem:
        return errors_response(request, 400, problem.detail, problem.code)
    problems = check_meta(body)
    form = recruitment_selectors.registration_form(programme=programme)
    if form is not None:
        problems.update(unknown_keys(body, {q.key for q in form.questions.all()}))
    if problems:
        raise ValidationError(problems)
    language = registration_language(body, programme)
    with translation.override(language):
        try:
            outcome = recruitment_services.registration_submit(
                programme=programme,
                raw=body,
                language=language,
                channel_key=body.get("channel") or "",
                source=Source.API,
                actor=user,
            )
        except ValidationError as error:
            refusal = errors.as_refusal(error, codes=REFUSAL_CODES)
            if refusal is not error:
                raise refusal from error
            raise ValidationError(field_errors(error)) from error
        detail = outcome_detail(outcome)
    result = rs.RegistrationOutcomeOut(
        outcome=outcome.outcome,
        participant_id=outcome.participant.pk,
        waiting_position=outcome.waiting_position,
        detail=detail,
    )
    return Status(202 if outcome.outcome == "confirm_email" else 201, result)


@router.post(
    "/participants/{participant_id}/cancel",
    response={200: s.ParticipantDetailOut, **s.REFUSED},
    summary="Cancel a registration",
)
def registration_cancel(request: HttpRequest, participant_id: int, payload: rs.CancelIn) -> s.ParticipantDetailOut:
    """Cancel the person's registration; a freed place is offered to the first on the waiting list at once."""
    user = request_user(request)
    participant = selectors.participant_get_for_api(user=user, pk=participant_id)
    # Already cancelled, or too far along to cancel: a refused change, as other status changes.
    with errors.refusals(default_code="not_allowed"):
        recruitment_services.registration_cancel(participant=participant, reason=payload.reason.strip(), actor=user)
    participant = selectors.participant_get_for_api(user=user, pk=participant_id)
    return s.participant_detail_out(participant, selectors.participant_history_for_api(participant=participant))


# --- waiting list and needs ----------------------------------------------------------


@router.get(
    "/programmes/{programme_id}/waiting-list",
    response={200: rs.WaitingListOut, **s.ERRORS},
    summary="Read the waiting list",
)
def waiting_list(request: HttpRequest, programme_id: int) -> rs.WaitingListOut:
    """The waiting list in order (position 1 is next), with any place offered and its deadline."""
    programme = selectors.programme_get_for_api(user=request_user(request), pk=programme_id)
    people = recruitment_selectors.waiting_list(programme=programme)
    offers = pending_offers(participants=people)
    tz = programme.organisation.tz
    items = []
    for position, person in enumerate(people, start=1):
        offer = offers.get(person.pk)
        items.append(
            rs.WaitingListEntryOut(
                position=position,
                participant_id=person.pk,
                name=person.full_name or person.user.full_name,
                email=person.user.email,
                registered_at=s.local(person.registered_at, tz),  # type: ignore[arg-type]
                offer=rs.OfferOut(
                    offered_at=s.local(offer.offered_at, tz),  # type: ignore[arg-type]
                    expires_at=s.local(offer.expires_at, tz),  # type: ignore[arg-type]
                )
                if offer
                else None,
            )
        )
    return rs.WaitingListOut(count=len(items), items=items)


@router.get(
    "/programmes/{programme_id}/needs", response={200: rs.NeedsOut, **s.ERRORS}, summary="Read the needs summary"
)
def needs_summary(request: HttpRequest, programme_id: int) -> rs.NeedsOut:
    """What the registrants want: themes ranked by Borda points (the method is named), time slots and more."""
    programme = selectors.programme_get_for_api(user=request_user(request), pk=programme_id)
    return rs.needs_out(programme.pk, needs.needs_summary(programme=programme))
