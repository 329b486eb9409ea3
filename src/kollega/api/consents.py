"""Consents of a participant: the latest decision per item, the history, and new decisions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from kollega.api import schemas as s
from kollega.api import selectors
from kollega.api.auth import request_user
from kollega.core import services
from kollega.core.models import Participant

router = Router(tags=["consents"])


@router.get(
    "/participants/{participant_id}/consents",
    response={200: s.ConsentsOut, **s.ERRORS},
    summary="Read a participant's consents",
)
def consent_list(request: HttpRequest, participant_id: int) -> s.ConsentsOut:
    """The latest decision per consent item, and every decision made."""
    participant = selectors.participant_get_for_api(user=request_user(request), pk=participant_id)
    return _consents(participant)


@router.post(
    "/participants/{participant_id}/consents",
    response={201: s.ConsentOut, **s.ERRORS},
    summary="Record a consent decision",
)
def consent_create(request: HttpRequest, participant_id: int, payload: s.ConsentIn) -> Status[s.ConsentOut]:
    """Record that the person gave or withdrew one consent, against the text version they saw."""
    user = request_user(request)
    participant = selectors.participant_get_for_api(user=user, pk=participant_id)
    text = selectors.consent_text_for_api(participant=participant, item=payload.item.value, version=payload.version)
    if text is None and payload.version is not None:
        raise ValidationError(
            {"version": _("This consent has no text version %(version)s.") % {"version": payload.version}}
        )
    consent = services.consent_record(
        participant=participant,
        item=payload.item.value,
        given=payload.given,
        actor=user,
        source="api",
        text=text,
        at=payload.at,
    )
    return Status(201, s.consent_out(consent, participant.programme.organisation.tz))


def _consents(participant: Participant) -> s.ConsentsOut:
    consents = selectors.consents_for_api(participant=participant)
    tz = participant.programme.organisation.tz
    return s.ConsentsOut(
        current=[s.consent_out(c, tz) for c in consents.current],
        history=[s.consent_out(c, tz) for c in consents.history],
    )
