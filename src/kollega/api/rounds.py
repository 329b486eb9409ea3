"""Questionnaire rounds: open, remind, close, and read the answers (individual answers, for coordinators only).

Everything goes through the evaluation app's services and selectors, as the
coordinator's round pages do.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Query, Router, Status

from kollega.accounts.models import User
from kollega.api import interview_schemas as i
from kollega.api import schemas as s
from kollega.api import selectors
from kollega.api.auth import request_user
from kollega.api.errors import refusals
from kollega.core.models import Participant
from kollega.evaluation import selectors as evaluation_selectors
from kollega.evaluation import services as evaluation_services
from kollega.evaluation.models import QuestionnaireRound

router = Router(tags=["questionnaire rounds"])


# --- permission-checked reads ---------------------------------------------------------


def round_get_for_api(*, user: User, pk: int) -> QuestionnaireRound:
    """A round of an organisation ``user`` coordinates, with its counts; 404 (or 403 for a facilitator) otherwise."""
    found = QuestionnaireRound.objects.select_related("programme__organisation").filter(pk=pk).first()
    if found is None:
        raise Http404
    selectors.access_for_user(user=user).check(found.programme.organisation_id)
    counted = evaluation_selectors.round_list_for_programme(programme=found.programme).filter(pk=pk).first()
    if counted is None:
        raise Http404
    counted.programme = found.programme
    return counted


def _round_out(round: QuestionnaireRound) -> i.RoundOut:
    return i.round_out(round, now=timezone.now(), tz=round.programme.organisation.tz)


# --- rounds -----------------------------------------------------------------------------


@router.get(
    "/programmes/{programme_id}/rounds",
    response={200: list[i.RoundOut], **s.ERRORS},
    summary="List questionnaire rounds",
)
def round_list(request: HttpRequest, programme_id: int) -> list[i.RoundOut]:
    """The programme's rounds, the latest opening first, with how many were invited, answered and reminded."""
    programme = selectors.programme_get_for_api(user=request_user(request), pk=programme_id)
    now, tz = timezone.now(), programme.organisation.tz
    return [
        i.round_out(round, now=now, tz=tz)
        for round in evaluation_selectors.round_list_for_programme(programme=programme)
    ]


@router.get("/rounds/{round_id}", response={200: i.RoundOut, **s.ERRORS}, summary="Read a questionnaire round")
def round_read(request: HttpRequest, round_id: int) -> i.RoundOut:
    return _round_out(round_get_for_api(user=request_user(request), pk=round_id))


@router.post(
    "/programmes/{programme_id}/rounds",
    response={201: i.RoundOpenedOut, **s.ERRORS},
    summary="Open a questionnaire round",
)
def round_open(request: HttpRequest, programme_id: int, payload: i.RoundOpenIn) -> Status[i.RoundOpenedOut]:
    """Open a round of the programme's well-being questionnaire for the participants with `statuses`,
    or for `participant_ids`.

    Only people who agreed to the questionnaire and have not left are invited; the others are left out
    (`not_invited`), which never affects their place. Each is emailed a personal link when the round opens.
    """
    user = request_user(request)
    programme = selectors.programme_get_for_api(user=user, pk=programme_id)
    if (payload.statuses is None) == (payload.participant_ids is None):
        raise ValidationError({"__all__": [_("Give either statuses or participant_ids: whom the round asks.")]})
    people = Participant.objects.filter(programme=programme).select_related("user", "programme")
    if payload.statuses is not None:
        people = people.filter(status__in=[status.value for status in payload.statuses])
    else:
        asked = set(payload.participant_ids or [])
        people = people.filter(pk__in=asked)
        unknown = sorted(asked - set(people.values_list("pk", flat=True)))
        if unknown:
            raise ValidationError(
                {
                    "participant_ids": [
                        _("This programme has no participants with these ids: %(ids)s.")
                        % {"ids": ", ".join(str(pk) for pk in unknown[:50])}
                    ]
                }
            )
    participants = list(people.order_by("pk"))
    with transaction.atomic():  # the questionnaire made on first use goes away if the round is refused
        opened = evaluation_services.round_open(
            programme=programme,
            form=evaluation_services.wellbeing_form_ensure(programme=programme, actor=user),
            kind=payload.kind.value,
            participants=participants,
            closes_at=payload.closes_at,
            opens_at=payload.opens_at,
            actor=user,
        )
    counted = round_get_for_api(user=user, pk=opened.pk)
    fields = i.round_fields(counted, now=timezone.now(), tz=programme.organisation.tz)
    return Status(
        201,
        i.RoundOpenedOut(**fields, asked=len(participants), not_invited=len(participants) - fields["invited"]),
    )


@router.post(
    "/rounds/{round_id}/remind",
    response={200: i.RemindedOut, **s.REFUSED},
    summary="Remind those who have not answered",
)
def round_remind(request: HttpRequest, round_id: int, payload: i.RemindIn) -> i.RemindedOut:
    """Email a reminder to everyone invited who has not answered, but nobody twice within two days.

    Only an open round can be reminded about (409 `not_open`).
    """
    user = request_user(request)
    round = round_get_for_api(user=user, pk=round_id)
    with refusals(default_code="not_open"):
        count = evaluation_services.round_remind(round=round, actor=user)
    if count:
        detail = ngettext("Reminded %(count)d person.", "Reminded %(count)d people.", count) % {"count": count}
    else:
        detail = _("Nobody to remind now: everyone has answered or was invited or reminded in the last two days.")
    return i.RemindedOut(reminded=count, detail=detail)


@router.post("/rounds/{round_id}/close", response={200: i.RoundOut, **s.ERRORS}, summary="Close a questionnaire round")
def round_close(request: HttpRequest, round_id: int, payload: i.CloseIn) -> i.RoundOut:
    """Close the round now; its links then say that it has closed. Closing a closed round changes nothing."""
    user = request_user(request)
    round = round_get_for_api(user=user, pk=round_id)
    evaluation_services.round_close(round=round, actor=user)
    return _round_out(round_get_for_api(user=user, pk=round_id))


@router.get(
    "/rounds/{round_id}/responses",
    response={200: i.RoundResponsePage, **s.ERRORS},
    summary="Read a round's answers",
)
def round_responses(request: HttpRequest, round_id: int, filters: Query[i.RoundResponseQuery]) -> i.RoundResponsePage:
    """Each invited person's latest answers and scores, by name, paged. For the programme's coordinators only:
    facilitators see group figures, in the app, and only for a closed round that at least five have answered.

    No low-result flag: only the person is told of a low WHO-5 result, and staff learn of it only when the
    person asks to be contacted."""
    user = request_user(request)
    round = round_get_for_api(user=user, pk=round_id)
    rows = evaluation_selectors.round_responses_for_coordinator(user=user, round=round)
    if filters.answered is not None:
        rows = [row for row in rows if (row.invitation.answered_at is not None) == filters.answered]
    page = rows[filters.offset : filters.offset + filters.limit]
    tz = round.programme.organisation.tz
    items = []
    for row in page:
        invitation = row.invitation
        answered = invitation.response_id is not None
        who5 = row.scores.who5
        items.append(
            i.RoundResponseOut(
                participant_id=row.participant.pk,
                name=row.participant.display_name,
                email=row.participant.user.email,
                status=s.Status(row.participant.status),
                invited_at=s.local(invitation.invited_at, tz),  # type: ignore[arg-type]
                reminded_at=s.local(invitation.reminded_at, tz),
                answered_at=s.local(invitation.answered_at, tz),
                response_id=invitation.response_id,
                values=row.values,
                scores=i.ScoresOut(
                    who5=i.Who5Out(raw=who5.raw, percentage=who5.percentage) if who5 is not None else None,
                    peer_support=row.scores.peer_support,
                )
                if answered
                else None,
            )
        )
    return i.RoundResponsePage(count=len(rows), limit=filters.limit, offset=filters.offset, items=items)
