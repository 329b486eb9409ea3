"""Public pages: the programme page, its QR code and poster, registration in steps, personal links.

Nobody signs in here. A programme page that is not published answers 404,
except to the organisation's staff, who see it as a preview. Personal links
carry a signed token; a link that does not open anything gets a friendly 404.
Nothing changes on GET: mail scanners follow links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from kollega.core import selectors as core_selectors
from kollega.core.http import client_ip
from kollega.core.models import Participant, Programme
from kollega.core.models.consents import ConsentItem
from kollega.outreach import registration_steps as steps
from kollega.outreach import selectors, services
from kollega.outreach.models import PAGE_TEXT_FIELDS, Channel, ProgrammePage
from kollega.outreach.qr import qr_svg
from kollega.recruitment import selectors as recruitment_selectors
from kollega.recruitment import services as recruitment_services
from kollega.recruitment.models import OfferOutcome, WaitingListOffer
from kollega.recruitment.tokens import manage_token, participant_from_token
from kollega.surveys import engine
from kollega.surveys.forms import field_rows
from kollega.surveys.selectors import form_questions

#: Open Graph locales of the interface languages (Swedish and English as used in Finland).
OG_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}
#: Statuses in which the registrant may cancel through the personal link (the service's rule);
#: in a group, leaving goes through the coordinator (it affects the group).
SELF_CANCEL_STATUSES = recruitment_services.CANCELLABLE

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- finding the programme ------------------------------------------------------


@dataclass
class Public:
    """A programme as the public address names it, with its page."""

    programme: Programme
    page: ProgrammePage
    preview: bool  # not published: only the organisation's staff get here


def _public(request: HttpRequest, organisation_slug: str, programme_slug: str) -> Public:
    programme = selectors.programme_public_get(organisation_slug=organisation_slug, programme_slug=programme_slug)
    if programme is None:
        raise Http404
    page = ProgrammePage.objects.filter(programme=programme).first()
    if page is not None and page.is_published:
        return Public(programme=programme, page=page, preview=False)
    if programme.organisation_id in core_selectors.organisation_ids_for_staff(user=request.user):
        if page is None:
            page = services.programme_page_get_or_create(programme=programme)
        return Public(programme=programme, page=page, preview=True)
    raise Http404


def _channel(programme: Programme, key: Any) -> Channel | None:
    """The active channel a ``?c=`` tag names; anything else is ignored (the page still works)."""
    if not isinstance(key, str) or not key or len(key) > 40:
        return None
    return recruitment_services.channel_for_link(programme=programme, key=key)


def _with_channel(url: str, channel: Channel | None) -> str:
    return f"{url}?{urlencode({'c': channel.key})}" if channel else url


# --- what the page says ---------------------------------------------------------


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    hours_text = ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}
    minutes_text = ngettext("%(minutes)d minute", "%(minutes)d minutes", rest) % {"minutes": rest}
    if not rest:
        return hours_text
    if not hours:
        return minutes_text
    # Translators: a meeting's length such as "1 hour 30 minutes"; both parts are already translated.
    return _("%(hours)s %(minutes)s") % {"hours": hours_text, "minutes": minutes_text}


def _interval(days: int) -> str:
    if days % 7 == 0:
        weeks = days // 7
        if weeks == 1:
            return _("every week")
        return ngettext("every %(weeks)d week", "every %(weeks)d weeks", weeks) % {"weeks": weeks}
    if days == 1:
        return _("every day")
    return ngettext("every %(days)d day", "every %(days)d days", days) % {"days": days}


def commitment_text(programme: Programme) -> str:
    """What taking part asks, from the programme's settings: "5 meetings of 2 hours online, every 3 weeks"."""
    count = programme.meeting_count
    length = _duration(programme.meeting_length_minutes)
    if count == 1:
        return _("One meeting of %(length)s online") % {"length": length}
    return ngettext(
        "%(count)d meeting of %(length)s online, %(interval)s",
        "%(count)d meetings of %(length)s online, %(interval)s",
        count,
    ) % {"count": count, "length": length, "interval": _interval(programme.meeting_interval_days)}


@dataclass
class Window:
    """Where registration stands: ``open``, ``full`` (waiting list), ``not_open`` or ``closed``."""

    state: str
    opens_at: datetime | None
    closes_at: datetime | None

    @property
    def accepts(self) -> bool:
        return self.state in ("open", "full")


def registration_window(programme: Programme, now: datetime | None = None) -> Window:
    now = now or timezone.now()
    opens, closes = programme.registration_opens_at, programme.registration_closes_at
    if opens and now < opens:
        state = "not_open"
    elif closes and now >= closes:
        state = "closed"
    elif programme.capacity is not None and recruitment_selectors.places_taken(programme=programme) >= (
        programme.capacity
    ):
        state = "full"
    else:
        state = "open"
    return Window(state=state, opens_at=opens, closes_at=closes)


def _base_context(public: Public) -> dict[str, Any]:
    programme = public.programme
    return {
        "programme": programme,
        "organisation": programme.organisation,
        "page": public.page,
        "texts": {name: public.page.text(name) for name in PAGE_TEXT_FIELDS},
        "preview": public.preview,
        "programme_url": reverse("public:programme", args=[programme.organisation.slug, programme.slug]),
        "privacy_url": reverse("public:privacy", args=[programme.organisation.slug, programme.slug]),
    }


# --- the programme page, privacy notice, QR code and poster ---------------------


@require_GET
def programme_page(request: HttpRequest, organisation_slug: str, programme_slug: str) -> HttpResponse:
    public = _public(request, organisation_slug, programme_slug)
    programme, page = public.programme, public.page
    channel = _channel(programme, request.GET.get("c"))
    language = translation.get_language() or settings.LANGUAGE_CODE
    themes = list(programme.themes.all())
    description = (
        page.text("summary") or page.text("for_whom") or _("Online peer groups for solo and micro entrepreneurs.")
    )
    register_url = reverse("public:register", args=[programme.organisation.slug, programme.slug])
    context = {
        **_base_context(public),
        "channel": channel,
        "window": registration_window(programme),
        "commitment": commitment_text(programme),
        "time_slots": list(programme.time_slots.all()),
        "fixed_themes": [t for t in themes if not t.is_rankable],
        "rankable_themes": [t for t in themes if t.is_rankable],
        "register_url": _with_channel(register_url, channel),
        "og": {
            "title": programme.name,
            "description": Truncator(" ".join(description.split())).chars(200),
            "url": selectors.share_url(programme=programme),
            "locale": OG_LOCALES.get(language[:2], "fi_FI"),
            "alternates": [
                OG_LOCALES[lang]
                for lang in programme.languages or []
                if lang in OG_LOCALES and lang != language[:2] and (programme.title or {}).get(lang)
            ],
            "site_name": programme.organisation.name,
        },
    }
    return render(request, "outreach/public/programme.html", context)


@require_GET
def privacy_notice(request: HttpRequest, organisation_slug: str, programme_slug: str) -> HttpResponse:
    public = _public(request, organisation_slug, programme_slug)
    consent_text = core_selectors.consent_text_current(programme=public.programme, item=ConsentItem.PRIVACY_NOTICE)
    context = {**_base_context(public), "privacy_consent_text": consent_text.body if consent_text else ""}
    return render(request, "outreach/public/privacy.html", context)


@require_GET
def qr_code(request: HttpRequest, organisation_slug: str, programme_slug: str) -> HttpResponse:
    """The share link (tagged with ``?c=`` when it names a channel in use) as a printable SVG QR code."""
    public = _public(request, organisation_slug, programme_slug)
    channel = _channel(public.programme, request.GET.get("c"))
    url = selectors.share_url(programme=public.programme, channel=channel)
    svg = qr_svg(url, title=_("QR code: %(url)s") % {"url": url})
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="{public.programme.slug}-qr.svg"'
    if public.preview:
        response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def poster(request: HttpRequest, organisation_slug: str, programme_slug: str) -> HttpResponse:
    """A printable poster: title, the short text, a big QR code and the address in letters."""
    public = _public(request, organisation_slug, programme_slug)
    programme = public.programme
    channel = _channel(programme, request.GET.get("c"))
    qr_url = reverse("public:qr", args=[programme.organisation.slug, programme.slug])
    context = {
        **_base_context(public),
        "channel": channel,
        "share_url": selectors.share_url(programme=programme, channel=channel),
        "qr_url": _with_channel(qr_url, channel),
        "commitment": commitment_text(programme),
        "window": registration_window(programme),
    }
    return render(request, "outreach/public/poster.html", context)


# --- registration in steps ------------------------------------------------------


def _closed(request: HttpRequest, public: Public, window: Window) -> HttpResponse:
    """The form says registration is not open, and accepts nothing."""
    context = {**_base_context(public), "window": window}
    status = 403 if request.method == "POST" else 200
    return render(request, "outreach/public/register_closed.html", context, status=status)


def _unavailable(request: HttpRequest, public: Public) -> HttpResponse:
    status = 403 if request.method == "POST" else 200
    return render(request, "outreach/public/register_unavailable.html", _base_context(public), status=status)


def _step_number(value: Any) -> int | None:
    """A 1-based step number from the address or the form, as a 0-based index; None when unreadable."""
    # isascii(): "²" is a digit to str.isdigit() but not to int().
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 4:
        return int(value) - 1
    return None


def _render_step(
    request: HttpRequest,
    public: Public,
    wizard: steps.Wizard,
    state: dict[str, Any],
    index: int,
    window: Window,
    *,
    errors: dict[str, list[str]] | None = None,
    general_errors: list[str] | None = None,
    notice: str = "",
    status: int = 200,
    sent: dict[str, Any] | None = None,
) -> HttpResponse:
    """One step of the form; ``sent``: this request's answers as typed, shown instead of the stored (cut) ones."""
    answers = {**state["answers"], **(sent or {})}
    form = wizard.step_form(index, answers, errors)
    programme = public.programme
    action_url = reverse("public:register", args=[programme.organisation.slug, programme.slug])
    context = {
        **_base_context(public),
        "window": window,
        "form": form,
        "rows": field_rows(form),
        "general_errors": general_errors or [],
        "has_errors": bool(form.errors or general_errors),
        "notice": notice,
        "step_number": index + 1,
        "step_count": wizard.count,
        "is_first": wizard.previous_index(index, answers) is None,
        "is_last": wizard.next_index(index, answers) is None,
        "state_id": state["id"],
        "honeypot_field": steps.HONEYPOT_FIELD,
        # The share link's channel rides along in the address until a step is sent (nothing is kept before).
        "action_url": _with_channel(action_url, _channel(programme, request.GET.get("c"))),
    }
    return render(request, "outreach/public/register_step.html", context, status=status)


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, organisation_slug: str, programme_slug: str) -> HttpResponse:
    public = _public(request, organisation_slug, programme_slug)
    programme = public.programme
    window = registration_window(programme)
    if not window.accepts:
        return _closed(request, public, window)
    form = recruitment_selectors.registration_form(programme=programme)
    if form is None:
        return _unavailable(request, public)
    wizard = steps.Wizard.build(form, translation.get_language() or settings.LANGUAGE_CODE)
    if not wizard.steps:
        return _unavailable(request, public)
    state = steps.state_get(request.session, programme)
    if request.method == "POST":
        return _register_post(request, public, wizard, state, window)

    # Opening the form keeps nothing: a session is made only when a step is sent (robots do not fill the table).
    kept = state is not None
    if state is None:
        state = steps.state_new(form)
    answers = state["answers"]
    first = wizard.first_index(answers)
    wanted = _step_number(request.GET.get("step"))
    index = first if wanted is None else max(first, min(wanted, state["reached"], wizard.count - 1))
    if not wizard.visible(index, answers):
        index = wizard.previous_index(index, answers) or first
    # Messages from the final check (kept across the redirect) belong to the step they were sent to.
    errors, general = state.pop("errors", {}) or {}, state.pop("general_errors", []) or []
    state["errors"], state["general_errors"] = {}, []
    if kept and (errors or general):
        steps.state_save(request.session, programme, state)
    return _render_step(request, public, wizard, state, index, window, errors=errors, general_errors=general)


def _register_post(
    request: HttpRequest,
    public: Public,
    wizard: steps.Wizard,
    state: dict[str, Any] | None,
    window: Window,
) -> HttpResponse:
    programme = public.programme
    posted_id = request.POST.get("started", "")
    index = _step_number(request.POST.get("step"))
    done = steps.done_get(request.session, programme)
    # Without a session yet, one is made only for a step that passes: a post that is refused
    # (a robot's, or a first step with mistakes) is shown again from what it sent, and nothing is kept.
    has_session = request.session.session_key is not None

    def keep(state: dict[str, Any], *, passed: bool) -> None:
        if passed or has_session:
            steps.state_save(request.session, programme, state)

    if state is None or state.get("id") != posted_id:
        if done is not None and posted_id and done.get("state") == posted_id:
            # The last step sent again (the back button, a second tap): it is already registered.
            return redirect("public:registered", programme.organisation.slug, programme.slug)
        if index is not None and index > wizard.first_index({}):
            # The answers of the earlier steps are gone (the form was left open too long).
            state = steps.state_new(wizard.form)
            keep(state, passed=False)
            notice = _(
                "Your earlier answers were not kept because the form was left open for a long time. "
                "Please start again: it takes only a few minutes."
            )
            first = wizard.first_index(state["answers"])
            return _render_step(request, public, wizard, state, first, window, notice=notice)
        # The first page was shown without keeping anything: its id becomes the id of these answers.
        state = steps.state_new(wizard.form, state_id=posted_id)
        index = wizard.first_index(state["answers"])
    answers = state["answers"]
    if index is None or not 0 <= index <= min(state["reached"], wizard.count - 1) or not wizard.visible(index, answers):
        index = min(state["reached"], wizard.count - 1)
    channel = _channel(programme, request.GET.get("c"))
    if channel is not None:
        state["channel"] = channel.key
    if request.POST.get(steps.HONEYPOT_FIELD, "").strip():
        state["honeypot"] = True
    # The session keeps each answer cut to what its question accepts; this request checks and shows what was typed.
    sent = wizard.collect(index, answers, request.POST)

    if request.POST.get("action") == "back":
        previous = wizard.previous_index(index, answers)
        keep(state, passed=previous is not None)
        return _redirect_to_step(programme, index if previous is None else previous)

    errors = wizard.errors(index, {**answers, **sent})
    if errors:
        keep(state, passed=False)
        step_keys = {q.key for q in wizard.steps[index]}
        earlier = [wizard.step_of(key) for key in errors if key not in step_keys]
        earlier_steps = [i for i in earlier if i is not None and i < index]
        if earlier_steps:
            # An earlier step no longer holds (rare: a changed form); show that step with its messages.
            index = min(earlier_steps)
        own = {k: v for k, v in errors.items() if wizard.step_of(k) == index}
        general = errors.get("__all__", [])
        return _render_step(
            request, public, wizard, state, index, window, errors=own, general_errors=general, sent=sent
        )

    following = wizard.next_index(index, answers)
    if following is not None:
        state["reached"] = max(state["reached"], following)
        steps.state_save(request.session, programme, state)
        return _redirect_to_step(programme, following)
    steps.state_save(request.session, programme, state)
    return _register_submit(request, public, wizard, state, index, window)


def _redirect_to_step(programme: Programme, index: int) -> HttpResponse:
    url = reverse("public:register", args=[programme.organisation.slug, programme.slug])
    return redirect(f"{url}?step={index + 1}")


def _register_submit(
    request: HttpRequest, public: Public, wizard: steps.Wizard, state: dict[str, Any], index: int, window: Window
) -> HttpResponse:
    """The last step: send everything through the one registration service."""
    programme = public.programme
    if public.preview:
        message = _("This is a preview. The page is not published, so the form does not accept registrations yet.")
        return _render_step(request, public, wizard, state, index, window, general_errors=[message])
    if recruitment_services.registration_rate_limited(programme=programme, client_ip=client_ip(request)):
        form_url = reverse("public:register", args=[programme.organisation.slug, programme.slug])
        context = {**_base_context(public), "form_url": f"{form_url}?step={index + 1}"}
        return render(request, "outreach/public/rate_limited.html", context, status=429)
    if state.get("honeypot"):
        # Filled by a robot: it sees the usual confirmation, and nothing is stored.
        return _finish(request, programme, state, outcome="registered", position=None)
    try:
        outcome = recruitment_services.registration_submit(
            programme=programme,
            raw=state["answers"],
            language=wizard.language,
            channel_key=state.get("channel", ""),
        )
    except ValidationError as exc:
        code = getattr(exc, "code", None)
        if code == "closed":
            return _closed(request, public, registration_window(programme))
        if code == "no_form":
            return _unavailable(request, public)
        if not hasattr(exc, "error_dict"):
            return _render_step(request, public, wizard, state, index, window, general_errors=list(exc.messages))
        by_key = {key: list(messages) for key, messages in exc.message_dict.items()}
        placed = sorted(i for key in by_key if (i := wizard.step_of(key)) is not None)
        target = placed[0] if placed else index
        state["errors"] = {k: v for k, v in by_key.items() if wizard.step_of(k) == target}
        general = [m for k, v in by_key.items() if wizard.step_of(k) is None for m in v]
        state["general_errors"] = [
            _("The registration was not sent. Check the answers marked below; everything you typed is kept."),
            *general,
        ]
        steps.state_save(request.session, programme, state)
        return _redirect_to_step(programme, target)
    return _finish(request, programme, state, outcome=outcome.outcome, position=outcome.waiting_position)


def _finish(
    request: HttpRequest, programme: Programme, state: dict[str, Any], *, outcome: str, position: int | None
) -> HttpResponse:
    steps.done_set(request.session, programme, outcome=outcome, position=position, state_id=state["id"])
    steps.state_clear(request.session, programme)
    return redirect("public:registered", programme.organisation.slug, programme.slug)


@require_GET
def registered(request: HttpRequest, organisation_slug: str, programme_slug: str) -> HttpResponse:
    """The confirmation: the outcome and what happens next, never the answers."""
    public = _public(request, organisation_slug, programme_slug)
    done = steps.done_get(request.session, public.programme)
    if done is None:
        return redirect("public:programme", organisation_slug, programme_slug)
    context = {**_base_context(public), "outcome": done.get("outcome"), "position": done.get("position")}
    return render(request, "outreach/public/registered.html", context)


# --- personal links -------------------------------------------------------------


def _link_not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "outreach/public/link_not_found.html", status=404)


def _use_their_language(request: HttpRequest, language: str) -> None:
    """A link from an email opens in the language the person registered in, unless they chose one here."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language


def _participant(request: HttpRequest, token: str) -> Participant | None:
    participant = participant_from_token(token)
    if participant is not None:
        _use_their_language(request, participant.language)
    return participant


def _status_context(participant: Participant) -> dict[str, Any]:
    programme = participant.programme
    return {
        "participant": participant,
        "programme": programme,
        "organisation": programme.organisation,
        "programme_url": reverse("public:programme", args=[programme.organisation.slug, programme.slug]),
        "privacy_url": reverse("public:privacy", args=[programme.organisation.slug, programme.slug]),
        "can_cancel": participant.status in SELF_CANCEL_STATUSES,
    }


def _latest_offer(participant: Participant) -> WaitingListOffer | None:
    return WaitingListOffer.objects.filter(participant=participant).order_by("-offered_at", "-id").first()


@require_GET
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The registration as its owner sees it: status in plain words, place in line, answers, consents."""
    participant = _participant(request, token)
    if participant is None:
        return _link_not_found(request)
    language = translation.get_language() or participant.language
    offer = recruitment_selectors.offer_pending(participant=participant)
    consents = core_selectors.consents_current(participant=participant)
    labels = dict(ConsentItem.choices)
    context = {
        **_status_context(participant),
        "token": token,
        "position": recruitment_selectors.waiting_position(participant=participant),
        "offer": offer if offer is not None and offer.expires_at > timezone.now() else None,
        "answers": steps.registration_answers(participant=participant, language=language),
        "consents": [
            {"label": labels.get(item, item), "given": consent.given, "at": consent.at}
            for item, consent in consents.items()
        ],
    }
    return render(request, "outreach/public/manage.html", context)


@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Asks once (GET), then cancels (POST)."""
    participant = _participant(request, token)
    if participant is None:
        return _link_not_found(request)
    manage_url = reverse("public:manage", args=[token])
    if participant.status not in SELF_CANCEL_STATUSES:
        return redirect(manage_url)
    error = ""
    if request.method == "POST":
        # Control characters (NUL above all) cannot be stored; a reason is plain text.
        reason = _CONTROL.sub("", request.POST.get("reason", "")).strip()[:1000]
        try:
            recruitment_services.registration_cancel(
                participant=participant, reason=reason or _("Cancelled through the personal link.")
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Your registration is cancelled. We have sent you a confirmation by email."))
            return redirect(manage_url)
    context = {
        **_status_context(participant),
        "token": token,
        "manage_url": manage_url,
        "error": error,
        "error_list": [error] if error else [],
    }
    return render(request, "outreach/public/cancel.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, token: str) -> HttpResponse:
    """Answer an offer of a freed place: accept, or decline after confirming once."""
    participant = _participant(request, token)
    if participant is None:
        return _link_not_found(request)
    now = timezone.now()
    pending = recruitment_selectors.offer_pending(participant=participant)
    current = pending if pending is not None else _latest_offer(participant)
    expired = current is not None and (
        current.outcome == OfferOutcome.EXPIRED
        or (current.outcome == OfferOutcome.PENDING and current.expires_at <= now)
    )
    open_offer = pending if pending is not None and not expired else None
    answer = request.POST.get("answer", "")
    confirm_decline = False
    error = ""
    if request.method == "POST" and open_offer is not None:
        if answer == "accept":
            try:
                recruitment_services.waiting_list_offer_accept(offer=open_offer)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, _("You accepted the place. Welcome to the programme!"))
                return redirect("public:manage", token)
        elif answer == "decline" and request.POST.get("confirm") == "yes":
            try:
                recruitment_services.waiting_list_offer_decline(offer=open_offer)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, _("You declined the place. Thank you for letting us know."))
                return redirect("public:manage", token)
        elif answer == "decline":
            confirm_decline = True
    elif request.method == "POST":
        error = _("This offer can no longer be answered.")
    context = {
        **_status_context(participant),
        "token": token,
        "offer": current,
        "open_offer": open_offer,
        "expired": expired,
        "confirm_decline": confirm_decline,
        "error": error,
        "error_list": [error] if error else [],
    }
    return render(request, "outreach/public/offer.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def confirm_change(request: HttpRequest, token: str) -> HttpResponse:
    """A repeated registration: show what will change (GET); change it only on the button (POST)."""
    change = recruitment_services.pending_change_from_token(token)
    if change is None:
        return _link_not_found(request)
    participant = change.participant
    _use_their_language(request, change.language)
    language = translation.get_language() or change.language
    error = ""
    if change.confirmed_at is not None:
        state = "confirmed"
    elif change.expires_at <= timezone.now():
        state = "expired"
    else:
        state = "waiting"
    if request.method == "POST" and state == "waiting":
        try:
            recruitment_services.registration_change_confirm(token=token, version=request.POST.get("version", ""))
        except ValidationError as exc:
            error = " ".join(exc.messages)
            # The answers may have been replaced while the page was open: show the ones waiting now.
            change = recruitment_services.pending_change_from_token(token) or change
        else:
            messages.success(request, _("Your registration is updated with the new answers."))
            return redirect("public:manage", manage_token(participant))
    elif request.method == "POST":
        error = _("This link can no longer be used.")
    form = recruitment_selectors.registration_form(programme=participant.programme)
    changes = _changes(participant, form, change.raw, language) if form is not None else []
    context = {
        **_status_context(participant),
        "change": change,
        "state": state,
        "changes": changes,
        "error": error,
        "error_list": [error] if error else [],
        "token": token,
        "version": recruitment_services.pending_change_version(change),
    }
    return render(request, "outreach/public/confirm_change.html", context, status=400 if error else 200)


def _changes(participant: Participant, form: Any, raw: Any, language: str) -> list[dict[str, Any]]:
    """Each answer the repeated registration would change: the question, now, and after confirming."""
    questions = form_questions(form=form)
    new = steps.answer_rows(questions, engine.validate(questions, raw, language).cleaned, language)
    old = {row.key: row for row in steps.registration_answers(participant=participant, language=language)}
    rows = []
    for row in new:
        before = old.get(row.key)
        if before is None or (before.text, before.items) != (row.text, row.items):
            rows.append({"label": row.label, "before": before, "after": row})
    return rows
