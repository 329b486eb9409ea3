"""The answering page behind the personal link (no sign-in) and the coordinator's questionnaire pages."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kollega.core.http import AuthedHttpRequest, asked_too_often
from kollega.core.models import ConsentItem, Participant
from kollega.core.models.texts import localized
from kollega.core.selectors import consent_given, consent_text_current, programme_get_for_coordinator
from kollega.evaluation import instruments, selectors, services
from kollega.evaluation.forms import FollowUpRoundForm, InstrumentWordingForm, LinkResendForm, answer_form
from kollega.evaluation.models import ContactRequest, RoundInvitation, RoundKind
from kollega.evaluation.tokens import invitation_from_token
from kollega.surveys import selectors as survey_selectors
from kollega.surveys.forms import SurveyForm

#: Asking for new questionnaire links: at most this many requests per network and window.
RESEND_LIMIT = 5
RESEND_WINDOW_SECONDS = 3600

# --- the participant's pages ---------------------------------------------------


def _language(request: HttpRequest, invitation: RoundInvitation) -> str:
    """The person's own choice from the language menu, else the language they registered in."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        language = (translation.get_language() or "")[:2]
        if language in dict(settings.LANGUAGES):
            return language
    return invitation.participant.language


def _link_not_found(
    request: HttpRequest, form: LinkResendForm | None = None, *, sent: bool = False, status: int = 404
) -> HttpResponse:
    """A link that opens nothing: say so, and offer to send the link again to the address they give."""
    context = {"form": form or LinkResendForm(), "sent": sent, "action": reverse("evaluation:questionnaire_resend")}
    return render(request, "evaluation/link_not_found.html", context, status=status)


def _resend_limited(request: HttpRequest) -> bool:
    """True when this network has asked for new questionnaire links too often in the last hour."""
    return asked_too_often(request, scope="evaluation:resend", limit=RESEND_LIMIT, window_seconds=RESEND_WINDOW_SECONDS)


@require_http_methods(["GET", "POST"])
def questionnaire_resend(request: HttpRequest) -> HttpResponse:
    """Send the questionnaire link again: the same answer whether or not the address is known."""
    if request.method == "GET":
        return _link_not_found(request, status=200)
    form = LinkResendForm(request.POST)
    if _resend_limited(request):
        form.add_error(None, _("Too many requests from this network. Please try again in an hour."))
        return _link_not_found(request, form, status=429)
    if not form.is_valid():
        return _link_not_found(request, form, status=400)
    services.invitation_links_resend(email=form.cleaned_data["email"])
    return _link_not_found(request, sent=True, status=200)


def _sections(invitation: RoundInvitation, form: SurveyForm, language: str) -> list[dict[str, object]]:
    """The form's questions grouped by instrument, each with its instruction and whether its wording is official."""
    sections = []
    for instrument in selectors.instruments_for_form(form_id=invitation.round.form_id):
        sections.append(
            {
                "title": localized(instruments.instrument_definition(instrument.key)["title"], language),
                "instruction": localized(instrument.instruction, language),
                "provisional": not instrument.is_official(language),
                "source": instrument.source if instrument.key == "who5" else "",
                "fields": [form[key] for key in instrument.question_keys if key in form.fields],
            }
        )
    return sections


@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, token: str) -> HttpResponse:
    """The round's questions on one page; answering again replaces the answers and keeps the earlier ones."""
    invitation = invitation_from_token(token)
    if invitation is None:
        return _link_not_found(request)
    language = _language(request, invitation)
    round = invitation.round
    context: dict[str, object] = {
        "invitation": invitation,
        "round": round,
        "programme": round.programme,
        "organisation": round.programme.organisation,
        "token": token,
    }
    with translation.override(language):
        if not round.is_open():
            return render(request, "evaluation/questionnaire_closed.html", context)
        if not consent_given(participant=invitation.participant, item=ConsentItem.WELLBEING_QUESTIONNAIRE):
            return render(request, "evaluation/questionnaire_no_consent.html", context)
        initial = {}
        if invitation.response is not None:
            initial = {k: str(v) for k, v in survey_selectors.response_values(response=invitation.response).items()}
        form = answer_form(
            round.form, language, data=request.POST if request.method == "POST" else None, initial=initial
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.round_answer(invitation=invitation, raw=form.cleaned_data, language=language)
            except services.RoundNotOpenError:
                return render(request, "evaluation/questionnaire_closed.html", context)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for key, messages_ in error.message_dict.items():
                        form.add_error(key if key in form.fields else None, messages_)
                else:
                    form.add_error(None, error.messages)
            else:
                return redirect("evaluation:questionnaire_done", token=token)
        consent_text = consent_text_current(programme=round.programme, item=ConsentItem.WELLBEING_QUESTIONNAIRE)
        context.update(
            {
                "form": form,
                "sections": _sections(invitation, form, language),
                "consent_text": localized(consent_text.text, language) if consent_text else "",
            }
        )
        return render(request, "evaluation/questionnaire.html", context)


@require_http_methods(["GET"])
def questionnaire_done(request: HttpRequest, token: str) -> HttpResponse:
    """The person's own answers; a kind note after a low result; their before/after after the final round."""
    invitation = invitation_from_token(token)
    if invitation is None:
        return _link_not_found(request)
    if invitation.response is None:
        return redirect("evaluation:questionnaire", token=token)
    language = _language(request, invitation)
    with translation.override(language):
        scores = selectors.invitation_scores(invitation=invitation)
        before_after = (
            selectors.before_after_for_participant(participant=invitation.participant)
            if invitation.round.kind == RoundKind.FINAL
            else None
        )
        context = {
            "invitation": invitation,
            "round": invitation.round,
            "programme": invitation.round.programme,
            "organisation": invitation.round.programme.organisation,
            "token": token,
            "sections": selectors.own_answers(invitation=invitation, language=language),
            "low": bool(scores and scores.who5_is_low),
            "asked": ContactRequest.objects.filter(
                participant=invitation.participant, handled_at__isnull=True
            ).exists(),
            "before_after": before_after,
            "can_answer_again": invitation.round.is_open(),
        }
        return render(request, "evaluation/questionnaire_done.html", context)


@require_POST
def questionnaire_contact(request: HttpRequest, token: str) -> HttpResponse:
    """ "Ask the coordinator to contact me": recorded, and the organisation is told by email."""
    invitation = invitation_from_token(token)
    if invitation is None:
        return _link_not_found(request)
    # Offered only after a low result; anything else just shows the answers again.
    with contextlib.suppress(ValidationError):
        services.contact_request_create(invitation=invitation)
    return redirect("evaluation:questionnaire_done", token=token)


# --- the coordinator's pages ---------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_list(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The programme's rounds with their counts; a follow-up round can be opened here."""
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    form = FollowUpRoundForm(request.POST or None, tz=programme.organisation.tz)
    if request.method == "POST" and form.is_valid():
        participants = Participant.objects.filter(programme=programme, status__in=form.cleaned_data["statuses"])
        try:
            round = services.round_open(
                programme=programme,
                form=services.wellbeing_form_ensure(programme=programme, actor=request.user),
                kind=RoundKind.FOLLOW_UP,
                participants=participants.select_related("user"),
                closes_at=form.cleaned_data["closes"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            invited = round.invitations.count()
            messages.success(
                request,
                ngettext(
                    "The follow-up round is open: %(count)d person was invited.",
                    "The follow-up round is open: %(count)d people were invited.",
                    invited,
                )
                % {"count": invited},
            )
            return redirect("evaluation:round_list", pk=programme.pk)
    context = {
        "programme": programme,
        "rounds": selectors.round_list_for_programme(programme=programme),
        "form": form,
        "requests": selectors.contact_requests_waiting_for_programme(programme=programme),
        "instruments": selectors.instrument_overview_for_programme(programme=programme),
    }
    return render(request, "evaluation/round_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def instrument_wording(request: AuthedHttpRequest, pk: int, key: str, language: str) -> HttpResponse:
    """Put in the official wording of one language of an instrument; answers already given keep theirs."""
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    wording = selectors.instrument_wording_for_coordinator(
        user=request.user, programme=programme, key=key, language=language
    )
    form = InstrumentWordingForm(request.POST if request.method == "POST" else None, wording=wording)
    if request.method == "POST" and form.is_valid():
        try:
            services.wellbeing_wording_replace(
                programme=programme, key=key, language=language, texts=form.texts(), actor=request.user
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form.add_service_errors(error.message_dict)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("The %(language)s wording of %(instrument)s is saved and marked official.")
                % {"language": wording.language_name, "instrument": wording.title},
            )
            return redirect(reverse("evaluation:round_list", args=[programme.pk]) + "#instruments")
    # After a POST the form or the service refused it: the errors are on the page.
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "evaluation/instrument_wording.html",
        {"programme": programme, "wording": wording, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def round_detail(request: AuthedHttpRequest, pk: int, round_pk: int) -> HttpResponse:
    """Each invited person's answers and scores in one round."""
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    round = selectors.round_get_for_coordinator(user=request.user, pk=round_pk, programme=programme)
    rows = selectors.round_responses_for_coordinator(user=request.user, round=round)
    undelivered = selectors.undelivered_invitations_for_round(user=request.user, round=round, rows=rows)
    context = {
        "programme": programme,
        "round": round,
        "rows": [(row, undelivered.get(row.participant.pk)) for row in rows],
        "undelivered_count": len(undelivered),
    }
    return render(request, "evaluation/round_detail.html", context)


@login_required
@require_POST
def round_remind(request: AuthedHttpRequest, pk: int, round_pk: int) -> HttpResponse:
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    round = selectors.round_get_for_coordinator(user=request.user, pk=round_pk, programme=programme)
    try:
        count = services.round_remind(round=round, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if count:
            messages.success(
                request, ngettext("Reminded %(count)d person.", "Reminded %(count)d people.", count) % {"count": count}
            )
        else:
            messages.success(
                request,
                _("Nobody to remind now: everyone has answered or was invited or reminded in the last two days."),
            )
    return redirect("evaluation:round_list", pk=programme.pk)


@login_required
@require_http_methods(["GET", "POST"])
def round_close(request: AuthedHttpRequest, pk: int, round_pk: int) -> HttpResponse:
    """Asks once (GET), then closes (POST)."""
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    round = selectors.round_get_for_coordinator(user=request.user, pk=round_pk, programme=programme)
    if request.method == "POST":
        services.round_close(round=round, actor=request.user)
        messages.success(request, _("The round is closed. Its links now say so."))
        return redirect("evaluation:round_list", pk=programme.pk)
    return render(request, "evaluation/round_close.html", {"programme": programme, "round": round})


@login_required
@require_POST
def contact_request_handle(request: AuthedHttpRequest, pk: int, request_pk: int) -> HttpResponse:
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    contact = ContactRequest.objects.filter(pk=request_pk, participant__programme=programme).first()
    if contact is not None:
        services.contact_request_handle(request=contact, actor=request.user)
        messages.success(request, _("Marked as handled."))
    return redirect(reverse("evaluation:round_list", args=[programme.pk]))
